/**
 * Physical lines → logical lines: continuations joined (POSIX `\`, PowerShell `` ` ``, cmd `^`,
 * and the damaged forms Markdown exports produce), console prompts removed, line numbers kept.
 */
import type { CommandProblem, TextStyle } from './types.ts';

/** Which shell's quoting the line uses: PowerShell escapes with a backtick, cmd with `^`. */
export type Dialect = 'posix' | 'powershell' | 'cmd';

export interface LogicalLine {
  /** 1-based physical line where it starts. */
  line: number;
  text: string;
  /** Console style only: the first line began with a prompt. */
  prompted: boolean;
  dialect: Dialect;
  problems: CommandProblem[];
}

interface Prompt { re: RegExp; dialect: Dialect }

/**
 * Prompts a student may copy with the command. `# ` is NOT among them: a root prompt looks
 * exactly like a commented-out command, and reading a commented-out command as run would give
 * credit for work not done (a missed root prompt only costs a note the teacher can see).
 */
const PROMPTS: Prompt[] = [
  { re: /^\s*PS(?: [^>\n]*)?> ?/, dialect: 'powershell' },
  { re: /^\s*[A-Za-z]:\\[^>\n]*> ?/, dialect: 'cmd' },
  // Optional "(venv) " prefix; user@host, then an optional ":dir"; `$` or `#` (root) after a user@host is unambiguous.
  { re: /^\s*(?:\([^)\n]*\)\s*)?[\w.-]+@[\w.-]+(?::[^\n$#]*)?[$#] /, dialect: 'posix' },
  { re: /^\s*\[[^\]\n]+\][$#] /, dialect: 'posix' },
  { re: /^\s*\$ /, dialect: 'posix' },
  // `> ` is both a two-line prompt's second line (the lab text uses it) and bash's PS2; a command
  // starting with a bare redirection (`> file`) is far rarer in this lab.
  { re: /^\s*> /, dialect: 'posix' },
];

/** Removes a leading prompt (console style), saying which shell it belonged to. */
export function stripPrompt(line: string): { text: string; prompted: boolean; dialect: Dialect } {
  for (const { re, dialect } of PROMPTS) {
    const m = re.exec(line);
    if (m) return { text: line.slice(m[0].length), prompted: true, dialect };
  }
  return { text: line, prompted: false, dialect: 'posix' };
}

/** The four characters `\\\n` inside a line: an export wrote a line break as text (lab7 instructions, line 624). */
const LITERAL_BREAK = /\\\\\\n/;

/** Splits text into logical lines. Blank lines and comment-only lines are kept out. */
export function logicalLines(text: string, style: TextStyle): LogicalLine[] {
  const physical = stripBom(text).replace(/\r\n?/g, '\n').split('\n');
  const out: LogicalLine[] = [];
  let cur: LogicalLine | undefined;
  // Quote state at the end of cur.text, kept up to date so a quote open over many lines is scanned once.
  let quotes = QUOTES_AT_START;
  // First non-blank character of cur.text ('' while blank); `#` makes the line a comment.
  let lead = '';
  const append = (line: LogicalLine, s: string) => {
    line.text += s;
    quotes = scanQuotes(quotes, s);
    lead ||= s.trimStart().charAt(0);
  };
  for (let i = 0; i < physical.length; i++) {
    const pieces = physical[i]!.split(LITERAL_BREAK);
    for (let p = 0; p < pieces.length; p++) {
      let s = pieces[p]!;
      const brokenHere = p < pieces.length - 1;
      if (cur === undefined) {
        let dialect: Dialect = 'posix';
        let prompted = false;
        if (style === 'console') ({ text: s, prompted, dialect } = stripPrompt(s));
        if (s.trim() === '' && !brokenHere) continue;
        cur = { line: i + 1, text: '', prompted, dialect, problems: [] };
        quotes = QUOTES_AT_START;
        lead = '';
      } else if (style === 'console' && quotes.quote === undefined) {
        // The continuation prompt on a continued line: bash's PS2 `> `, PowerShell's `>> `.
        s = s.replace(cur.dialect === 'powershell' ? /^\s*>>? / : /^\s*> /, ' ');
      }
      if (scanQuotes(quotes, s).quote !== undefined && !(i === physical.length - 1 && !brokenHere)) {
        append(cur, s + '\n');
        continue;
      }
      if (brokenHere) {
        append(cur, s + ' ');
        cur.problems.push({ code: 'literal-newline-escape', text: '\\\\\\n' });
        continue;
      }
      const cont = (lead || s.trimStart().charAt(0)) === '#' ? undefined : continuation(s, cur.dialect);
      if (cont) {
        append(cur, cont.text);
        if (cont.problem) cur.problems.push(cont.problem);
        continue;
      }
      append(cur, s);
      if (lead !== '#') out.push(cur);
      cur = undefined;
    }
  }
  if (cur && lead !== '' && lead !== '#') out.push(cur);
  return out;
}

/** What a line ending in a continuation mark becomes, or undefined when the command ends there. */
function continuation(line: string, dialect: Dialect): { text: string; problem?: CommandProblem } | undefined {
  // Counted from the end: an end-anchored regex retries from every position (quadratic on long runs).
  const trimmed = line.slice(0, line.length - runAtEnd(line, ' \t'));
  const spaces = trimmed.length < line.length;
  const backslashes = runAtEnd(trimmed, '\\');
  if (dialect === 'posix' && backslashes % 2 === 1) {
    // `\` + newline vanishes in a shell; with spaces in between the shell would end the command.
    return spaces
      ? { text: trimmed.slice(0, -1) + ' ', problem: { code: 'continuation-trailing-space', text: line.slice(trimmed.length - 1) } }
      : { text: trimmed.slice(0, -1) };
  }
  if (dialect === 'posix' && backslashes >= 2) {
    return { text: trimmed.slice(0, -2) + ' ', problem: { code: 'escaped-continuation', text: '\\\\' } };
  }
  // A backtick ends a PowerShell line continuation; in POSIX text only an unpaired one can be one.
  if (trimmed.endsWith('`') && (dialect === 'powershell' || countUnquoted(trimmed, '`') % 2 === 1)) {
    return { text: trimmed.slice(0, -1) + ' ' };
  }
  if (trimmed.endsWith('^') && (dialect === 'cmd' || dialect === 'posix')) return { text: trimmed.slice(0, -1) + ' ' };
  return undefined;
}

/** POSIX quoting state at the end of some text. */
interface QuoteScan {
  quote: "'" | '"' | undefined;
  /** A `#` started a comment: quotes after it mean nothing. */
  comment: boolean;
  /** The text ends in a backslash that escapes the next character. */
  escaping: boolean;
  /** The text's last character ('' for no text): a `#` starts a comment only at a word start. */
  last: string;
}

const QUOTES_AT_START: QuoteScan = { quote: undefined, comment: false, escaping: false, last: '' };

/** The state after `from`'s text followed by `text`: scans only `text`. */
function scanQuotes(from: QuoteScan, text: string): QuoteScan {
  if (from.comment || text === '') return from;
  let { quote, escaping } = from;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (escaping) {
      escaping = false;
    } else if (quote === "'") {
      if (c === "'") quote = undefined;
    } else if (c === '\\') {
      escaping = true;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '#') {
      const before = i > 0 ? text[i - 1]! : from.last;
      if (before === '' || /\s/.test(before)) return { quote: undefined, comment: true, escaping: false, last: '#' };
    }
  }
  return { quote, comment: false, escaping, last: text[text.length - 1]! };
}

/** How many of the text's last characters belong to `chars`. */
function runAtEnd(text: string, chars: string): number {
  let i = text.length;
  while (i > 0 && chars.includes(text[i - 1]!)) i--;
  return text.length - i;
}

function countUnquoted(text: string, ch: string): number {
  let n = 0;
  let single = false;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "'") single = !single;
    else if (!single && text[i] === '\\') i++;
    else if (!single && text[i] === ch) n++;
  }
  return n;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
