/** Writes raport.md and/or raport.pdf beside results.json (used by `grade`, `batch` and `report`). */
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.ts';
import type { GradeResult } from '../results/types.ts';
import type { Browser } from './browser.ts';
import { findBrowser } from './find-browser.ts';
import { REPORT_TITLE, renderMarkdown } from './markdown.ts';
import type { PdfStats } from './pdf.ts';
import { writeFileAtomic } from '../util/write-atomic.ts';

/** pdf.ts pulls in puppeteer: loaded only when a PDF is written or checked. */
const pdfModule = () => import('./pdf.ts');

export type ReportFormat = 'md' | 'pdf';

export const REPORT_FILES: Record<ReportFormat, string> = { md: 'raport.md', pdf: 'raport.pdf' };

export interface WriteReportsOptions {
  formats: ReportFormat[];
  /** PDF browser; defaults to the shared one (the caller closes it with closeBrowser()). */
  browser?: Browser;
  /** Overwrite raport.md / raport.pdf even when they were not written by the grader. */
  force?: boolean;
}

export interface WrittenReports {
  /** Absolute or outDir-relative paths of the files written, by format. */
  files: Partial<Record<ReportFormat, string>>;
  pdf?: PdfStats;
  /** Set when there was no browser: why, and how to get one (Polish). The Markdown was written instead. */
  pdfSkipped?: string;
}

export interface ReportPlan {
  formats: ReportFormat[];
  /** As in WrittenReports. */
  pdfSkipped?: string;
}

/**
 * The formats that can be written here: without a browser the PDF is replaced by the Markdown
 * and a warning. A missing browser is not an infrastructure fault: the grade does not depend on it.
 */
export async function planReports(formats: ReportFormat[]): Promise<ReportPlan> {
  if (!formats.includes('pdf')) return { formats };
  const lookup = await findBrowser();
  if (lookup.found) return { formats };
  return { formats: ['md'], pdfSkipped: `${lookup.problem} ${lookup.fix}` };
}

/** Renders the result and writes the requested formats into outDir (created if missing). */
export async function writeReports(result: GradeResult, outDir: string, opts: WriteReportsOptions): Promise<WrittenReports> {
  const plan = opts.browser ? { formats: opts.formats } : await planReports(opts.formats);
  const formats = [...new Set(plan.formats)];
  await mkdir(outDir, { recursive: true });
  const pathOf = (f: ReportFormat) => join(outDir, REPORT_FILES[f]);
  const paths = Object.fromEntries(formats.map((f) => [f, pathOf(f)])) as Partial<Record<ReportFormat, string>>;
  // Check every target before writing any, so a refusal leaves the folder untouched; the requested
  // ones too, so whether a browser is installed never decides what is refused.
  if (!opts.force) {
    const foreign: string[] = [];
    for (const f of new Set([...opts.formats, ...formats])) if (!(await isOursOrMissing(pathOf(f), f))) foreign.push(pathOf(f));
    if (foreign.length) {
      throw new InputError(
        'Nie nadpisuję plików, których nie utworzył buildx-grader (użyj --force, aby je zastąpić).',
        foreign.map((p) => `${p}: istnieje i nie jest raportem programu`),
      );
    }
  }
  const markdown = renderMarkdown(result);
  const written: WrittenReports = { files: {}, ...(plan.pdfSkipped ? { pdfSkipped: plan.pdfSkipped } : {}) };
  if (paths.md) {
    await writeFileAtomic(paths.md, markdown);
    written.files.md = paths.md;
  }
  if (paths.pdf) {
    const id = asciiOnly(result.student?.id ?? '');
    const { PDF_TITLE_PREFIX, renderPdf } = await pdfModule();
    written.pdf = await renderPdf(
      {
        markdown,
        // ASCII keeps the title a plain PDF string, which isOursOrMissing() can find in the bytes.
        title: `${PDF_TITLE_PREFIX} ${id}`.trim(),
        footer: `${result.student?.name ?? ''} (${result.student?.id ?? ''})`,
      },
      paths.pdf,
      { browser: opts.browser },
    );
    written.files.pdf = paths.pdf;
  }
  return written;
}

/** The file does not exist, or it carries the grader's marker (first Markdown line / PDF title). */
async function isOursOrMissing(path: string, format: ReportFormat): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw new InputError(`${path}: nie można odczytać istniejącego pliku`, [], { cause: error });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return false;
    if (format === 'md') {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(256), 0, 256, 0);
      return buffer.subarray(0, bytesRead).toString('utf8').startsWith(REPORT_TITLE);
    }
    // Chromium (Skia) writes the Info dictionary with /Title at the start; look at both ends to be safe.
    const window = 16 * 1024;
    const head = await handle.read(Buffer.alloc(window), 0, window, 0);
    const tailStart = Math.max(0, stat.size - window);
    const tail = await handle.read(Buffer.alloc(window), 0, window, tailStart);
    const text = head.buffer.subarray(0, head.bytesRead).toString('latin1') + tail.buffer.subarray(0, tail.bytesRead).toString('latin1');
    const { PDF_TITLE_PREFIX } = await pdfModule();
    return text.startsWith('%PDF-') && text.includes(`/Title (${PDF_TITLE_PREFIX}`);
  } finally {
    await handle.close();
  }
}


function asciiOnly(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, '').slice(0, 40);
}
