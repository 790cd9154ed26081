/** Bounded excerpts of build logs: the evidence lines with a little context, never the whole log. */
import type { LogLine } from '../results/types.ts';
import { stripControl, truncate } from './escape.ts';

export interface ExcerptOptions {
  /** Most lines shown (gap markers not counted). */
  maxLines?: number;
  /** Longer lines are cut. */
  maxLineChars?: number;
}

export type ExcerptRow = { kind: 'line'; n: number; text: string; highlight: boolean } | { kind: 'gap' };

export interface Excerpt {
  rows: ExcerptRow[];
  /** Lines shown out of the lines the evidence carried. */
  shown: number;
  total: number;
}

export const DEFAULT_MAX_LINES = 60;
export const DEFAULT_MAX_LINE_CHARS = 180;

/** Picks which log lines to show: all highlighted ones first (each with the line before it, usually the step name), else head and tail. */
export function excerptLog(lines: readonly LogLine[], opts: ExcerptOptions = {}): Excerpt {
  const maxLines = opts.maxLines ?? DEFAULT_MAX_LINES;
  const maxChars = opts.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
  const valid = lines.filter((l) => l && Number.isFinite(l.n) && typeof l.text === 'string');
  const sorted = isSortedByN(valid) ? valid : [...valid].sort((a, b) => a.n - b.n);

  let picked: number[];
  if (sorted.length <= maxLines) {
    picked = sorted.map((_, i) => i);
  } else {
    const chosen = new Set<number>();
    const highlighted: number[] = [];
    sorted.forEach((l, i) => {
      if (l.highlight) highlighted.push(i);
    });
    for (const i of highlighted) {
      if (chosen.size >= maxLines) break;
      chosen.add(i);
    }
    // Context: the line before a highlighted one names the step ("#9 [linux/arm64 build1 2/5] RUN ...").
    for (const i of highlighted) {
      if (chosen.size >= maxLines) break;
      if (i > 0 && sorted[i - 1]!.n === sorted[i]!.n - 1) chosen.add(i - 1);
    }
    if (highlighted.length === 0) {
      const head = Math.ceil(maxLines / 2);
      for (let i = 0; i < head; i++) chosen.add(i);
      for (let i = sorted.length - (maxLines - head); i < sorted.length; i++) chosen.add(i);
    }
    picked = [...chosen].sort((a, b) => a - b);
  }

  const rows: ExcerptRow[] = [];
  let prevN: number | undefined;
  for (const i of picked) {
    const l = sorted[i]!;
    if (prevN !== undefined && l.n > prevN + 1) rows.push({ kind: 'gap' });
    const text = truncate(stripControl(l.text).replace(/[\n\t]/g, ' '), maxChars);
    rows.push({ kind: 'line', n: l.n, text, highlight: l.highlight === true });
    prevN = l.n;
  }
  return { rows, shown: picked.length, total: sorted.length };
}

function isSortedByN(lines: readonly LogLine[]): boolean {
  for (let i = 1; i < lines.length; i++) if (lines[i - 1]!.n > lines[i]!.n) return false;
  return true;
}

/** Marker column for evidence lines; html.ts highlights rows carrying it. */
export const HIGHLIGHT_MARK = '»';

/** Rows as text lines: right-aligned line number, marker column, the line. */
export function formatExcerpt(excerpt: Excerpt): string[] {
  const width = Math.max(
    3,
    ...excerpt.rows.map((r) => (r.kind === 'line' ? String(r.n).length : 0)),
  );
  return excerpt.rows.map((r) =>
    r.kind === 'gap' ? `${'…'.padStart(width)}` : `${String(r.n).padStart(width)} ${r.highlight ? HIGHLIGHT_MARK : ' '} ${r.text}`,
  );
}
