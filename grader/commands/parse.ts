/**
 * Shell text → commands. Word splitting and quote removal are shell-quote's; this file adds what
 * it lacks for student text: line continuations and prompts (lines.ts), `#` inside a word,
 * `$(...)`/backtick substitutions kept opaque, variables kept as written, redirections removed.
 */
import { parse as shellParse, type ParseEntry } from 'shell-quote';
import { classify } from './buildx.ts';
import { logicalLines, type Dialect, type LogicalLine } from './lines.ts';
import type { CommandProblem, ParsedCommand, SourceRef, TextStyle } from './types.ts';

export interface ParseOptions {
  /** Names the source in every command, e.g. "build.sh". */
  file: string;
  style: TextStyle;
  /** Position in an inline list (submission.json `build.commands`). */
  item?: number;
}

/** Every command in the text, in order. Never throws: what cannot be read becomes a problem. */
export function parseShellText(text: string, options: ParseOptions): ParsedCommand[] {
  return logicalLines(text, options.style).flatMap((line) => commandsOfLine(line, options));
}

/** Inline commands (one list item each, possibly several lines). */
export function parseCommandList(items: readonly string[], file: string): ParsedCommand[] {
  return items.flatMap((text, item) => parseShellText(text, { file, style: 'console', item }));
}

/** Commands of logical lines already cut out of a larger text (the Markdown extractor). */
export function commandsOfLine(line: LogicalLine, options: Pick<ParseOptions, 'file' | 'item'>): ParsedCommand[] {
  const source: SourceRef = { file: options.file, line: line.line, ...(options.item !== undefined ? { item: options.item } : {}) };
  return commandsOfText(line.text, line.dialect, source, line.problems);
}

// Private-use characters mark variables and substitutions inside words; student text never needs them.
const VAR_OPEN = '\uE000';
const VAR_CLOSE = '\uE001';
const SUB_OPEN = '\uE002';
const SUB_CLOSE = '\uE003';
const MARKERS = /[\uE000-\uE003]/g;
const ESCAPE: Record<Dialect, string> = { posix: '\\', powershell: '`', cmd: '^' };
const SEPARATORS = new Set(['&&', '||', ';', ';;', '|', '|&', '&', '(', ')']);
const REDIRECTS = new Set(['>', '>>', '<', '>&', '<(']);

function commandsOfText(raw: string, dialect: Dialect, source: SourceRef, lineProblems: readonly CommandProblem[]): ParsedCommand[] {
  const text = raw.replace(MARKERS, '');
  const lineLevel: CommandProblem[] = [...lineProblems];
  const prepared = prepare(text, dialect);
  if (prepared.unterminated) lineLevel.push({ code: 'unterminated-quote', text: prepared.unterminated });
  const entries = shellParse(prepared.text, (name) => `${VAR_OPEN}${name}${VAR_CLOSE}`, { escape: ESCAPE[dialect] });

  const commands: ParsedCommand[] = [];
  const inner: ParsedCommand[] = [];
  let words: string[] = [];
  let problems: CommandProblem[] = [];
  const flush = () => {
    if (words.length > 0) commands.push(buildCommand(text, source, words, [...lineLevel, ...problems]));
    words = [];
    problems = [];
  };
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]! as ParseEntry;
    if (typeof entry === 'string' || 'pattern' in entry) {
      const word = typeof entry === 'string' ? entry : entry.pattern;
      words.push(restore(word, prepared.substitutions, problems, (sub) => inner.push(...commandsOfText(sub, dialect, source, []))));
    } else if ('comment' in entry) {
      break;
    } else if (SEPARATORS.has(entry.op)) {
      flush();
    } else if (REDIRECTS.has(entry.op)) {
      // `2>&1`, `2>/dev/null`: shell-quote splits off the descriptor as its own word.
      if (/^\d$/.test(words.at(-1) ?? '')) words.pop();
      if (typeof entries[i + 1] === 'string') i++;
    }
  }
  flush();
  return [...commands, ...inner];
}

/**
 * Protects what shell-quote would misread: `#` inside a word (shell-quote starts a comment, a
 * shell does not: `repo.git#main`), and `$(...)`/backticks (shell-quote splits them into words).
 */
