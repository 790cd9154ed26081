/**
 * Finds a Chrome, Chromium or Edge for the PDF reports on Linux, macOS and Windows. Where to look
 * is a pure function of the platform and the environment (browserCandidates, unit-tested for each
 * OS); findBrowser() adds the only I/O: which of those files exists.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';

/** Variables that name the browser, strongest first (PUPPETEER_EXECUTABLE_PATH is puppeteer's own). */
const BROWSER_ENV_VARS = ['PUPPETEER_EXECUTABLE_PATH', 'CHROME_PATH'] as const;
export type BrowserEnvVar = (typeof BROWSER_ENV_VARS)[number];

export type Env = Record<string, string | undefined>;

export interface BrowserSearch {
  /** Set when an environment variable names the browser: then its file is the only candidate. */
  variable?: BrowserEnvVar;
  /** Files to try, in order. */
  candidates: string[];
}

const LINUX_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'microsoft-edge', 'microsoft-edge-stable'];
// Searched after PATH: cron, systemd and sudo often run with a PATH that lacks them.
const LINUX_DIRS = ['/usr/bin', '/usr/local/bin', '/snap/bin'];
const MAC_APPS = [
  'Google Chrome.app/Contents/MacOS/Google Chrome',
  'Chromium.app/Contents/MacOS/Chromium',
  'Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
];
const WINDOWS_APPS = ['Google\\Chrome\\Application\\chrome.exe', 'Chromium\\Application\\chrome.exe', 'Microsoft\\Edge\\Application\\msedge.exe'];

/**
 * Where to look for a browser: the file an environment variable names (alone: a wrong path is
 * reported rather than silently replaced by another browser), else puppeteer's own download
 * (puppeteerPath, the version it is tested with), else the usual install locations of the OS.
 */
export function browserCandidates(platform: NodeJS.Platform, env: Env, puppeteerPath?: string): BrowserSearch {
  for (const variable of BROWSER_ENV_VARS) {
    const value = envVar(env, variable, platform);
    if (value) return { variable, candidates: [value] };
  }
  return { candidates: [...new Set([...(puppeteerPath ? [puppeteerPath] : []), ...systemCandidates(platform, env)])] };
}

function systemCandidates(platform: NodeJS.Platform, env: Env): string[] {
  if (platform === 'win32') {
    const roots = [
      envVar(env, 'ProgramFiles', platform) ?? 'C:\\Program Files',
      envVar(env, 'ProgramFiles(x86)', platform) ?? 'C:\\Program Files (x86)',
      envVar(env, 'LOCALAPPDATA', platform),
    ].filter((r): r is string => Boolean(r));
    return WINDOWS_APPS.flatMap((app) => roots.map((root) => path.win32.join(root, app)));
  }
  if (platform === 'darwin') {
    const home = envVar(env, 'HOME', platform);
    const roots = ['/Applications', ...(home ? [path.posix.join(home, 'Applications')] : [])];
    return MAC_APPS.flatMap((app) => roots.map((root) => path.posix.join(root, app)));
  }
  // Relative PATH entries are skipped: they would run a "chromium" from whatever folder is current.
  const fromPath = (envVar(env, 'PATH', platform) ?? '').split(':').filter((d) => path.posix.isAbsolute(d));
  const dirs = [...new Set([...fromPath, ...LINUX_DIRS])];
  return LINUX_NAMES.flatMap((name) => dirs.map((dir) => path.posix.join(dir, name)));
}

/** Windows variable names are case-insensitive, but a copied env object keeps one spelling. */
function envVar(env: Env, name: string, platform: NodeJS.Platform): string | undefined {
  const key = platform === 'win32' ? Object.keys(env).find((k) => k.toUpperCase() === name.toUpperCase()) : name;
  return (key !== undefined && env[key]) || undefined;
}

export type BrowserLookup =
  | { found: true; path: string }
  /** problem: what is missing; fix: how to get a browser on this OS. Both Polish sentences. */
  | { found: false; problem: string; fix: string };

/** The first candidate that is an executable file, or why there is none and how to get one. */
export async function findBrowser(env: Env = process.env, platform: NodeJS.Platform = process.platform): Promise<BrowserLookup> {
  const search = browserCandidates(platform, env, await puppeteerDownload());
  for (const candidate of search.candidates) {
    if (await isExecutableFile(candidate)) return { found: true, path: candidate };
  }
  if (search.variable) {
    return {
      found: false,
      problem: `Zmienna ${search.variable} wskazuje „${search.candidates[0]}”, ale nie ma tam przeglądarki.`,
      fix: `Popraw ścieżkę w ${search.variable} albo usuń tę zmienną, a grader sam poszuka Chrome, Chromium lub Edge.`,
    };
  }
  return { found: false, problem: 'Nie znaleziono przeglądarki Chrome, Chromium ani Edge.', fix: installHint(platform) };
}

/** How to get a browser on each OS, in Polish. */
export function installHint(platform: NodeJS.Platform): string {
  const install =
    platform === 'win32'
      ? 'Zainstaluj Google Chrome (winget install Google.Chrome) albo Microsoft Edge'
      : platform === 'darwin'
        ? 'Zainstaluj Google Chrome (https://www.google.com/chrome/) albo Chromium (brew install --cask chromium)'
        : 'Zainstaluj Chromium (Debian, Ubuntu: sudo apt-get install chromium fonts-dejavu-core; na maszynie do oceniania: npm run setup)';
  return (
    `${install}, pobierz przeglądarkę puppeteera (npx puppeteer browsers install chrome) ` +
    'albo wskaż plik przeglądarki w zmiennej PUPPETEER_EXECUTABLE_PATH lub CHROME_PATH.'
  );
}

/** The browser puppeteer downloaded, if it is configured to (.puppeteerrc.cjs skips the download here). */
async function puppeteerDownload(): Promise<string | undefined> {
  try {
    const { default: puppeteer } = await import('puppeteer');
    return puppeteer.executablePath();
  } catch {
    return undefined; // no configured download
  }
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    // X_OK alone accepts a directory; on Windows it only checks that the file exists.
    if (!(await stat(file)).isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
