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
  return commandsOfText(line.text, line.dialect, source, line.problems, 0);
}

// Private-use characters mark variables and substitutions inside words; student text never needs them.
const VAR_OPEN = '\uE000';
const VAR_CLOSE = '\uE001';
const SUB_OPEN = '\uE002';
const SUB_CLOSE = '\uE003';
/** A `$` shell-quote must read as a plain character. */
const LITERAL_DOLLAR = '\uE004';
const MARKERS = /[\uE000-\uE004]/g;
const ESCAPE: Record<Dialect, string> = { posix: '\\', powershell: '`', cmd: '^' };
const SEPARATORS = new Set(['&&', '||', ';', ';;', '|', '|&', '&', '(', ')']);
const REDIRECTS = new Set(['>', '>>', '<', '>&', '<(']);
/** Substitutions nested deeper keep their commands unparsed: each level rescans the text inside it. */
const MAX_NESTING = 4;

function commandsOfText(raw: string, dialect: Dialect, source: SourceRef, lineProblems: readonly CommandProblem[], nesting: number): ParsedCommand[] {
  const text = raw.replace(MARKERS, '');
  const lineLevel: CommandProblem[] = [...lineProblems];
  const prepared = prepare(text, dialect);
  if (prepared.unterminated) lineLevel.push({ code: 'unterminated-quote', text: prepared.unterminated });
  const entries = shellWords(prepared.text, dialect);

  const commands: ParsedCommand[] = [];
  const inner: ParsedCommand[] = [];
  let words: string[] = [];
  let problems: CommandProblem[] = [];
  // Keys of `problems`, so a command with thousands of variables is not quadratic.
  let noted = new Set<string>();
  const note = (p: CommandProblem) => {
    const key = `${p.code}\0${p.text}`;
    if (noted.has(key)) return;
    noted.add(key);
    problems.push(p);
  };
  const flush = () => {
    if (words.length > 0) commands.push(buildCommand(text, source, words, [...lineLevel, ...problems]));
    words = [];
    problems = [];
    noted = new Set();
  };
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]! as ParseEntry;
    if (typeof entry === 'string' || 'pattern' in entry) {
      const word = typeof entry === 'string' ? entry : entry.pattern;
      words.push(restore(word, prepared.substitutions, note, (sub) => {
        if (nesting < MAX_NESTING) inner.push(...commandsOfText(sub, dialect, source, [], nesting + 1));
      }));
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
 * shell-quote's words. It throws on a `${` it cannot read; prepare() marks those, but reads an
 * unterminated quote or `$'...'` otherwise than shell-quote, so one may be left: then no `${` is a variable.
 */
function shellWords(prepared: string, dialect: Dialect): ParseEntry[] {
  const env = (name: string) => `${VAR_OPEN}${name}${VAR_CLOSE}`;
  try {
    return shellParse(prepared, env, { escape: ESCAPE[dialect] });
  } catch {
    return shellParse(prepared.replaceAll('${', `${LITERAL_DOLLAR}{`), env, { escape: ESCAPE[dialect] });
  }
}

/**
 * Protects what shell-quote would misread: `#` inside a word (shell-quote starts a comment, a
 * shell does not: `repo.git#main`), `$(...)`/backticks (shell-quote splits them into words), and
 * a `${` it cannot read (it throws).
 */
function prepare(text: string, dialect: Dialect): { text: string; substitutions: string[]; unterminated?: string } {
  const esc = ESCAPE[dialect];
  const substitutions: string[] = [];
  const variables = variableEnds(text);
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
    if (c === '$' && text[i + 1] === '$') {
      // `$$` is one variable, so a `{` after it opens nothing.
      out += '$$';
      i++;
      continue;
    }
    if (c === '$' && text[i + 1] === '{') {
      const end = variables.get(i);
      if (end !== undefined) {
        // Copied whole: a `#` inside (`${#X}`) is no comment to escape.
        out += text.slice(i, end + 1);
        i = end;
      } else {
        out += LITERAL_DOLLAR;
      }
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

/**
 * Where each readable `${...}` ends (its `}`), by its `$`: one pass for the whole text, as a
 * `${` seen unreadable would otherwise rescan the rest of it. Readable means closed, not empty,
 * and without blanks, quotes, escapes, a lone `{` or operators inside (a nested `${...}` is fine):
 * shell-quote then reads it whole, in or out of double quotes.
 */
function variableEnds(text: string): Map<number, number> {
  const ends = new Map<number, number>();
  const open: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '$' && text[i + 1] === '{') {
      open.push(i);
      i++;
    } else if (c === '}') {
      const start = open.pop();
      if (start !== undefined && i > start + 2) ends.set(start, i);
    } else if (/[\s'"`\\{()<>;&|]/.test(c)) {
      open.length = 0;
    }
  }
  return ends;
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

/** Puts variables, substitutions and unread `${` back as written, noting each once. */
function restore(word: string, substitutions: readonly string[], note: (p: CommandProblem) => void, onSubstitution: (inner: string) => void): string {
  const restored = word
    .replace(new RegExp(`${VAR_OPEN}([^${VAR_CLOSE}]*)${VAR_CLOSE}`, 'g'), (_, name: string) => {
      // shell-quote reads a `$` before no name (`a$`, `$ x`) as an empty one; a shell keeps it.
      if (name === '') return '$';
      const written = /^[A-Za-z_][A-Za-z0-9_]*$|^[0-9@?#$!*-]$/.test(name) ? `$${name}` : `\${${name}}`;
      note({ code: 'unexpanded-variable', text: written });
      return written;
    })
    .replace(new RegExp(`${SUB_OPEN}(\\d+)${SUB_CLOSE}`, 'g'), (_, index: string) => {
      const sub = substitutions[Number(index)]!;
      note({ code: 'command-substitution', text: sub });
      onSubstitution(sub.startsWith('$(') ? sub.slice(2, sub.endsWith(')') ? -1 : undefined) : sub.slice(1, sub.endsWith('`') && sub.length > 1 ? -1 : undefined));
      return sub;
    });
  if (!restored.includes(LITERAL_DOLLAR)) return restored;
  const written = restored.replaceAll(LITERAL_DOLLAR, '$');
  note({ code: 'bad-variable', text: written });
  return written;
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