function prepare(text: string, dialect: Dialect): { text: string; substitutions: string[]; unterminated?: string } {
  const esc = ESCAPE[dialect];
  const substitutions: string[] = [];
  let out = '';
  let state: "'" | '"' | undefined;
  let quoteStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (state === "'") {
      out += c;
      if (c === "'") state = undefined;
      continue;
    }
    if (c === esc && i + 1 < text.length) {
      out += c + text[i + 1];
      i++;
      continue;
    }
    const subEnd = c === '$' && text[i + 1] === '(' ? closing(text, i + 2, ')') : c === '`' && dialect === 'posix' ? closing(text, i + 1, '`') : -1;
    if (subEnd !== -1) {
      substitutions.push(text.slice(i, subEnd + 1));
      out += `${SUB_OPEN}${substitutions.length - 1}${SUB_CLOSE}`;
      i = subEnd;
      continue;
    }
    if (state === '"') {
      if (c === '"') state = undefined;
    } else if (c === "'" || c === '"') {
      state = c;
      quoteStart = i;
    } else if (c === '#' && i > 0 && !/[\s;&|()<>]/.test(text[i - 1]!)) {
      out += esc + c;
      continue;
    } else if (c === '#') {
      out += text.slice(i);
      break;
    }
    out += c;
  }
  return { text: out, substitutions, ...(state ? { unterminated: text.slice(quoteStart) } : {}) };
}

/** Index of the character closing a substitution opened before `from`, or the text's end when unclosed. */
function closing(text: string, from: number, close: ')' | '`'): number {
  let depth = 1;
  let state: "'" | '"' | undefined;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (state === "'") {
      if (c === "'") state = undefined;
    } else if (c === '\\') {
      i++;
    } else if (close === '`') {
      if (c === '`') return i;
    } else if (state === '"') {
      if (c === '"') state = undefined;
    } else if (c === "'" || c === '"') {
      state = c;
    } else if (c === '(') {
      depth++;
    } else if (c === ')' && --depth === 0) {
      return i;
    }
  }
  return text.length - 1;
}

/** Puts variables and substitutions back as written, noting each once. */
function restore(word: string, substitutions: readonly string[], problems: CommandProblem[], onSubstitution: (inner: string) => void): string {
  return word
    .replace(new RegExp(`${VAR_OPEN}([^${VAR_CLOSE}]*)${VAR_CLOSE}`, 'g'), (_, name: string) => {
      const written = /^[A-Za-z_][A-Za-z0-9_]*$|^[0-9@?#$!*-]$/.test(name) ? `$${name}` : `\${${name}}`;
      if (!problems.some((p) => p.code === 'unexpanded-variable' && p.text === written)) problems.push({ code: 'unexpanded-variable', text: written });
      return written;
    })
    .replace(new RegExp(`${SUB_OPEN}(\\d+)${SUB_CLOSE}`, 'g'), (_, index: string) => {
      const sub = substitutions[Number(index)]!;
      problems.push({ code: 'command-substitution', text: sub });
      onSubstitution(sub.startsWith('$(') ? sub.slice(2, sub.endsWith(')') ? -1 : undefined) : sub.slice(1, sub.endsWith('`') && sub.length > 1 ? -1 : undefined));
      return sub;
    });
}

/** Env prefixes and `sudo` come off; the rest is classified. */
function buildCommand(text: string, source: SourceRef, words: string[], problems: CommandProblem[]): ParsedCommand {
  const env: Record<string, string> = {};
  let i = 0;
  let sudo = false;
  for (; i < words.length; i++) {
    const w = words[i]!;
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(w);
    if (assignment) {
      env[assignment[1]!] = assignment[2]!;
    } else if (w === 'sudo') {
      sudo = true;
      // sudo's own options; -u/-g take a value.
      while (words[i + 1]?.startsWith('-')) {
        i++;
        if (/^-[ugCDhpRrTU]$/.test(words[i]!)) i++;
      }
    } else {
      break;
    }
  }
  const argv = words.slice(i);
  for (const w of argv) {
    const dash = /^[\u2013\u2014\u2212]+(?=\S)/.exec(w);
    if (dash) problems.push({ code: 'typographic-dash', text: w, suggestion: `${dash[0].length === 1 && w.length > 2 ? '--' : '-'}${w.slice(dash[0].length)}` });
  }
  return { source, text: text.trim(), argv, env, sudo, problems, ...classify(argv, env, problems) };
}
