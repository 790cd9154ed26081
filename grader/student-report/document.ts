/**
 * The structure of a report before anything is interpreted: headings, paragraphs, code blocks,
 * inline code, images, and which lines are prose, code or table. Markdown goes through
 * markdown-it's token stream with raw HTML off, so a tag stays text (an `<img>` tag is still read
 * as an image: GitHub writes pasted screenshots that way); plain text is cut into paragraphs at
 * blank lines.
 */
import MarkdownIt, { type Token } from 'markdown-it';
import { classifyOutputLine } from './output-lines.ts';

/** How a line takes part in finding pasted output in prose. */
export const LineRole = {
  /** Blank, or markup only (a setext underline, a thematic break): does not end an output run. */
  Other: 0,
  Prose: 1,
  Code: 2,
  /** A table row: never output, ends a run. */
  Table: 3,
} as const;
type LineRoleValue = (typeof LineRole)[keyof typeof LineRole];

export interface DocSection {
  line: number;
  level: number | null;
  title: string;
  path: string[];
}

export interface DocCodeBlock {
  line: number;
  contentLine: number;
  endLine: number;
  info: string;
  lang: string;
  lines: string[];
  fenced: boolean;
  closed: boolean;
}

/** Inline text as written (markup kept) starting at a line: where prose commands are looked for. */
export interface DocText {
  line: number;
  text: string;
}

export interface DocumentParts {
  /** Lines of the normalised text (index 0 = line 1). */
  lines: string[];
  sections: DocSection[];
  paragraphs: { line: number; endLine: number; text: string }[];
  codeBlocks: DocCodeBlock[];
  inlineCode: DocText[];
  images: { line: number; alt: string; src: string; via: 'markdown' | 'html' }[];
  /** Text outside code blocks, per block (paragraph, heading, table cell). */
  texts: DocText[];
  /** Per line (index 0 = line 1): its prose text with block markers (`> `, list bullets) removed. */
  proseText: (string | undefined)[];
  roles: Uint8Array;
}

/**
 * A line that starts a section without being a Markdown heading, as students write them:
 * "Etap 1 - wieloplatformowy obraz", "Zadanie 2:", "Krok 3.". A sentence ("Zadanie 1 polegało
 * na ...") has no separator after the number, so it is not one.
 */
const PSEUDO_HEADING = /^(?:Etap|Zadanie|Krok|Część|Cz\.|Punkt|Ćwiczenie|Budowanie|Build|Step|Task|Stage)\s+(?:nr\.?\s*)?(?:\d{1,3}|[IVX]{1,5})[a-z]?(?:\s*[:.)\-–—]\s*[^\n]{0,80})?\s*$/i;
const MAX_TITLE = 200;

export function pseudoHeading(line: string): string | null {
  const text = line.trim().replace(/^(\*\*|__)(.*)\1$/, '$2').trim();
  return text.length <= 100 && PSEUDO_HEADING.test(text) ? text : null;
}

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });

export function markdownParts(lines: string[]): DocumentParts {
  const doc = emptyParts(lines);
  const tokens = md.parse(lines.join('\n'), {});
  const headings: { level: number; title: string }[] = [];
  const realPath = () => headings.map((h) => h.title);
  let lastMap: [number, number] = [0, 1];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.map) lastMap = t.map;
    if (t.type === 'fence' || t.type === 'code_block') {
      codeBlock(doc, t);
      continue;
    }
    if (t.type === 'tr_open' && t.map) mark(doc, t.map[0] + 1, t.map[1], LineRole.Table);
    if (t.type !== 'inline') continue;
    const parent = tokens[i - 1]?.type ?? '';
    const base = (t.map ?? lastMap)[0] + 1;
    const content = t.content;
    const contentLines = content.split('\n');
    const children = t.children ?? [];
    doc.texts.push({ line: base, text: content });
    inlineItems(doc, children, base, t.map ? t.map[1] : base);
    htmlImages(doc, content, base);
    if (parent !== 'heading_open' && parent !== 'paragraph_open') continue;
    contentLines.forEach((text, k) => {
      const n = base + k;
      if (n > lines.length) return;
      doc.proseText[n - 1] = text;
      doc.roles[n - 1] = LineRole.Prose;
    });
    if (parent === 'heading_open') {
      const title = plainText(children);
      // A pasted log line over `------` is a setext heading to Markdown, not a section.
      if (title === '' || contentLines.some((l) => classifyOutputLine(l) !== null)) continue;
      const level = Number(tokens[i - 1]!.tag.slice(1));
      while (headings.length && headings.at(-1)!.level >= level) headings.pop();
      headings.push({ level, title });
      doc.sections.push({ line: base, level, title, path: realPath() });
    } else {
      doc.paragraphs.push({ line: base, endLine: Math.min(base + contentLines.length - 1, lines.length), text: content });
      const title = boldLine(children) ?? pseudoHeading(contentLines[0] ?? '');
      if (title) doc.sections.push({ line: base, level: null, title, path: [...realPath(), title] });
    }
  }
  return doc;
}

