/**
 * The report reader: a student's report (Markdown or plain text) → sections, paragraphs, code
 * blocks, inline code, images, commands (parsed by grader/commands) and pasted output (build
 * logs through grader/build-log), each with file and line. Pure: the caller reads the file.
 *
 * Inside a code block a prompt decides what is a command (`$ `, `PS C:\>`, `> `); without
 * prompts, a block that holds recognisable output (log lines, HTTP answers, manifest fields)
 * has commands only on lines that start with a known program, and every other line is output.
 * Blocks with neither are commands only, as grader/commands has always read them.
 */
import { extractMarkdownCommands } from '../commands/markdown.ts';
import { stripPrompt } from '../commands/lines.ts';
import type { ParsedCommand } from '../commands/types.ts';
import { LineRole, markdownParts, plainParts, type DocCodeBlock, type DocumentParts } from './document.ts';
import { classifyOutputLine } from './output-lines.ts';
import { outputsOfSegment, type BaseOf } from './outputs.ts';
import { imageLocation } from './images.ts';
import type {
  Confidence, OutputKind, ReadReportResult, ReportCommand, ReportNote, ReportOutput, ReportTextInput, SectionPath, StudentReport,
} from './types.ts';

export const REPORT_LIMITS = {
  /** A report is prose with pasted excerpts; more text than this is not one (a log, a dump). */
  maxBytes: 5 * 1024 * 1024,
} as const;

export function readMarkdownReport(text: string, file: string): ReadReportResult {
  return readReport({ file, text, format: 'markdown' });
}

export function readReport(input: ReportTextInput): ReadReportResult {
  const bytes = Buffer.byteLength(input.text, 'utf8');
  if (bytes > REPORT_LIMITS.maxBytes) return { ok: false, error: { code: 'too-large', file: input.file, bytes, limit: REPORT_LIMITS.maxBytes } };
  // The same line breaks as markdown-it and grader/commands, so every line number agrees.
  const lines = input.text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n');
  const doc = input.format === 'markdown' ? markdownParts(lines) : plainParts(lines);
  return { ok: true, report: assemble(doc, input) };
}

