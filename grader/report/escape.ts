/**
 * Markdown escaping for untrusted text (student names, refs, log lines, registry answers).
 * Everything a student or a registry controls goes through one of these helpers, so raport.md
 * cannot gain links, images, raw HTML, headings or extra table columns, in our renderer
 * (markdown-it, html: false) or in any other CommonMark/GFM viewer.
 */

/** Longest text shown inline (names, messages); longer text is cut with an ellipsis. */
export const MAX_INLINE_CHARS = 2_000;

// ANSI colour sequences and C0/C1 controls (except tab) that a log may carry.
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b[@-_]/g;
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Removes ANSI sequences and control / bidi-override characters; keeps tabs and newlines. */
export function stripControl(text: string): string {
  return text.replace(ANSI, '').replace(/\r\n?/g, '\n').replace(CONTROL, '');
}

/** Cuts text to `max` characters (code points), marking the cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = Array.from(text.slice(0, max + 1)).slice(0, max).join('');
  return `${cut}… [+${text.length - cut.length} zn.]`;
}

/** One line of untrusted text: controls removed, newlines and tabs turned into spaces, bounded. */
export function oneLine(text: unknown, max = MAX_INLINE_CHARS): string {
  const s = stripControl(String(text ?? '')).replace(/[\n\t]+/g, ' ').trim();
  return truncate(s, max);
}

// Every character that can start inline Markdown syntax anywhere in a line: emphasis, code,
// links/images ([ ] ! ( )), autolinks and HTML (< >), entities (&), tables (|), strikethrough (~),
// math in some viewers ($), footnotes/attributes ({ }), and \ itself.
const INLINE_SPECIAL = /[\\`*_[\]()<>!|&~${}]/g;

/**
 * Escapes untrusted text for use inside a Markdown paragraph, list item or table cell.
 * Newlines become spaces, so the text can never start a block (heading, list, quote, fence).
 */
export function escapeInline(text: unknown, max = MAX_INLINE_CHARS): string {
  let s = oneLine(text, max).replace(INLINE_SPECIAL, '\\$&');
  // Bare URLs: GFM viewers autolink "http://" and "www."; an escaped ':' or '.' stops that.
  s = s.replace(/:\/\//g, '\\://').replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}\\.`);
  // Block syntax only matters at the start of a line; the text may be placed at one.
  s = s.replace(/^([#+=-])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2');
  return s;
}

/** Longest run of backticks in the text (0 if none). */
export function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return longest;
}

/**
 * Untrusted text as an inline code span (refs, digests, paths). Code spans are inert; the fence is
 * longer than any backtick run inside. In a table cell every '|' must still be escaped (GFM splits
 * cells before parsing code spans, and drops the backslash again).
 */
export function codeSpan(text: unknown, opts: { inTable?: boolean; max?: number } = {}): string {
  let s = oneLine(text, opts.max ?? MAX_INLINE_CHARS);
  if (s === '') return '';
  if (opts.inTable) s = s.replace(/\|/g, '\\|');
  const fence = '`'.repeat(longestBacktickRun(s) + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}

/**
 * A fenced code block around untrusted lines. The fence is longer than any backtick run inside,
 * so no line can close it early; the info string is ours.
 */
export function fencedBlock(lines: string[], info = 'text'): string {
  const body = lines.map((l) => stripControl(l).replace(/\n/g, ' '));
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(body.join('\n')) + 1));
  return [`${fence}${info}`, ...body, fence].join('\n');
}

/** A GFM table; header and cells must already be escaped (escapeInline / codeSpan with inTable). */
export function table(header: string[], rows: string[][], align?: ('l' | 'r' | 'c')[]): string {
  const sep = header.map((_, i) => {
    const a = align?.[i] ?? 'l';
    return a === 'r' ? '---:' : a === 'c' ? ':---:' : '---';
  });
  const line = (cells: string[]) => `| ${header.map((_, i) => cells[i] ?? '').join(' | ')} |`;
  return [line(header), `| ${sep.join(' | ')} |`, ...rows.map(line)].join('\n');
}

/** A relative file path safe to use as a link target beside the report (no scheme, no '..'). */
export function safeRelativePath(path: unknown): string | undefined {
  if (typeof path !== 'string' || path.length > 300) return undefined;
  if (!/^[A-Za-z0-9._/-]+$/.test(path)) return undefined;
  if (path.startsWith('/') || path.split('/').some((part) => part === '..' || part === '')) return undefined;
  return path;
}

// Documentation sites a report may link to; anything else is shown as plain text.
const DOC_HOSTS = new Set([
  'docs.docker.com',
  'distribution.github.io',
  'github.com',
  'hub.docker.com',
  'www.docker.com',
]);

/** An https URL on a known documentation host, safe as a Markdown link target; else undefined. */
export function safeDocUrl(url: unknown): string | undefined {
  if (typeof url !== 'string' || url.length > 500) return undefined;
  if (!/^https:\/\/[A-Za-z0-9.-]+(\/[A-Za-z0-9._~%/#?=&+,:@-]*)?$/.test(url)) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && DOC_HOSTS.has(parsed.hostname) ? url : undefined;
  } catch {
    return undefined;
  }
}

/** A link to a trusted target with an untrusted label; the target is put in <...> form. */
export function link(label: unknown, target: string): string {
  return `[${escapeInline(label, 300)}](<${target}>)`;
}

/** Escapes text for HTML (our own templates: footer, title). */
export function escapeHtml(text: unknown): string {
  return String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
