/**
 * The one headless Chromium a process uses for PDFs (shared across a batch, like md-to-pdf's
 * lib): the browser findBrowser() picks (Chrome, Chromium or Edge), background networking off, a
 * fresh temporary profile. Callers close it with closeBrowser().
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer';
import { InfraError } from '../errors.ts';
import { findBrowser } from './find-browser.ts';

export type { Browser } from 'puppeteer';

const COMMON_ARGS = [
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
  '--disable-extensions',
  '--disable-default-apps',
  '--no-default-browser-check',
  '--mute-audio',
];

/** Chromium's own sandbox stays on, except as root, where Chromium refuses to start with it. */
export function chromiumArgs(root: boolean): string[] {
  return root ? ['--no-sandbox', ...COMMON_ARGS] : [...COMMON_ARGS];
}

export interface LaunchOptions {
  executablePath?: string;
  /** Launch timeout, ms. */
  timeoutMs?: number;
}

/** Starts a new headless Chromium with its own temporary profile (removed when it closes). */
export async function launchBrowser(opts: LaunchOptions = {}): Promise<Browser> {
  const executablePath = opts.executablePath ?? (await requireBrowser());
  const userDataDir = await mkdtemp(join(tmpdir(), 'buildx-grader-chromium-'));
  try {
    const browser = await puppeteer.launch({
      executablePath,
      headless: true,
      args: chromiumArgs(process.getuid?.() === 0),
      userDataDir,
      pipe: true,
      timeout: opts.timeoutMs ?? 30_000,
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    // Chromium may still be flushing the profile when it disconnects: retry, never fail on cleanup.
    browser.once('disconnected', () => void removeProfile(userDataDir));
    withInitialPage.add(browser);
    return browser;
  } catch (error) {
    await removeProfile(userDataDir);
    throw new InfraError(`Nie udało się uruchomić przeglądarki (${executablePath}) do utworzenia raportu PDF.`, { cause: error });
  }
}

/**
 * The commands check for a browser first and write only the Markdown without one (write-reports.ts);
 * a caller that launches one anyway has no use without it.
 */
async function requireBrowser(): Promise<string> {
  const lookup = await findBrowser();
  if (!lookup.found) throw new InfraError(`${lookup.problem} ${lookup.fix}`);
  return lookup.path;
}

// Browsers launched here whose initial blank tab nobody has taken yet.
const withInitialPage = new WeakSet<Browser>();

/**
 * The blank tab a browser from launchBrowser() starts with, once (later calls, and browsers
 * launched elsewhere, give undefined): a PDF render can use it instead of opening another tab.
 */
export async function takeInitialPage(browser: Browser): Promise<Page | undefined> {
  if (!withInitialPage.delete(browser)) return undefined;
  const pages = await browser.pages().catch(() => []);
  return pages.length === 1 && pages[0]!.url() === 'about:blank' ? pages[0] : undefined;
}

async function removeProfile(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }).catch(() => undefined);
}

// The only module-level state in the grader: one browser per process.
let shared: Promise<Browser> | undefined;

/** The process's shared browser, launched on first use. */
export function getBrowser(): Promise<Browser> {
  if (!shared) {
    const launching = launchBrowser();
    shared = launching;
    launching.then(
      (b) => b.once('disconnected', () => {
        if (shared === launching) shared = undefined;
      }),
      () => {
        if (shared === launching) shared = undefined;
      },
    );
  }
  return shared;
}

/** Closes the shared browser if it was started; safe to call more than once (use in finally). */
export async function closeBrowser(): Promise<void> {
  const current = shared;
  shared = undefined;
  if (!current) return;
  let browser: Browser;
  try {
    browser = await current;
  } catch {
    return; // it never started
  }
  await browser.close().catch(() => browser.process()?.kill('SIGKILL'));
}