function assemble(doc: DocumentParts, input: ReportTextInput): StudentReport {
  const { file } = input;
  const confidence: Confidence = input.extractedFrom === 'ocr' ? 'ocr' : 'report';
  const sectionAt = sectionLocator(doc);
  const commands: ReportCommand[] = [];
  const outputs: ReportOutput[] = [];
  // The command an output follows in its own block or prose, resolved to an index at the end.
  const followed = new Map<ReportOutput, ParsedCommand>();
  // Last line of each command's block (code) or continuation lines (prose).
  const endOf = new Map<ParsedCommand, number>();
  // First line of the block an output was pasted in (its opening fence), where that is not the output's own line.
  const blockOf = new Map<ReportOutput, number>();
  const wrap = (parsed: ParsedCommand, origin: ReportCommand['origin']): ReportCommand => ({
    parsed, file, line: parsed.source.line, origin, placeholders: placeholdersOf(parsed.text), section: sectionAt(parsed.source.line),
  });
  const addOutputs = (start: number, lines: string[], origin: ReportOutput['origin'], before: ParsedCommand | null, blockLine = start) => {
    const baseOf: BaseOf = (line, endLine, excerpt) => ({ file, line, endLine, origin, confidence, after: null, section: sectionAt(line), excerpt });
    for (const o of outputsOfSegment({ file, start, lines, hint: before ? hintOf(before) : null }, baseOf)) {
      outputs.push(o);
      if (before) followed.set(o, before);
      blockOf.set(o, blockLine);
    }
  };

  for (const block of doc.codeBlocks) {
    const read = readBlock(block, file);
    for (const c of read.commands) {
      commands.push(wrap(c, 'code-block'));
      endOf.set(c, block.endLine);
    }
    for (const s of read.segments) addOutputs(block.contentLine + s.from, s.lines, 'code-block', s.before, block.line);
  }

  // Where each prose command ends → the command, for the output right after it.
  const proseEnds = new Map<number, ParsedCommand>();
  for (const text of doc.texts) {
    let startLine = 0;
    let endLine = 0;
    for (const c of extractMarkdownCommands(text.text, file)) {
      const parsed = relocate(c, c.source.line + text.line - 1);
      commands.push(wrap(parsed, 'text'));
      // Commands joined by `&&` or `|` share a line: its extent is found once.
      if (parsed.source.line !== startLine) endLine = proseExtentEnd(doc, (startLine = parsed.source.line));
      proseEnds.set(endLine, parsed);
      endOf.set(parsed, endLine);
    }
  }
  for (const run of proseRuns(doc)) {
    let k = run.from - 1;
    while (k >= 1 && doc.roles[k - 1] === LineRole.Other) k--;
    addOutputs(run.from, run.lines, 'text', proseEnds.get(k) ?? null);
  }
  for (const code of doc.inlineCode) {
    const c = classifyOutputLine(code.text);
    if (c?.strong && c.kind !== null && INLINE_OUTPUT_KINDS.has(c.kind)) addOutputs(code.line, [code.text], 'inline-code', null);
  }

  commands.sort((a, b) => a.line - b.line);
  outputs.sort((a, b) => a.line - b.line);
  linkOutputs(doc, commands, outputs, followed, endOf, blockOf);

  return {
    file,
    format: input.format,
    extractedFrom: input.extractedFrom ?? null,
    confidence,
    lineCount: doc.lines.length,
    ...(input.pageStarts?.length ? { pageStarts: input.pageStarts } : {}),
    sections: doc.sections.map((s) => ({ file, ...s })),
    paragraphs: doc.paragraphs.map((p) => ({ file, ...p, section: sectionAt(p.line) })),
    codeBlocks: doc.codeBlocks.map((b) => ({
      file, line: b.line, contentLine: b.contentLine, endLine: b.endLine, info: b.info, lang: b.lang, content: b.lines.join('\n'),
      fenced: b.fenced, closed: b.closed, section: sectionAt(b.line),
    })),
    inlineCode: doc.inlineCode.map((c) => ({ file, ...c, section: sectionAt(c.line) })),
    images: doc.images.map((i) => ({ file, ...i, location: imageLocation(i.src, file), section: sectionAt(i.line) })),
    commands,
    outputs,
    notes: notesOf(doc, file),
  };
}

// ---------------------------------------------------------------------------------------------
// Code blocks

/** A line continued as grader/commands/markdown.ts sees it outside fences (`\`, `` ` `` or `^` at the end). */
function continued(line: string): boolean {
  const t = line.trimEnd();
  const last = t.charCodeAt(t.length - 1);
  return last === 0x5c || last === 0x60 || last === 0x5e;
}
/** The first line of a two-line prompt (`~/examples/L7`, then `> docker ...`). */
const PROMPT_CONTEXT = /^\s*~\S*\s*$/;
/** Programs a line of a block that also holds output may start with to count as a command. */
const KNOWN_PROGRAM = new RegExp(
  '^\\s*(?:sudo\\s+)?(?:[A-Za-z_]\\w*=\\S*\\s+)*(?:\\S*[/\\\\])?(?:' +
  [
    'docker', 'docker-compose', 'podman', 'nerdctl', 'buildctl', 'registry', 'curl', 'wget', 'https?', 'iwr', 'irm', 'invoke-webrequest',
    'invoke-restmethod', 'crane', 'regctl', 'skopeo', 'jq', 'git', 'gh', 'cd', 'ls', 'dir', 'cat', 'type', 'echo', 'printf', 'export', 'set',
    'unset', 'env', 'mkdir', 'cp', 'mv', 'rm', 'touch', 'chmod', 'source', 'grep', 'findstr', 'select-string', 'get-content', 'tail', 'head',
    'tee', 'npm', 'node', 'python3?', 'sh', 'bash', 'pwsh', 'powershell', 'ssh', 'scp', 'openssl', 'base64', 'apt(?:-get)?', 'systemctl',
    'dockerd', '\\$env:\\w+',
  ].join('|') +
  ')(?:\\.exe)?(?=\\s|$)',
  'i',
);

