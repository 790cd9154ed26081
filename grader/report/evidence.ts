/** Markdown for one piece of evidence: commands, log excerpts, tables, HTTP exchanges, notes. */
import type { Evidence } from '../results/types.ts';
import { codeSpan, escapeInline, fencedBlock, link, oneLine, safeRelativePath, stripControl, table, truncate } from './escape.ts';
import { excerptLog, formatExcerpt } from './excerpt.ts';

export const MAX_TABLE_ROWS = 40;
export const MAX_TABLE_COLUMNS = 8;
export const MAX_TEXT_LINES = 30;
export const MAX_ARG_CHARS = 300;
export const MAX_ARGS = 60;

/** Info string of log fences: html.ts renders these with highlighted evidence rows. */
export const LOG_FENCE_INFO = 'buildx-log';

export function renderEvidence(e: Evidence): string {
  const title = `**${escapeInline(e.title, 300) || 'Dowód'}**`;
  switch (e.kind) {
    case 'command':
      return `${title}\n\n${fencedBlock(formatCommand(Array.isArray(e.argv) ? e.argv : []), 'sh')}`;
    case 'log':
      return renderLog(title, e);
    case 'table':
      return `${title}\n\n${renderTable(e.columns, e.rows)}`;
    case 'http': {
      const status = typeof e.status === 'number' ? String(e.status) : 'brak odpowiedzi';
      const request = `${oneLine(e.method, 10)} ${oneLine(e.url, 500)} → ${status}`;
      const detail = e.detail ? `\n\n${escapeInline(e.detail)}` : '';
      return `${title}\n\n${fencedBlock([request], 'http')}${detail}`;
    }
    case 'text':
      return `${title}\n\n${renderText(e.text)}`;
    default:
      return `${title}\n\n_(nieznany rodzaj dowodu)_`;
  }
}

function renderLog(title: string, e: Extract<Evidence, { kind: 'log' }>): string {
  const excerpt = excerptLog(Array.isArray(e.lines) ? e.lines : []);
  const file = safeRelativePath(e.file);
  const parts = [title];
  const notes: string[] = [];
  if (excerpt.shown < excerpt.total) notes.push(`pokazano ${excerpt.shown} z ${excerpt.total} linii`);
  if (file) notes.push(`pełny log: ${link(file, file)}`);
  else if (e.file) notes.push(`pełny log: ${codeSpan(e.file, { max: 300 })}`);
  if (notes.length) parts[0] += ` (${notes.join('; ')})`;
  parts.push(excerpt.rows.length ? fencedBlock(formatExcerpt(excerpt), LOG_FENCE_INFO) : '_(brak linii logu)_');
  return parts.join('\n\n');
}

function renderTable(columns: unknown, rows: unknown): string {
  const cols = (Array.isArray(columns) ? columns : []).slice(0, MAX_TABLE_COLUMNS);
  const allRows = Array.isArray(rows) ? rows : [];
  if (cols.length === 0) return '_(pusta tabela)_';
  const body = allRows.slice(0, MAX_TABLE_ROWS).map((row) => {
    const cells = Array.isArray(row) ? row : [];
    return cols.map((_, i) => formatCell(cells[i]));
  });
  const more =
    allRows.length > MAX_TABLE_ROWS ? `\n\n_… i jeszcze ${allRows.length - MAX_TABLE_ROWS} wierszy (pominięto)._` : '';
  return table(cols.map((c) => escapeInline(c, 100)), body) + more;
}

// Digests, refs with a registry host and media types read best in monospace.
const MONO_CELL = /^(sha256:[0-9a-f]{12,}|[a-z0-9]+\/[a-z0-9.+-]+|[a-z0-9.-]+(:\d+)?\/[^\s]+)$/i;

function formatCell(cell: unknown): string {
  const s = oneLine(cell, 300);
  if (s === '') return '—';
  return MONO_CELL.test(s) ? codeSpan(s, { inTable: true }) : escapeInline(s, 300);
}

function renderText(text: unknown): string {
  const lines = stripControl(String(text ?? ''))
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const shown = lines.slice(0, MAX_TEXT_LINES).map((l) => escapeInline(l));
  if (lines.length > MAX_TEXT_LINES) shown.push(`_… pominięto ${lines.length - MAX_TEXT_LINES} linii._`);
  return shown.join('\n\n') || '_(brak treści)_';
}

const SAFE_ARG = /^[A-Za-z0-9_\-.,:/=@+%^]+$/;

/** POSIX shell quoting, so the command can be pasted back into a terminal. */
export function shellQuote(arg: string): string {
  if (arg !== '' && SAFE_ARG.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** argv as a shell command, one option per line (like the lab's examples), bounded. */
export function formatCommand(argv: unknown[]): string[] {
  const args = argv.slice(0, MAX_ARGS).map((a) => shellQuote(truncate(stripControl(String(a)).replace(/\n/g, ' '), MAX_ARG_CHARS)));
  if (argv.length > MAX_ARGS) args.push(`# … pominięto ${argv.length - MAX_ARGS} argumentów`);
  const lines: string[] = [];
  let current = '';
  for (const a of args) {
    // Start a new line at each option, keeping short commands ("docker buildx build") together.
    if (a.startsWith('-') && current !== '') {
      lines.push(current);
      current = `  ${a}`;
    } else {
      current = current === '' ? a : `${current} ${a}`;
    }
  }
  if (current !== '') lines.push(current);
  return lines.map((l, i) => (i < lines.length - 1 ? `${l} \\` : l));
}
