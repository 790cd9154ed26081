/**
 * A report file of the repository as numbered lines of text: Markdown or plain text as written,
 * PDF through poppler-utils, DOCX through yauzl. The format is recognised by the file's bytes,
 * not its name. Sizes and times are bounded (limits.ts); every outcome is a typed result.
 */
import path from 'node:path';
import { readDocx } from './docx.ts';
import { locateInside, readAtMost } from './files.ts';
import { effectiveLimits, type DocumentLimits } from './limits.ts';
import { readPdf } from './pdf.ts';
import { documentOverLimit, type DocumentImage, type DocumentKind, type DocumentLine, type DocumentProblem, type DocumentResult, type DocumentText } from './types.ts';
import type { ReportTextInput } from '../student-report/types.ts';

export interface ReadDocumentOptions {
  /** The repository: the report must be inside it, symlinks included. */
  root: string;
  limits?: Partial<DocumentLimits>;
  signal?: AbortSignal;
}

/** Reads the report at `file` (absolute, or relative to `root`). */
export async function readDocument(file: string, options: ReadDocumentOptions): Promise<DocumentResult> {
  const started = performance.now();
  const limits = effectiveLimits(options.limits);
  const shown = path.relative(options.root, path.resolve(options.root, file)) || file;
  const located = await locateInside(options.root, path.resolve(options.root, file));
  if (!located.ok) {
    const message = {
      missing: `Nie ma pliku sprawozdania „${shown}” w repozytorium.`,
      'not-a-file': `„${shown}” nie jest zwykłym plikiem, więc nie może być sprawozdaniem.`,
      'outside-repository': `Sprawozdanie „${shown}” leży poza repozytorium (np. dowiązanie symboliczne na zewnątrz); grader czyta tylko pliki repozytorium.`,
    }[located.reason];
    return problem(located.reason, message);
  }
  if (located.size > limits.reportBytes) return documentOverLimit({ name: 'reportBytes', max: limits.reportBytes, actual: located.size });
  const bytes = await readAtMost(located.real, limits.reportBytes + 1);
  if (bytes.length > limits.reportBytes) return documentOverLimit({ name: 'reportBytes', max: limits.reportBytes });

  const done = (kind: DocumentKind, lines: DocumentLine[], rest: { pages?: number; confidence?: 'text' | 'ocr'; images?: DocumentImage[] } = {}): DocumentResult => ({
    ok: true,
    kind,
    text: lines.map((l) => l.text).join('\n'),
    lines,
    ...(rest.pages !== undefined && { pages: rest.pages }),
    confidence: rest.confidence ?? 'text',
    images: rest.images ?? [],
    durationMs: Math.round(performance.now() - started),
  });

  const format = detectFormat(bytes);
  switch (format) {
    case 'pdf': {
      const read = await readPdf(located.real, {
        limits,
        deadline: started + limits.readerTimeMs,
        signal: options.signal,
        root: options.root,
        reportDir: path.dirname(located.real),
      });
      return read.ok ? done('pdf', read.lines, read) : read;
    }
    case 'zip': {
      const read = await readDocx(bytes, limits);
      return read.ok ? done('docx', numbered(read.text), { images: read.images }) : read;
    }
    case 'text': {
      const text = decodeText(bytes);
      return text === undefined
        ? problem('unsupported-format', `Plik „${shown}” nie jest tekstem, PDF ani DOCX; oddaj sprawozdanie w Markdown, PDF albo DOCX.`)
        : done('text', numbered(text));
    }
    default:
      return problem('unsupported-format', UNSUPPORTED[format]);
  }
}

type Format = 'pdf' | 'zip' | 'text' | 'ole' | 'rtf' | 'image';

const UNSUPPORTED: Record<Exclude<Format, 'pdf' | 'zip' | 'text'>, string> = {
  ole: 'Sprawozdanie jest w formacie Word 97–2003 (DOC) albo zabezpieczone hasłem; zapisz je jako DOCX bez hasła albo PDF.',
  rtf: 'Format RTF nie jest obsługiwany; zapisz sprawozdanie jako DOCX, PDF albo Markdown.',
  image: 'Sprawozdanie jest samym obrazem; oddaj je w Markdown, PDF albo DOCX, a zrzuty ekranu wstaw do środka.',
};

/** The format by the file's first bytes (PDF allows junk before "%PDF-" within its first KiB). */
function detectFormat(bytes: Buffer): Format {
  const head = bytes.subarray(0, 1024).toString('latin1');
  if (head.includes('%PDF-')) return 'pdf';
  if (head.startsWith('PK\x03\x04')) return 'zip';
  if (head.startsWith('\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1')) return 'ole';
  if (head.startsWith('{\\rtf')) return 'rtf';
  if (/^(?:\x89PNG|\xff\xd8\xff|GIF8|RIFF....WEBP)/s.test(head)) return 'image';
  return 'text';
}

/**
 * Text in UTF-8 (with or without a BOM), UTF-16 with a BOM (Windows "Unicode"), or else
 * Windows-1250 (older Polish Windows editors); undefined for binary data.
 */
export function decodeText(bytes: Uint8Array): string | undefined {
  let text: string;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) text = new TextDecoder('utf-16le').decode(bytes.subarray(2));
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) text = new TextDecoder('utf-16be').decode(bytes.subarray(2));
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      text = new TextDecoder('windows-1250').decode(bytes);
    }
  }
  if (text.includes('\0')) return undefined;
  return text.replace(/\r\n?/g, '\n');
}

function numbered(text: string): DocumentLine[] {
  return text.split('\n').map((line, i) => ({ number: i + 1, text: line }));
}

function problem(reason: DocumentProblem['reason'], message: string): DocumentProblem {
  return { ok: false, reason, fault: 'submission', message };
}

/** Where a line is, in Polish, as evidence cites it: "strona 2, wiersz 5" in a PDF, else "wiersz 14". */
/** The line number each page of a PDF starts on, page 1 first; empty for other documents. */
export function pageStartsOf(lines: readonly DocumentLine[]): number[] {
  const starts: number[] = [];
  // A page without text starts where the next text does, so later pages keep their numbers.
  for (const line of lines) while (line.page !== undefined && starts.length < line.page) starts.push(line.number);
  return starts;
}

/** A read document as the report reader takes it: Markdown by extension, what it was extracted from, PDF pages. */
export function reportTextInput(file: string, doc: DocumentText): ReportTextInput {
  return {
    file,
    text: doc.text,
    format: doc.kind === 'text' && /\.(?:md|markdown)$/i.test(file) ? 'markdown' : 'plain',
    ...(doc.kind === 'pdf' || doc.kind === 'docx' ? { extractedFrom: doc.kind } : {}),
    ...(doc.confidence === 'ocr' ? { extractedFrom: 'ocr' as const } : {}),
    ...(doc.kind === 'pdf' ? { pageStarts: pageStartsOf(doc.lines) } : {}),
  };
}

export function lineLabel(line: DocumentLine): string {
  return line.page !== undefined && line.pageLine !== undefined ? `strona ${line.page}, wiersz ${line.pageLine}` : `wiersz ${line.number}`;
}
