/**
 * A PDF report as text with Debian's poppler-utils: pdfinfo (pages, password), pdftotext -layout
 * (pages split at form feeds, so evidence can say "strona N"), pdfimages for the screenshots it
 * holds. A PDF without a text layer (a scan, a printed screenshot) is rendered page by page with
 * pdftoppm and read by OCR instead. Every tool runs within what is left of the reader's time.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { run, type ExecResult } from '../util/exec.ts';
import { makeTempDir } from '../util/temp-dir.ts';
import type { DocumentLimits } from './limits.ts';
import { ocrImages } from './ocr.ts';
import { documentOverLimit, imageOverLimit, type DocumentImage, type DocumentLine, type DocumentProblem, type ImageProblem } from './types.ts';

export interface PdfContext {
  limits: DocumentLimits;
  /** performance.now() by which the reader must be done. */
  deadline: number;
  signal?: AbortSignal;
  /** The repository and the report's folder, for OCR of a PDF without text. */
  root: string;
  reportDir: string;
}

export interface PdfText {
  ok: true;
  lines: DocumentLine[];
  pages: number;
  confidence: 'text' | 'ocr';
  images: DocumentImage[];
}

/** Fewer visible characters than this per page on average: the PDF has no text layer to speak of. */
const MIN_TEXT_PER_PAGE = 20;
/** Smaller images are icons, bullets or rules, not screenshots. */
const MIN_SCREENSHOT_WIDTH = 100;
const MIN_SCREENSHOT_HEIGHT = 24;
/** Long side of a page rendered for OCR: about 170 dpi on A4, whatever size the page claims. */
const RENDER_LONG_SIDE = 2000;

export async function readPdf(file: string, ctx: PdfContext): Promise<PdfText | DocumentProblem> {
  const info = await poppler('pdfinfo', [file], ctx);
  if (!info.ok) return info;
  const pages = Number(/^Pages:\s+(\d+)/m.exec(info.result.stdout)?.[1] ?? 0);
  if (pages > ctx.limits.pdfPages) return documentOverLimit({ name: 'pdfPages', max: ctx.limits.pdfPages, actual: pages });
  const extracted = await poppler('pdftotext', ['-layout', '-enc', 'UTF-8', '-eol', 'unix', file, '-'], ctx, ctx.limits.textBytes);
  if (!extracted.ok) return extracted;
  // pdftotext ends every page with a form feed.
  const pageTexts = extracted.result.stdout.split('\f');
  if (pageTexts.length > 1 && pageTexts.at(-1)!.trim() === '') pageTexts.pop();
  const visible = pageTexts.join('').replace(/\s/g, '').length;
  if (visible < MIN_TEXT_PER_PAGE * Math.max(1, pages)) return readScanned(file, pages, ctx);

  const lines = numberLines(pageTexts.map((t) => t.split('\n')));
  return { ok: true, lines, pages, confidence: 'text', images: await screenshots(file, lines, ctx) };
}

/** Lines numbered through the document, each with its page and its line on that page. */
function numberLines(pages: string[][]): DocumentLine[] {
  const lines: DocumentLine[] = [];
  pages.forEach((pageLines, index) => {
    // -layout pads the bottom of a page with blank lines before its footer; the last ones carry nothing.
    while (pageLines.length > 1 && pageLines.at(-1)!.trim() === '') pageLines.pop();
    pageLines.forEach((text, i) => lines.push({ number: lines.length + 1, text: text.trimEnd(), page: index + 1, pageLine: i + 1 }));
  });
  return lines;
}

const firstLineOf = (lines: DocumentLine[], page: number) => lines.find((l) => l.page === page)?.number ?? 1;

interface ListedImage {
  page: number;
  /** Position among the images of its page, as pdfimages numbers the files of one page. */
  indexOnPage: number;
  type: string;
  width: number;
  height: number;
  object: string;
}

/**
 * The screenshots of a text PDF, for OCR: first ones in page order up to the count limit. They
 * only add to the text: a PDF whose images cannot even be listed still gives its text.
 */
