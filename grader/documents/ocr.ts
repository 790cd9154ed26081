/**
 * OCR of the images a report shows, with Debian's tesseract-ocr (Polish and English data).
 * Each image is bounded in size, pixels and time, the report in image count and total time;
 * what cannot be read is a result ("do sprawdzenia ręcznie"), never an exception.
 */
import { rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import { run } from '../util/exec.ts';
import { makeTempDir } from '../util/temp-dir.ts';
import { IMAGE_EXTENSIONS, type ImageFormat } from './image-format.ts';
import { imageKey, imageOrigin, loadImage, type ImageSourceOptions } from './image-source.ts';
import { effectiveLimits, type DocumentLimits, type LimitHit } from './limits.ts';
import { imageOverLimit, type ImageInput, type ImageOcr, type ImageProblem } from './types.ts';

export const OCR_LANGUAGES = ['pol', 'eng'] as const;
const TESSERACT = 'tesseract';
/** Below this mean word confidence tesseract's text is noise (a photo, a diagram), not evidence. */
export const MIN_MEAN_CONFIDENCE = 30;

export type OcrAvailability = { ok: true } | { ok: false; message: string };

/** Whether tesseract and its Polish and English data are installed (message in Polish, for the instructor). */
export async function ocrAvailability(signal?: AbortSignal): Promise<OcrAvailability> {
  const result = await run(TESSERACT, ['--list-langs'], { timeoutMs: 10_000, signal });
  if (result.spawnError || result.exitCode !== 0) {
    return { ok: false, message: 'Na komputerze prowadzącego nie ma programu tesseract (OCR); zainstaluj pakiety tesseract-ocr, tesseract-ocr-pol i tesseract-ocr-eng (npm run setup).' };
  }
  // The first line is a header: 'List of available languages in "…" (3):'.
  const installed = new Set(`${result.stdout}\n${result.stderr}`.split('\n').slice(1).map((l) => l.trim()));
  const missing = OCR_LANGUAGES.filter((lang) => !installed.has(lang));
  if (missing.length > 0) {
    return { ok: false, message: `Program tesseract (OCR) nie ma danych języka ${missing.join(', ')}; zainstaluj ${missing.map((l) => `tesseract-ocr-${l}`).join(' i ')}.` };
  }
  return { ok: true };
}

export type OcrOptions = Omit<ImageSourceOptions, 'limits'> & { limits?: Partial<DocumentLimits> };

/** One result per input, in order; inputs naming the same image share one OCR (each keeps its own place). */
export async function ocrImages(inputs: readonly ImageInput[], options: OcrOptions): Promise<ImageOcr[]> {
  const limits = effectiveLimits(options.limits);
  const sourceOptions: ImageSourceOptions = { ...options, limits };
  const remoteEnabled = options.remote?.enabled ?? false;
  const unique = new Map<unknown, ImageInput>();
  const keys = inputs.map((input) => {
    const key = imageKey(input, options);
    if (!unique.has(key)) unique.set(key, input);
    return key;
  });

  // Count limits go by the order of the report: the first images are read, later ones skipped.
  let counted = 0;
  let remote = 0;
  const planned = new Map<unknown, { input: ImageInput; refusedByAddress: boolean; skip?: ImageProblem }>();
  for (const [key, input] of unique) {
    const origin = imageOrigin(input);
    // Refused from the reference alone (the reason comes from loadImage): no OCR slot used.
    const refusedByAddress = origin === 'unsupported' || (origin === 'remote' && !remoteEnabled);
    let skip = input.skipped;
    if (!skip && !refusedByAddress) {
      if (counted >= limits.ocrImages) skip = imageOverLimit({ name: 'ocrImages', max: limits.ocrImages });
      else if (origin === 'remote' && remote >= limits.remoteImages) skip = imageOverLimit({ name: 'remoteImages', max: limits.remoteImages });
      else {
        counted++;
        if (origin === 'remote') remote++;
      }
    }
    planned.set(key, { input, refusedByAddress, skip });
  }

  const needsOcr = [...planned.values()].some((p) => !p.skip);
  const availability: OcrAvailability = needsOcr ? await ocrAvailability(options.signal) : { ok: true };
  const deadline = performance.now() + limits.ocrTotalTimeMs;
  let tempDir: Promise<string> | undefined;
  const workDir = () => (tempDir ??= makeTempDir('ocr-'));

  const ocrOne = async ({ input, refusedByAddress, skip }: { input: ImageInput; refusedByAddress: boolean; skip?: ImageProblem }, index: number): Promise<ImageOcr> => {
    const base = placeOf(input);
    if (skip) return { ...base, status: 'skipped', ...skip };
    if (!availability.ok && !refusedByAddress) return { ...base, status: 'unreadable', reason: 'ocr-missing', message: availability.message };
    if (performance.now() >= deadline) return { ...base, status: 'skipped', ...imageOverLimit({ name: 'ocrTotalTimeMs', max: limits.ocrTotalTimeMs }) };
    const loaded = await loadImage(input, sourceOptions);
    if (!loaded.ok) return { ...base, status: loaded.status, ...loaded.problem };
    // Our own file name and extension: tesseract never sees a name or path the student chose.
    const file = path.join(await workDir(), `image-${index}.${IMAGE_EXTENSIONS[loaded.format.type]}`);
    await writeFile(file, loaded.bytes);
    try {
      const read = await readImageFile(file, loaded.format, limits, deadline, options.signal);
      return read.ok ? { ...base, status: 'read', confidence: 'ocr', ...read.value } : { ...base, status: 'unreadable', ...read.problem };
    } finally {
      await rm(file, { force: true });
    }
  };

  const limit = pLimit(Math.max(1, Math.min(4, availableParallelism())));
  try {
    const results = new Map<unknown, ImageOcr>();
    await Promise.all([...planned].map(([key, plan], index) => limit(async () => void results.set(key, await ocrOne(plan, index)))));
    return inputs.map((input, i) => {
      // A shared result carries the first reference's place; each input gets its own.
      const { ref: _ref, line: _line, page: _page, ...outcome } = results.get(keys[i])!;
      return { ...outcome, ...placeOf(input) };
    });
  } finally {
    if (tempDir) await rm(await tempDir, { recursive: true, force: true });
  }
}

/** Where the report shows an image: its reference, and line or page when known. */
function placeOf(input: ImageInput): { ref: string; line?: number; page?: number } {
  return { ref: input.ref, ...(input.line !== undefined && { line: input.line }), ...(input.page !== undefined && { page: input.page }) };
}

export interface OcrText {
  text: string;
  lines: string[];
  meanConfidence: number;
  durationMs: number;
}

/** tesseract on one checked image file, within the per-image limit and what is left of the report's. */
async function readImageFile(
  file: string,
  format: ImageFormat,
  limits: DocumentLimits,
  deadline: number,
  signal: AbortSignal | undefined,
): Promise<{ ok: true; value: OcrText } | { ok: false; problem: ImageProblem }> {
  const left = Math.max(1, Math.floor(deadline - performance.now()));
  const hit: LimitHit = left < limits.ocrTimeMs ? { name: 'ocrTotalTimeMs', max: limits.ocrTotalTimeMs } : { name: 'ocrTimeMs', max: limits.ocrTimeMs };
  // --psm 6 (one uniform block): a terminal line stays one line; the default layout analysis splits
  // a wide log into columns and parts "#9 [linux/arm64 …]" from its "CACHED".
  const result = await run(TESSERACT, [file, 'stdout', '-l', OCR_LANGUAGES.join('+'), '--psm', '6', 'tsv'], {
    timeoutMs: Math.min(limits.ocrTimeMs, left),
    signal,
    // One thread: tesseract's OpenMP threads make a screenshot several times slower, not faster.
    env: { OMP_THREAD_LIMIT: '1' },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.cancelled) throw signal?.reason ?? new Error('OCR cancelled');
  if (result.timedOut) return { ok: false, problem: imageOverLimit(hit) };
  if (result.exitCode !== 0) {
    const detail = result.stderr.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('Estimating resolution')).pop();
    return { ok: false, problem: { reason: 'ocr-failed', message: `OCR nie odczytał obrazu ${format.width}×${format.height}${detail ? `: ${detail}` : ''}.` } };
  }
  const parsed = parseTesseractTsv(result.stdout);
  if (parsed.words === 0) return { ok: false, problem: { reason: 'no-text', message: 'OCR nie znalazł na obrazie tekstu.' } };
  if (parsed.meanConfidence < MIN_MEAN_CONFIDENCE) {
    return { ok: false, problem: { reason: 'no-text', message: `OCR odczytał tylko niepewny tekst (średnia pewność ${Math.round(parsed.meanConfidence)}%).` } };
  }
  return { ok: true, value: { text: parsed.lines.join('\n'), lines: parsed.lines, meanConfidence: Math.round(parsed.meanConfidence * 10) / 10, durationMs: result.durationMs } };
}

/** tesseract's TSV: words (level 5) grouped into lines; a blank line between text blocks. */
export function parseTesseractTsv(tsv: string): { lines: string[]; words: number; meanConfidence: number } {
  const lines: string[] = [];
  let current: string[] = [];
  let currentKey = '';
  let currentBlock = '';
  let words = 0;
  let confidence = 0;
  const flush = () => {
    if (current.length > 0) lines.push(current.join(' '));
    current = [];
  };
  for (const row of tsv.split('\n').slice(1)) {
    const cells = row.split('\t');
    if (cells[0] !== '5' || cells.length < 12) continue;
    const text = cells.slice(11).join('\t').trim();
    if (!text) continue;
    const [, page, block, paragraph, line] = cells;
    const key = `${page}.${block}.${paragraph}.${line}`;
    if (key !== currentKey) {
      flush();
      if (currentBlock && `${page}.${block}` !== currentBlock) lines.push('');
      currentKey = key;
      currentBlock = `${page}.${block}`;
    }
    current.push(text);
    words++;
    confidence += Math.max(0, Number(cells[10]) || 0);
  }
  flush();
  return { lines, words, meanConfidence: words ? confidence / words : 0 };
}
