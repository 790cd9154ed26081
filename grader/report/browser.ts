/**
 * The one headless Chromium a process uses for PDFs (shared across a batch, like md-to-pdf's
 * lib): system Chromium unless puppeteer has its own, no sandbox (we run as root in CI),
 * background networking off, a fresh temporary profile. Callers close it with closeBrowser().
 */
import { constants } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer';
import { InfraError } from '../errors.ts';

export type { Browser } from 'puppeteer';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
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

const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where Chromium is: PUPPETEER_EXECUTABLE_PATH, puppeteer's own download, then the system's. */
export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const fromEnv = env.PUPPETEER_EXECUTABLE_PATH;
  if (fromEnv) {
    if (await isExecutable(fromEnv)) return fromEnv;
    throw new InfraError(
      `PUPPETEER_EXECUTABLE_PATH wskazuje „${fromEnv}”, ale nie ma tam przeglądarki. ` +
        'Popraw zmienną albo uruchom `npm run setup`, które instaluje Chromium.',
    );
  }
  const candidates: string[] = [];
  try {
    // Throws or names a missing file when the download was skipped (.puppeteerrc.cjs).
    candidates.push(puppeteer.executablePath());
  } catch {
    // no browser of puppeteer's own
  }
  candidates.push(...SYSTEM_CHROMIUM);
  for (const c of candidates) if (await isExecutable(c)) return c;
  throw new InfraError(
    `Nie znaleziono przeglądarki Chromium potrzebnej do utworzenia raportu PDF (szukano: ${SYSTEM_CHROMIUM.join(', ')}). ` +
      'Uruchom `npm run setup` albo ustaw PUPPETEER_EXECUTABLE_PATH. Raport Markdown można utworzyć bez niej: --format md.',
  );
}

export interface LaunchOptions {
  executablePath?: string;
  /** Launch timeout, ms. */
  timeoutMs?: number;
}

/** Starts a new headless Chromium with its own temporary profile (removed when it closes). */
export async function launchBrowser(opts: LaunchOptions = {}): Promise<Browser> {
  const executablePath = opts.executablePath ?? (await findChromium());
  const userDataDir = await mkdtemp(join(tmpdir(), 'buildx-grader-chromium-'));
  try {
    const browser = await puppeteer.launch({
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
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
    throw new InfraError(`Nie udało się uruchomić Chromium (${executablePath}) do utworzenia raportu PDF.`, { cause: error });
  }
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