async function screenshots(file: string, lines: DocumentLine[], ctx: PdfContext): Promise<DocumentImage[]> {
  const listed = await poppler('pdfimages', ['-list', file], ctx);
  if (!listed.ok) return [];
  const all = parseImageList(listed.result.stdout);
  const { limits } = ctx;
  const images: DocumentImage[] = [];
  const byPage = new Map<number, { image: ListedImage; output: DocumentImage }[]>();
  const seen = new Set<string>();
  let chosen = 0;
  for (const image of all) {
    // The same image object drawn twice is read once.
    if (image.type !== 'image' || image.width < MIN_SCREENSHOT_WIDTH || image.height < MIN_SCREENSHOT_HEIGHT || seen.has(image.object)) continue;
    seen.add(image.object);
    const output: DocumentImage = { ref: `strona ${image.page}, obraz ${image.indexOnPage + 1}`, line: firstLineOf(lines, image.page), page: image.page };
    images.push(output);
    if (chosen >= limits.ocrImages) output.skipped = imageOverLimit({ name: 'ocrImages', max: limits.ocrImages });
    else {
      chosen++;
      byPage.set(image.page, [...(byPage.get(image.page) ?? []), { image, output }]);
    }
  }
  if (byPage.size === 0) return images;

  const dir = await makeTempDir('pdf-images-');
  let failed: ImageProblem | undefined;
  try {
    for (const [page, wanted] of byPage) {
      // Past a failure (the reader's time is up, the file is damaged) the remaining images share its reason.
      if (failed) {
        for (const { output } of wanted) output.skipped = failed;
        continue;
      }
      // pdfimages writes every image of the page, masks included: together they stay within one image's pixels.
      const pixels = all.filter((i) => i.page === page).reduce((sum, i) => sum + i.width * i.height, 0);
      if (pixels > limits.imagePixels) {
        for (const { output } of wanted) output.skipped = imageOverLimit({ name: 'imagePixels', max: limits.imagePixels });
        continue;
      }
      const prefix = path.join(dir, `p${page}`);
      const extracted = await poppler('pdfimages', ['-png', '-f', String(page), '-l', String(page), file, prefix], ctx);
      if (!extracted.ok) {
        failed = extracted.limit ? imageOverLimit(extracted.limit) : { reason: 'damaged', message: extracted.message };
        for (const { output } of wanted) output.skipped = failed;
        continue;
      }
      const files = new Set(await readdir(dir));
      for (const { image, output } of wanted) {
        const name = `p${page}-${String(image.indexOnPage).padStart(3, '0')}.png`;
        const size = files.has(name) ? (await stat(path.join(dir, name))).size : undefined;
        if (size === undefined) output.skipped = { reason: 'damaged', message: 'Nie udało się wydobyć obrazu z pliku PDF.' };
        else if (size > limits.imageBytes) output.skipped = imageOverLimit({ name: 'imageBytes', max: limits.imageBytes, actual: size });
        else output.bytes = await readFile(path.join(dir, name));
      }
      for (const name of files) await rm(path.join(dir, name), { force: true });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return images;
}

/** `pdfimages -list`: a header, a rule, then one row per image drawn. */
export function parseImageList(stdout: string): ListedImage[] {
  const out: ListedImage[] = [];
  const perPage = new Map<number, number>();
  for (const row of stdout.split('\n').slice(2)) {
    const cells = row.trim().split(/\s+/);
    const page = Number(cells[0]);
    if (!Number.isInteger(page) || page < 1 || cells.length < 5) continue;
    // Every row counts for the numbering, whatever it is.
    const indexOnPage = perPage.get(page) ?? 0;
    perPage.set(page, indexOnPage + 1);
    // An inline image has no object number ("[inline]"): never the same as another.
    const object = cells[10] === '[inline]' || cells[11] === undefined ? `inline ${page} ${indexOnPage}` : `${cells[10]} ${cells[11]}`;
    out.push({ page, indexOnPage, type: cells[2]!, width: Number(cells[3]), height: Number(cells[4]), object });
  }
  return out;
}

/** A PDF without text: each page rendered and read by OCR, up to the OCR limits; the rest listed for the instructor. */
async function readScanned(file: string, pages: number, ctx: PdfContext): Promise<PdfText | DocumentProblem> {
  const { limits } = ctx;
  const rendered: { page: number; bytes: Uint8Array }[] = [];
  const dir = await makeTempDir('pdf-pages-');
  try {
    for (let page = 1; page <= Math.min(pages, limits.ocrImages); page++) {
      const prefix = path.join(dir, `page-${page}`);
      const args = ['-png', '-scale-to', String(RENDER_LONG_SIDE), '-f', String(page), '-l', String(page), '-singlefile', file, prefix];
      const done = await poppler('pdftoppm', args, ctx);
      if (!done.ok) return done;
      rendered.push({ page, bytes: await readFile(`${prefix}.png`) });
      await rm(`${prefix}.png`, { force: true });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const read = await ocrImages(
    rendered.map(({ page, bytes }) => ({ ref: `strona ${page}`, page, bytes })),
    { root: ctx.root, reportDir: ctx.reportDir, limits, signal: ctx.signal },
  );
  const pageLines = Array.from({ length: Math.max(1, pages) }, (_, i) => {
    const result = read[i];
    return result?.status === 'read' ? result.lines : [''];
  });
  const lines = numberLines(pageLines);
  const images: DocumentImage[] = [];
  for (let page = 1; page <= pages; page++) {
    const result = read[page - 1];
    if (result?.status === 'read') continue;
    const skipped: ImageProblem = result
      ? { reason: result.reason, message: result.message, ...(result.limit && { limit: result.limit }) }
      : imageOverLimit({ name: 'ocrImages', max: limits.ocrImages });
    images.push({ ref: `strona ${page}`, page, line: firstLineOf(lines, page), skipped });
  }
  return { ok: true, lines, pages, confidence: 'ocr', images };
}

/** A poppler tool within the reader's time; its failures as the student's or the grader's problem. */
async function poppler(
  tool: 'pdfinfo' | 'pdftotext' | 'pdfimages' | 'pdftoppm',
  args: string[],
  ctx: PdfContext,
  maxBuffer?: number,
): Promise<{ ok: true; result: ExecResult } | DocumentProblem> {
  const left = Math.floor(ctx.deadline - performance.now());
  if (left <= 0) return documentOverLimit({ name: 'readerTimeMs', max: ctx.limits.readerTimeMs });
  const result = await run(tool, args, { timeoutMs: left, signal: ctx.signal, ...(maxBuffer && { maxBuffer }) });
  if (result.cancelled) throw ctx.signal?.reason ?? new Error(`${tool} cancelled`);
  // execa kills a command whose output passes maxBuffer and reports it like a failed start.
  if (maxBuffer && result.stdout.length >= maxBuffer) return documentOverLimit({ name: 'textBytes', max: maxBuffer });
  if (result.spawnError) {
    return {
      ok: false,
      reason: 'tool-missing',
      fault: 'grader',
      message: `Na komputerze prowadzącego nie ma programu ${tool} (pakiet poppler-utils), więc sprawozdania w PDF nie da się odczytać; zainstaluj go (npm run setup).`,
    };
  }
  if (result.timedOut) return documentOverLimit({ name: 'readerTimeMs', max: ctx.limits.readerTimeMs });
  if (result.exitCode === 0) return { ok: true, result };
  const detail = result.stderr.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 2).join(' ');
  // pdfinfo and pdftotext exit with 1 when a password is needed, 3 when copying text is forbidden.
  if (/incorrect password/i.test(detail) || result.exitCode === 3) {
    return { ok: false, reason: 'encrypted', fault: 'submission', message: 'Plik PDF jest zabezpieczony hasłem albo zabrania kopiowania tekstu; oddaj sprawozdanie bez zabezpieczeń.' };
  }
  return { ok: false, reason: 'damaged', fault: 'submission', message: `Plik PDF jest uszkodzony i nie da się go odczytać${detail ? ` (${tool}: ${detail})` : ''}.` };
}
