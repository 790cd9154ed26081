/**
 * raport.pdf: Markdown → HTML → PDF in a page that cannot reach the network (CSP, every request
 * intercepted and aborted) and runs no scripts. The configured page is kept for the next render.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import type { Browser, HTTPRequest, Page } from 'puppeteer';
import { InfraError } from '../errors.ts';
import { getBrowser, takeInitialPage } from './browser.ts';
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
  const { html, footer, ownHead } = toHtml(source);
  const { pdf, stats } = await print(html, { ...opts, footer }, ownHead);
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

/** ownHead: the document is htmlDocument()'s (its <head> is the same for every report but the title). */
function toHtml(source: PdfSource): { html: string; footer?: string; ownHead: boolean } {
  if (typeof source === 'string') return { html: htmlDocument(markdownToHtml(source), { title: PDF_TITLE_PREFIX }), ownHead: true };
  if ('markdown' in source) {
    const title = source.title ?? PDF_TITLE_PREFIX;
    return { html: htmlDocument(markdownToHtml(source.markdown), { title }), footer: source.footer, ownHead: true };
  }
  return { html: source.html, footer: source.footer, ownHead: false };
}

/** What one render's page attempted to fetch (every request is aborted whether or not a render owns the page). */
interface RequestLog {
  attempted: number;
  blocked: number;
  urls: string[];
  aborts: Promise<void>[];
}

/** A configured page (JS off, every request intercepted and aborted) and the render that owns it now. */
interface PrintPage {
  page: Page;
  log?: RequestLog;
  /** What the page holds: its initial about:blank, or the last report's document (own head or not). */
  holds: 'blank' | 'own' | 'other';
  /** Documents written since the last about:blank. */
  writes: number;
}

/**
 * Idle configured pages per browser, at most MAX_IDLE_PAGES: sequential renders reuse one page
 * instead of opening and closing a tab each (~150-200 ms); concurrent renders get a page each,
 * and the extra ones are closed when they finish. A page whose render failed is closed, never reused.
 */
const idlePages = new WeakMap<Browser, PrintPage[]>();
const MAX_IDLE_PAGES = 1;
/** A fresh about:blank at least this often, so nothing a document keeps across document.open() piles up. */
const MAX_WRITES_PER_DOCUMENT = 32;

async function acquirePage(browser: Browser): Promise<PrintPage> {
  const idle = idlePages.get(browser) ?? [];
  idlePages.set(browser, idle);
  for (let slot = idle.pop(); slot; slot = idle.pop()) if (!slot.page.isClosed()) return slot;
  // A browser from launchBrowser() starts with one blank tab: render in it rather than open another.
  const page = (await takeInitialPage(browser)) ?? (await browser.newPage());
  const slot: PrintPage = { page, holds: 'blank', writes: 0 };
  // One listener for the page's lifetime; it charges each request to the render that owns the page.
  page.on('request', (request: HTTPRequest) => {
    const log = slot.log;
    const abort = request.abort('blockedbyclient');
    if (!log) {
      abort.catch(() => undefined); // a request between renders: aborted, charged to none
      return;
    }
    log.attempted++;
    if (log.urls.length < 20) log.urls.push(request.url().slice(0, 200));
    log.aborts.push(
      abort.then(
        () => void log.blocked++,
        () => void log.blocked++, // already handled, or the page closed: it did not go out either way
      ),
    );
  });
  try {
    await page.setJavaScriptEnabled(false);
    await page.setRequestInterception(true);
  } catch (error) {
    await page.close().catch(() => undefined);
    throw error;
  }
  return slot;
}

async function releasePage(browser: Browser, slot: PrintPage, reusable: boolean): Promise<void> {
  slot.log = undefined;
  const idle = idlePages.get(browser) ?? [];
  if (reusable && !slot.page.isClosed() && browser.connected && idle.length < MAX_IDLE_PAGES) {
    idle.push(slot);
    idlePages.set(browser, idle);
    return;
  }
  await slot.page.close().catch(() => undefined);
}

/** Prints a complete HTML document to PDF bytes in an offline, script-less page (reused between renders). */
export function printHtml(html: string, opts: PdfOptions & { footer?: string } = {}): Promise<{ pdf: Uint8Array; stats: PdfStats }> {
  return print(html, opts, false);
}

async function print(
  html: string,
  opts: PdfOptions & { footer?: string },
  ownHead: boolean,
): Promise<{ pdf: Uint8Array; stats: PdfStats }> {
  const started = performance.now();
  const timeout = opts.timeoutMs ?? 60_000;
  const browser = opts.browser ?? (await getBrowser());
  let slot: PrintPage | undefined;
  let reusable = false;
  try {
    slot = await acquirePage(browser);
    const { page } = slot;
    // setContent() writes into the current document (document.open), which keeps that document's
    // state, its CSP among it. Two of htmlDocument()'s documents carry the same head, so one can
    // follow another; anything else starts from a fresh about:blank.
    if (slot.holds === 'other' || (slot.holds === 'own' && !ownHead) || slot.writes >= MAX_WRITES_PER_DOCUMENT) {
      await page.goto('about:blank', { waitUntil: 'load', timeout });
      slot.holds = 'blank';
      slot.writes = 0;
    }
    const log: RequestLog = { attempted: 0, blocked: 0, urls: [], aborts: [] };
    slot.log = log;
    slot.holds = ownHead ? 'own' : 'other';
    slot.writes++;
    // The document is written into about:blank (or a report's document), so every request is a subresource: all are aborted.
    await page.setContent(html, { waitUntil: 'load', timeout });
    const pdf = await page.pdf({
      format: 'A4',
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: footerTemplate(opts.footer),
      margin: { top: '15mm', bottom: '17mm', left: '14mm', right: '14mm' },
      // Untagged: ~25% faster to print and ~40% smaller; the report is read, not navigated by structure.
      tagged: false,
      timeout,
    });
    await Promise.all(log.aborts);
    reusable = true;
    return {
      pdf,
      stats: {
        bytes: pdf.byteLength,
        durationMs: Math.round(performance.now() - started),
        requestsAttempted: log.attempted,
        requestsBlocked: log.blocked,
        blockedUrls: log.urls,
      },
    };
  } catch (error) {
    if (error instanceof InfraError) throw error;
    throw new InfraError('Nie udało się utworzyć raportu PDF w przeglądarce.', { cause: error });
  } finally {
    if (slot) await releasePage(browser, slot, reusable);
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