/** Plain text (a .txt report, text extracted from PDF/DOCX/OCR): paragraphs between blank lines. */
export function plainParts(lines: string[]): DocumentParts {
  const doc = emptyParts(lines);
  doc.texts.push({ line: 1, text: lines.join('\n') });
  let start = -1;
  lines.forEach((text, i) => {
    const blank = text.trim() === '';
    if (!blank) {
      doc.proseText[i] = text;
      doc.roles[i] = LineRole.Prose;
      if (start < 0) {
        start = i;
        const title = pseudoHeading(text);
        if (title) doc.sections.push({ line: i + 1, level: null, title, path: [title] });
      }
    }
    if ((blank || i === lines.length - 1) && start >= 0) {
      const end = blank ? i - 1 : i;
      doc.paragraphs.push({ line: start + 1, endLine: end + 1, text: lines.slice(start, end + 1).join('\n') });
      start = -1;
    }
  });
  return doc;
}

function emptyParts(lines: string[]): DocumentParts {
  return {
    lines,
    sections: [],
    paragraphs: [],
    codeBlocks: [],
    inlineCode: [],
    images: [],
    texts: [],
    proseText: new Array<string | undefined>(lines.length),
    roles: new Uint8Array(lines.length),
  };
}

function mark(doc: DocumentParts, from: number, to: number, role: LineRoleValue): void {
  for (let n = Math.max(1, from); n <= Math.min(to, doc.lines.length); n++) doc.roles[n - 1] = role;
}

function codeBlock(doc: DocumentParts, t: Token): void {
  const [open, end] = t.map ?? [0, 0];
  const fenced = t.type === 'fence';
  const contentLine = fenced ? open + 2 : open + 1;
  const body = t.content.endsWith('\n') ? t.content.slice(0, -1) : t.content;
  const lines = body === '' ? [] : body.split('\n');
  const info = fenced ? t.info.trim() : '';
  // markdown-it runs an unclosed fence to the end of its container: its last line is then content.
  const last = doc.lines[end - 1] ?? '';
  const closer = /^[\s>]*(`{3,}|~{3,})\s*$/.exec(last)?.[1];
  const closed = !fenced || (end - 1 > open && closer !== undefined && closer[0] === t.markup[0] && closer.length >= t.markup.length);
  doc.codeBlocks.push({
    line: open + 1,
    contentLine,
    endLine: Math.max(open + 1, end),
    info,
    lang: (info.split(/\s+/)[0] ?? '').toLowerCase(),
    lines,
    fenced,
    closed,
  });
  mark(doc, open + 1, end, LineRole.Code);
}

/** Inline code and images, each on the line its soft/hard breaks say (kept inside the block). */
function inlineItems(doc: DocumentParts, children: Token[], base: number, lastLine: number): void {
  let offset = 0;
  const lineNow = () => Math.min(base + offset, Math.max(base, lastLine), doc.lines.length);
  for (const c of children) {
    if (c.type === 'softbreak' || c.type === 'hardbreak') offset++;
    else if (c.type === 'code_inline') doc.inlineCode.push({ line: lineNow(), text: c.content });
    else if (c.type === 'image') doc.images.push({ line: lineNow(), alt: c.content, src: c.attrGet('src') ?? '', via: 'markdown' });
  }
}

// GitHub writes a pasted screenshot as `<img width="..." alt="..." src="https://github.com/user-attachments/assets/...">`.
// `[^<>]`: an attempt stops at the next `<`, so a run of unclosed tags costs linear time.
const IMG_TAG = /<img\b[^<>]{0,2000}>/gi;
const SRC_ATTR = /\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i;
const ALT_ATTR = /\salt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i;

function htmlImages(doc: DocumentParts, content: string, base: number): void {
  if (!content.includes('<')) return;
  let offset = 0;
  let scanned = 0;
  for (const m of content.matchAll(IMG_TAG)) {
    for (let i = content.indexOf('\n', scanned); i >= 0 && i < m.index!; i = content.indexOf('\n', i + 1)) offset++;
    scanned = m.index!;
    const src = SRC_ATTR.exec(m[0]);
    if (!src) continue;
    const alt = ALT_ATTR.exec(m[0]);
    doc.images.push({ line: Math.min(base + offset, doc.lines.length), alt: alt?.[1] ?? alt?.[2] ?? alt?.[3] ?? '', src: src[1] ?? src[2] ?? src[3] ?? '', via: 'html' });
  }
}

function plainText(children: Token[]): string {
  let s = '';
  for (const c of children) {
    if (c.type === 'text' || c.type === 'code_inline') s += c.content;
    else if (c.type === 'softbreak' || c.type === 'hardbreak') s += ' ';
    if (s.length > MAX_TITLE) break;
  }
  return s.trim().slice(0, MAX_TITLE);
}

/** A paragraph that is one bold line (`**Zadanie 2**`): a heading for students who never write `#`. */
function boldLine(children: Token[]): string | null {
  const first = children[0];
  const last = children.at(-1);
  if (first?.type !== 'strong_open' || last?.type !== 'strong_close') return null;
  if (children.some((c) => c.type === 'softbreak' || c.type === 'hardbreak' || c.type === 'strong_open' && c !== first)) return null;
  const title = plainText(children.slice(1, -1));
  return title !== '' && title.length <= 80 ? title : null;
}
