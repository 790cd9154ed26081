/**
 * raport.pdf: Markdown → HTML → PDF in a page that cannot reach the network (CSP, every request
 * intercepted and aborted) and runs no scripts.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import type { Browser, HTTPRequest } from 'puppeteer';
import { InfraError } from '../errors.ts';
import { getBrowser } from './browser.ts';
import { escapeHtml } from './escape.ts';
import { htmlDocument, markdownToHtml } from './html.ts';

/** Markdown (a plain string) or a complete HTML document. */
export type PdfSource = string | { markdown: string; title?: string; footer?: string } | { html: string; footer?: string };

export interface PdfOptions {
  /** Defaults to the shared browser (getBrowser()). */
  browser?: Browser;
  /** Loading and printing, each, ms. */
  timeoutMs?: number;
}

export interface PdfStats {
  bytes: number;
  durationMs: number;
  /** Requests the page attempted; all were aborted. */
  requestsAttempted: number;
  requestsBlocked: number;
  /** URLs of the attempted requests (first 20), for diagnostics. */
  blockedUrls: string[];
}

/** PDF metadata title prefix; `grader report` recognises its own raport.pdf by it. */
export const PDF_TITLE_PREFIX = 'buildx-grader raport';

/** Renders the source to a PDF file (written atomically) and reports what the page tried to fetch. */
export async function renderPdf(source: PdfSource, outPath: string, opts: PdfOptions = {}): Promise<PdfStats> {
  const { html, footer } = toHtml(source);
  const { pdf, stats } = await printHtml(html, { ...opts, footer });
  const tmp = `${outPath}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, pdf);
    await rename(tmp, outPath);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  return stats;
}

function toHtml(source: PdfSource): { html: string; footer?: string } {
  if (typeof source === 'string') return { html: htmlDocument(markdownToHtml(source), { title: PDF_TITLE_PREFIX }) };
  if ('markdown' in source) {
    const title = source.title ?? PDF_TITLE_PREFIX;
    return { html: htmlDocument(markdownToHtml(source.markdown), { title }), footer: source.footer };
  }
  return { html: source.html, footer: source.footer };
}

/** Prints a complete HTML document to PDF bytes in a fresh, offline, script-less page. */
export async function printHtml(
  html: string,
  opts: PdfOptions & { footer?: string } = {},
): Promise<{ pdf: Uint8Array; stats: PdfStats }> {
  const started = performance.now();
  const timeout = opts.timeoutMs ?? 60_000;
  const browser = opts.browser ?? (await getBrowser());
  const page = await browser.newPage();
  let attempted = 0;
  let blocked = 0;
  const blockedUrls: string[] = [];
  const aborts: Promise<void>[] = [];
  try {
    await page.setJavaScriptEnabled(false);
    await page.setRequestInterception(true);
    // The document itself is written into about:blank, so every request is a subresource: abort all.
    page.on('request', (request: HTTPRequest) => {
      attempted++;
      if (blockedUrls.length < 20) blockedUrls.push(request.url().slice(0, 200));
      aborts.push(
        request.abort('blockedbyclient').then(
          () => void blocked++,
          () => void blocked++, // already handled, or the page closed: it did not go out either way
        ),
      );
    });
    await page.setContent(html, { waitUntil: 'load', timeout });
    const pdf = await page.pdf({
      format: 'A4',
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: footerTemplate(opts.footer),
      margin: { top: '15mm', bottom: '17mm', left: '14mm', right: '14mm' },
      timeout,
    });
    await Promise.all(aborts);
    return {
      pdf,
      stats: {
        bytes: pdf.byteLength,
        durationMs: Math.round(performance.now() - started),
        requestsAttempted: attempted,
        requestsBlocked: blocked,
        blockedUrls,
      },
    };
  } catch (error) {
    if (error instanceof InfraError) throw error;
    throw new InfraError('Nie udało się utworzyć raportu PDF w Chromium.', { cause: error });
  } finally {
    await page.close().catch(() => undefined);
  }
}

// Header/footer templates are separate documents: they need their own font and size.
function footerTemplate(left?: string): string {
  const style = "font-family:'DejaVu Sans',sans-serif;font-size:7.5pt;color:#57606a;width:100%;padding:0 14mm;display:flex;justify-content:space-between";
  return (
    `<div style="${style}"><span>${escapeHtml(left ?? '')}</span>` +
    '<span>Strona <span class="pageNumber"></span> z <span class="totalPages"></span></span></div>'
  );
}
