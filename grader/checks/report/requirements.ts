/**
 * The report checks as `grader read --json` prints them: a stable shape for scripts, with the
 * quoted lines as {file, line, text}. Pure.
 */
import type { CheckResult, Evidence } from '../../results/types.ts';

export interface Requirement {
  id: string;
  status: 'pass' | 'fail' | 'partial' | 'manual';
  message: string;
  evidence: { file: string; line: number; text: string }[];
}

// Table sources are written by where() in common.ts: "FILE, wiersz N", "FILE, wiersz N, na stronie P" or "zrzut ekranu FILE (odczyt OCR, wiersz N)".
const SOURCE = /^(?:zrzut ekranu (.+) \(odczyt OCR, wiersz (\d+)\)|(.+), wiersz (\d+)(?:, na stronie \d+)?)$/;

function quotedLines(e: Evidence): Requirement['evidence'] {
  if (e.kind === 'log') return e.lines.map((l) => ({ file: e.file ?? '', line: l.n, text: l.text }));
  if (e.kind !== 'table' || e.columns[0] !== 'Źródło') return [];
  return e.rows.flatMap((row) => {
    const m = SOURCE.exec(row[0] ?? '');
    if (!m) return [];
    return [{ file: m[1] ?? m[3]!, line: Number(m[2] ?? m[4]), text: row[1] ?? '' }];
  });
}

export function requirementsOf(checks: readonly CheckResult[]): Requirement[] {
  return checks.map((c) => ({
    id: c.id,
    status: c.status === 'pass' ? 'pass' : c.status === 'manual' ? 'manual' : c.status === 'fail' && (c.partial ?? 0) > 0 ? 'partial' : 'fail',
    message: c.message,
    evidence: c.evidence.flatMap(quotedLines),
  }));
}
