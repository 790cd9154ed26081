/**
 * A DOCX report as text: the main document part's paragraphs, read with yauzl. Zip bombs are
 * refused from the central directory alone (entry count, declared sizes) before anything is
 * inflated, and yauzl's validateEntrySizes cuts any entry whose data inflates past its declared
 * size, so the declared total bounds the memory used. Images the text shows come along for OCR.
 */
import path from 'node:path';
import type { Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import type { DocumentLimits } from './limits.ts';
import { documentOverLimit, imageOverLimit, type DocumentImage, type DocumentProblem } from './types.ts';

export interface DocxText {
  ok: true;
  text: string;
  images: DocumentImage[];
}

const OFFICE_DOCUMENT = /\/officeDocument$/;
const IMAGE_RELATIONSHIP = /\/image$/;

/** Reads a DOCX held in memory; stops at the reader's time limit. */
export async function readDocx(bytes: Buffer, limits: DocumentLimits): Promise<DocxText | DocumentProblem> {
  let zip: ZipFile | undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<DocumentProblem>((resolve) => {
    timer = setTimeout(() => resolve(documentOverLimit({ name: 'readerTimeMs', max: limits.readerTimeMs })), limits.readerTimeMs);
  });
  const reading = (async () => {
    try {
      zip = await yauzl.fromBufferPromise(bytes, { validateEntrySizes: true, strictFileNames: false, decodeStrings: true });
      return await readOpenDocx(zip, limits);
    } catch (error) {
      const detail = (error as Error).message;
      // validateEntrySizes: an entry inflating past (or short of) the size it declares is a forged archive.
      if (/too (?:many|few) bytes in the stream/.test(detail)) {
        return damaged('Plik DOCX zawiera dane innej wielkości, niż deklaruje (archiwum spreparowane, np. bomba ZIP); grader go nie rozpakuje.');
      }
      return damaged(`Plik DOCX jest uszkodzony albo nie jest poprawnym archiwum ZIP (${detail}).`);
    }
  })();
  try {
    return await Promise.race([reading, timeout]);
  } finally {
    clearTimeout(timer);
    zip?.close();
  }
}

async function readOpenDocx(zip: ZipFile, limits: DocumentLimits): Promise<DocxText | DocumentProblem> {
  // The count comes from the end-of-central-directory record: known before any entry is read.
  if (zip.entryCount > limits.docxEntries) return documentOverLimit({ name: 'docxEntries', max: limits.docxEntries, actual: zip.entryCount });
  const entries = new Map<string, Entry>();
  let declared = 0;
  for await (const entry of zip.eachEntry()) {
    declared += entry.uncompressedSize;
    entries.set(entry.fileName, entry);
  }
  if (declared > limits.docxUnpackedBytes) return documentOverLimit({ name: 'docxUnpackedBytes', max: limits.docxUnpackedBytes, actual: declared });
  if ([...entries.values()].some((e) => e.isEncrypted())) {
    return { ok: false, reason: 'encrypted', fault: 'submission', message: 'Plik DOCX jest zaszyfrowany; oddaj sprawozdanie bez hasła.' };
  }

  const read = async (name: string) => {
    const entry = entries.get(name);
    return entry ? (await collect(await zip.openReadStreamPromise(entry))).toString('utf8') : undefined;
  };
  const rootRels = await read('_rels/.rels');
  const mainPart = relationships(rootRels ?? '', '').find((r) => OFFICE_DOCUMENT.test(r.type))?.target ?? 'word/document.xml';
  const documentXml = await read(mainPart);
  if (documentXml === undefined) {
    return { ok: false, reason: 'unsupported-format', fault: 'submission', message: 'Archiwum nie zawiera dokumentu Word (word/document.xml); zapisz sprawozdanie jako DOCX albo PDF.' };
  }
  const partDir = path.posix.dirname(mainPart);
  const rels = relationships((await read(`${partDir}/_rels/${path.posix.basename(mainPart)}.rels`)) ?? '', partDir);
  const { text, imageIds } = wordprocessingText(documentXml);
  const images: DocumentImage[] = [];
  const extracted = new Map<string, Uint8Array>();
  for (const { id, line } of imageIds) {
    const rel = rels.find((r) => r.id === id && IMAGE_RELATIONSHIP.test(r.type));
    if (!rel) continue;
    // A linked (not embedded) picture: its address goes through the remote-image policy.
    if (rel.external) {
      images.push({ ref: rel.target, line });
      continue;
    }
    const entry = entries.get(rel.target);
    if (!entry) {
      images.push({ ref: rel.target, line, skipped: { reason: 'missing', message: `Dokument odwołuje się do obrazu ${rel.target}, którego nie ma w pliku DOCX.` } });
      continue;
    }
    if (entry.uncompressedSize > limits.imageBytes) {
      images.push({ ref: rel.target, line, skipped: imageOverLimit({ name: 'imageBytes', max: limits.imageBytes, actual: entry.uncompressedSize }) });
      continue;
    }
    if (!extracted.has(rel.target) && extracted.size >= limits.ocrImages) {
      images.push({ ref: rel.target, line, skipped: imageOverLimit({ name: 'ocrImages', max: limits.ocrImages }) });
      continue;
    }
    if (!extracted.has(rel.target)) extracted.set(rel.target, await collect(await zip.openReadStreamPromise(entry)));
    images.push({ ref: rel.target, line, bytes: extracted.get(rel.target)! });
  }
  return { ok: true, text, images };
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

interface Relationship {
  id: string;
  type: string;
  /** Zip entry name for an internal target, the address as written for an external one. */
  target: string;
  external: boolean;
}

/** A .rels part's relationships; internal targets resolved against the folder of the part they belong to. */
function relationships(xml: string, partDir: string): Relationship[] {
  const out: Relationship[] = [];
  for (const [, attributes] of xml.matchAll(/<(?:[\w.-]+:)?Relationship\b([^>]*)>/g)) {
    const attr = attributesOf(attributes!);
    if (!attr.Id || !attr.Target) continue;
    const external = attr.TargetMode === 'External';
    const target = external
      ? attr.Target
      : attr.Target.startsWith('/')
        ? attr.Target.slice(1)
        : path.posix.normalize(path.posix.join(partDir, attr.Target));
    out.push({ id: attr.Id, type: attr.Type ?? '', target, external });
  }
  return out;
}

function attributesOf(source: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [, name, double, single] of source.matchAll(/([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    out[name!] = decodeXml(double ?? single ?? '');
  }
  return out;
}

/**
 * WordprocessingML to plain text: a line per paragraph, tabs and line breaks inside runs kept;
 * deleted text, field codes and the fallback copy of alternate content left out. Each picture's
 * relationship id comes with the line it stands on (its own line after its paragraph's text).
 */
export function wordprocessingText(xml: string): { text: string; imageIds: { id: string; line: number }[] } {
  const lines: string[] = [];
  const imageIds: { id: string; line: number }[] = [];
  let paragraph = '';
  let pictures: string[] = [];
  let inText = 0;
  let inRun = 0;
  let inFallback = 0;
  const endParagraph = () => {
    if (paragraph !== '' || pictures.length === 0) lines.push(...paragraph.split('\n'));
    for (const id of pictures) {
      imageIds.push({ id, line: lines.length + 1 });
      lines.push(`[obraz ${imageIds.length}]`);
    }
    paragraph = '';
    pictures = [];
  };
  for (const [token] of xml.matchAll(/<[^>]*>|[^<]+/g)) {
    if (!token.startsWith('<')) {
      if (inText > 0 && inFallback === 0) paragraph += decodeXml(token);
      continue;
    }
    const tag = /^<(\/?)(?:[\w.-]+:)?([\w.-]+)/.exec(token);
    if (!tag) continue; // comment, processing instruction, declaration
    const closing = tag[1] === '/';
    const selfClosing = token.endsWith('/>');
    const name = tag[2]!;
    const step = closing ? -1 : selfClosing ? 0 : 1;
    switch (name) {
      case 't':
        inText += step;
        break;
      case 'r':
        inRun += step;
        break;
      case 'Fallback':
        inFallback += step;
        break;
      case 'p':
        if (closing && inFallback === 0) endParagraph();
        break;
      case 'tab':
        // A tab inside a run is a character; in paragraph properties it defines a tab stop.
        if (inRun > 0 && inFallback === 0) paragraph += '\t';
        break;
      case 'br':
      case 'cr':
        if (inRun > 0 && inFallback === 0) paragraph += '\n';
        break;
      case 'noBreakHyphen':
        if (inFallback === 0) paragraph += '-';
        break;
      case 'blip':
      case 'imagedata': {
        // r:embed / r:link on DrawingML pictures, r:id on VML ones; the prefix is the document's choice.
        const attr = Object.entries(attributesOf(token));
        const id = ['embed', 'link', 'id'].map((local) => attr.find(([k]) => k.endsWith(`:${local}`))?.[1]).find(Boolean);
        if (id && inFallback === 0) pictures.push(id);
        break;
      }
    }
  }
  if (paragraph !== '' || pictures.length > 0) endParagraph();
  return { text: lines.join('\n'), imageIds };
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeXml(text: string): string {
  return text.replace(/&(?:#x([0-9a-f]+)|#(\d+)|(\w+));/gi, (whole, hex?: string, dec?: string, name?: string) => {
    if (name !== undefined) return ENTITIES[name] ?? whole;
    const code = hex !== undefined ? Number.parseInt(hex, 16) : Number(dec);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

function damaged(message: string): DocumentProblem {
  return { ok: false, reason: 'damaged', fault: 'submission', message };
}