/** Fence labels under which students paste program output. */
const OUTPUT_LANGS: ReadonlySet<string> = new Set(['', 'text', 'txt', 'plaintext', 'console', 'output', 'log', 'logs', 'http', 'json', 'terminal']);

interface BlockRead {
  commands: ParsedCommand[];
  /** Output between commands: `from` is the index of lines[0] in the block. */
  segments: { from: number; lines: string[]; before: ParsedCommand | null }[];
}

function readBlock(block: DocCodeBlock, file: string): BlockRead {
  const { lines } = block;
  const classes = lines.map(classifyOutputLine);
  const prompted = lines.map((l, i) => classes[i] === null && stripPrompt(l).prompted);
  const anyPrompt = prompted.includes(true);
  // An unlabelled or output-labelled block of weak output lines only (`View build details: ...`) is
  // output too, unless a line starts a program; a YAML or Dockerfile block of `key: value` lines is not.
  const nonBlank = lines.flatMap((l, i) => (l.trim() === '' ? [] : [i]));
  const outputOnly = OUTPUT_LANGS.has(block.lang) && nonBlank.length > 0 && nonBlank.every((i) => classes[i] !== null) && !nonBlank.some((i) => KNOWN_PROGRAM.test(lines[i]!));
  if (!anyPrompt && !outputOnly && !classes.some((c) => c?.strong)) return { commands: blockCommands(block, lines, file), segments: [] };

  const extentOf = new Int32Array(lines.length).fill(-1);
  const extents: { from: number; to: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const starts = anyPrompt ? prompted[i] : classes[i] === null && KNOWN_PROGRAM.test(lines[i]!);
    if (!starts) continue;
    let end = i;
    while (end + 1 < lines.length && continued(lines[end]!)) end++;
    for (let k = i; k <= end; k++) extentOf[k] = extents.length;
    extents.push({ from: i, to: end });
    i = end;
  }
  const commands = blockCommands(block, lines.map((l, i) => (extentOf[i]! >= 0 ? l : '')), file);
  const segments: BlockRead['segments'] = [];
  let from = -1;
  let previous = -1;
  const close = (to: number) => {
    if (from < 0) return;
    const text = lines.slice(from, to).map((l, k) => (anyPrompt && PROMPT_CONTEXT.test(l) && prompted[from + k + 1] ? '' : l));
    if (text.some((l) => l.trim() !== '')) segments.push({ from, lines: text, before: previous >= 0 ? lastHinted(commands, block, extents[previous]!) : null });
    from = -1;
  };
  for (let i = 0; i < lines.length; i++) {
    if (extentOf[i]! >= 0) {
      close(i);
      previous = extentOf[i]!;
    } else if (from < 0) {
      from = i;
    }
  }
  close(lines.length);
  return { commands, segments };
}

/** The last command of an extent whose output the reader knows how to read, else its last command. */
function lastHinted(commands: ParsedCommand[], block: DocCodeBlock, extent: { from: number; to: number }): ParsedCommand | null {
  const inside = commands.filter((c) => c.source.line >= block.contentLine + extent.from && c.source.line <= block.contentLine + extent.to);
  for (let i = inside.length - 1; i >= 0; i--) if (hintOf(inside[i]!) !== null) return inside[i]!;
  return inside.at(-1) ?? null;
}

/**
 * A block's commands, read by grader/commands exactly as it reads a fenced block (its list of
 * shell languages, its prompt rule): the lines go back into a fence and the lines come back shifted.
 */
function blockCommands(block: DocCodeBlock, lines: string[], file: string): ParsedCommand[] {
  const longest = lines.reduce((n, l) => Math.max(n, /^ {0,3}(~*)/.exec(l)![1]!.length), 0);
  const fence = '~'.repeat(Math.max(3, longest + 1));
  const text = [fence + block.lang, ...lines, fence].join('\n');
  return extractMarkdownCommands(text, file).map((c) => relocate(c, c.source.line + block.contentLine - 2));
}

function relocate(c: ParsedCommand, line: number): ParsedCommand {
  return { ...c, source: { ...c.source, line } };
}

// ---------------------------------------------------------------------------------------------
// Prose

/** Where a command written in prose ends (its continuation lines), for the output right after it. */
function proseExtentEnd(doc: DocumentParts, line: number): number {
  let end = line;
  while (end < doc.lines.length && doc.proseText[end] !== undefined && continued(doc.proseText[end - 1] ?? '')) end++;
  return end;
}

/**
 * Runs of pasted output outside code blocks: consecutive output lines (blank and markup lines
 * in between allowed), at least one of them strong. Clearly output, or nothing.
 */
function proseRuns(doc: DocumentParts): { from: number; lines: string[] }[] {
  const runs: { from: number; lines: string[] }[] = [];
  let from = -1;
  let to = -1;
  let strong = false;
  const flush = () => {
    if (from > 0 && strong) {
      const lines: string[] = [];
      // As pasted (with `> ` and indentation) where that reads as output, else without Markdown's block markers.
      for (let n = from; n <= to; n++) {
        const raw = doc.lines[n - 1] ?? '';
        lines.push(doc.proseText[n - 1] === undefined || classifyOutputLine(raw) ? raw : doc.proseText[n - 1]!);
      }
      runs.push({ from, lines });
    }
    from = -1;
    strong = false;
  };
  for (let n = 1; n <= doc.lines.length; n++) {
    const role = doc.roles[n - 1];
    if (role === LineRole.Other) continue;
    // The raw line too: a log's ` > [stage] RUN ...:` box title is a blockquote to Markdown.
    const c = role === LineRole.Prose ? classifyOutputLine(doc.proseText[n - 1] ?? '') ?? classifyOutputLine(doc.lines[n - 1] ?? '') : null;
    if (!c) {
      flush();
      continue;
    }
    if (from < 0) from = n;
    to = n;
    strong ||= c.strong;
  }
  flush();
  return runs;
}

const INLINE_OUTPUT_KINDS: ReadonlySet<string> = new Set(['build-log', 'manifest', 'registry', 'gc']);

// ---------------------------------------------------------------------------------------------
// Links, sections, notes

/** Which output a command prints: says how to read output that has no strong lines of its own. */
export function hintOf(c: ParsedCommand): OutputKind | null {
  if (c.kind === 'buildx-build') return c.build?.quiet ? 'digest' : 'build-log';
  const argv = c.argv.map((w) => w.toLowerCase());
  const program = (argv[0] ?? '').replace(/^.*[/\\]/, '').replace(/\.exe$/, '');
  if (argv.includes('garbage-collect')) return 'gc';
  if (program === 'docker' || program === 'podman') {
    const words = argv.filter((w) => !w.startsWith('-'));
    const [, a, b] = words;
    if ((a === 'buildx' && b === 'imagetools') || (a === 'manifest' && b === 'inspect')) return 'manifest';
    if (a === 'buildx' && (b === 'ls' || b === 'inspect')) return 'builders';
    if (a === 'ps' || (a === 'container' && (b === 'ls' || b === 'ps' || b === 'list'))) return 'containers';
    return null;
  }
  if (/^(?:curl|wget|https?|iwr|irm|invoke-webrequest|invoke-restmethod)$/.test(program)) return 'registry';
  if (/^(?:crane|regctl|skopeo)$/.test(program)) return 'manifest';
  return null;
}

/**
 * `after` of each output: the command before it in its own block or prose, else the command
 * right before it in the same section, with at most an introduction between them ("Wynik:").
 */
function linkOutputs(
  doc: DocumentParts, commands: ReportCommand[], outputs: ReportOutput[],
  followed: Map<ReportOutput, ParsedCommand>, endOf: Map<ParsedCommand, number>, blockOf: Map<ReportOutput, number>,
): void {
  const index = new Map(commands.map((c, i) => [c.parsed, i]));
  let c = -1;
  let previousOutput = 0;
  for (const o of outputs) {
    while (c + 1 < commands.length && commands[c + 1]!.line < o.line) c++;
    const own = followed.get(o);
    const before = c >= 0 ? commands[c]! : undefined;
    if (own) {
      o.after = index.get(own) ?? null;
    } else if (before && before.line > previousOutput && samePath(before.section, o.section) && onlyIntroBetween(doc, endOf.get(before.parsed) ?? before.line, blockOf.get(o) ?? o.line)) {
      o.after = c;
    }
    previousOutput = o.line;
  }
}

const MAX_INTRO_LINES = 2;

/** Lines strictly between are blank or markup, or a short introduction ending in `:` that names no other command. */
function onlyIntroBetween(doc: DocumentParts, after: number, before: number): boolean {
  let intro = 0;
  for (let n = after + 1; n < before; n++) {
    const role = doc.roles[n - 1];
    if (role === LineRole.Other) continue;
    const text = (doc.proseText[n - 1] ?? '').trim();
    if (role !== LineRole.Prose || !text.endsWith(':') || ++intro > MAX_INTRO_LINES) return false;
    for (const span of text.matchAll(/`([^`]+)`/g)) if (KNOWN_PROGRAM.test(span[1]!)) return false;
  }
  return true;
}

function samePath(a: SectionPath, b: SectionPath): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

function sectionLocator(doc: DocumentParts): (line: number) => SectionPath {
  const { sections } = doc;
  const top: SectionPath = [];
  return (line) => {
    let lo = 0;
    let hi = sections.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (sections[mid]!.line <= line) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? top : sections[found]!.path;
  };
}

const PLACEHOLDER = /<[A-Za-z_\u00C0-\u017F][^<>\s]{0,40}>|\b(?:your|twoj[aey]?)[-_][\w-]+/gi;

function placeholdersOf(text: string): string[] {
  return [...new Set(text.match(PLACEHOLDER) ?? [])];
}

/** Artefacts and stock phrases of chatbot answers (ChatGPT's citation markers survive a copy). */
const CHATBOT = new RegExp(
  [
    'contentReference\\[oaicite', 'oaicite:\\d', '【\\d+†', 'utm_source=chatgpt\\.com',
    '\\bjako (?:model językowy|sztuczna inteligencja)', '\\bas an ai\\b', 'i hope this helps', '\\blet me know if\\b',
    'mam nadzieję, że (?:to )?(?:pomoże|pomogło|pomoże ci|rozwiąże)', 'daj (?:mi )?znać, (?:jeśli|jeżeli|czy)',
    '\\boto (?:poprawion|kompletn|zaktualizowan|gotow)\\w*', 'chętnie pomogę', 'świetne pytanie', 'great question',
    '\\bchat ?gpt\\b',
  ].join('|'),
  'i',
);
const MAX_CHATBOT_NOTES = 20;

function notesOf(doc: DocumentParts, file: string): ReportNote[] {
  const notes: ReportNote[] = [];
  for (const b of doc.codeBlocks) {
    if (!b.closed) notes.push({ code: 'unclosed-fence', file, line: b.line, text: doc.lines[b.line - 1] ?? '' });
  }
  let chatbot = 0;
  for (const p of doc.paragraphs) {
    if (chatbot >= MAX_CHATBOT_NOTES) break;
    const lines = p.text.split('\n');
    const k = lines.findIndex((l) => CHATBOT.test(l));
    if (k < 0) continue;
    chatbot++;
    notes.push({ code: 'chatbot-text', file, line: Math.min(p.line + k, doc.lines.length), text: lines[k]!.trim().slice(0, 200) });
  }
  return notes.sort((a, b) => a.line - b.line);
}
