import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromiumArgs } from '../../grader/report/browser.ts';
import { browserCandidates, findBrowser, installHint } from '../../grader/report/find-browser.ts';

const PUPPETEER = '/home/u/.cache/puppeteer/chrome/linux-1/chrome-linux64/chrome';

describe('browserCandidates on Linux', () => {
  it('tries every browser name in the absolute PATH entries, then the usual folders, without duplicates', () => {
    const { variable, candidates } = browserCandidates('linux', { PATH: '/opt/bin:.:bin:/usr/bin:' });
    assert.equal(variable, undefined);
    const dirs = ['/opt/bin', '/usr/bin', '/usr/local/bin', '/snap/bin'];
    const names = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'microsoft-edge', 'microsoft-edge-stable'];
    assert.deepEqual(candidates, names.flatMap((n) => dirs.map((d) => `${d}/${n}`)));
  });

  it('still looks in /usr/bin without PATH (cron, systemd)', () => {
    const { candidates } = browserCandidates('linux', {});
    assert.equal(candidates[0], '/usr/bin/chromium');
    assert.ok(candidates.includes('/usr/bin/google-chrome-stable'));
    assert.ok(candidates.includes('/usr/bin/microsoft-edge'));
  });

  it("puts puppeteer's own download before the system's browsers", () => {
    const { candidates } = browserCandidates('linux', { PATH: '/usr/bin' }, PUPPETEER);
    assert.equal(candidates[0], PUPPETEER);
    assert.equal(candidates[1], '/usr/bin/chromium');
  });
});

describe('browserCandidates on macOS', () => {
  it('looks for Chrome, Chromium and Edge apps in /Applications and ~/Applications', () => {
    const { candidates } = browserCandidates('darwin', { HOME: '/Users/jan', PATH: '/usr/bin:/bin' });
    assert.deepEqual(candidates, [
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
      '/Users/jan/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
      '/Applications/Chromium.app/Contents/MacOS/Chromium',
      '/Users/jan/Applications/Chromium.app/Contents/MacOS/Chromium',
      '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
      '/Users/jan/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
    ]);
  });

  it('without HOME only in /Applications', () => {
    const { candidates } = browserCandidates('darwin', {});
    assert.equal(candidates.length, 3);
    assert.ok(candidates.every((c) => c.startsWith('/Applications/')));
  });
});

describe('browserCandidates on Windows', () => {
  it('looks for Chrome, Chromium and Edge under %ProgramFiles%, %ProgramFiles(x86)% and %LocalAppData%', () => {
    const { candidates } = browserCandidates('win32', {
      ProgramFiles: 'D:\\Programy',
      'ProgramFiles(x86)': 'D:\\Programy (x86)',
      LOCALAPPDATA: 'C:\\Users\\jan\\AppData\\Local',
    });
    assert.deepEqual(candidates, [
      'D:\\Programy\\Google\\Chrome\\Application\\chrome.exe',
      'D:\\Programy (x86)\\Google\\Chrome\\Application\\chrome.exe',
      'C:\\Users\\jan\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe',
      'D:\\Programy\\Chromium\\Application\\chrome.exe',
      'D:\\Programy (x86)\\Chromium\\Application\\chrome.exe',
      'C:\\Users\\jan\\AppData\\Local\\Chromium\\Application\\chrome.exe',
      'D:\\Programy\\Microsoft\\Edge\\Application\\msedge.exe',
      'D:\\Programy (x86)\\Microsoft\\Edge\\Application\\msedge.exe',
      'C:\\Users\\jan\\AppData\\Local\\Microsoft\\Edge\\Application\\msedge.exe',
    ]);
  });

  it('defaults to C:\\Program Files (x86) and reads variable names in any case', () => {
    const { candidates } = browserCandidates('win32', { PROGRAMFILES: 'C:\\Program Files', localappdata: 'C:\\L' });
    assert.ok(candidates.includes('C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe'));
    assert.ok(candidates.includes('C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe'));
    assert.ok(candidates.includes('C:\\L\\Google\\Chrome\\Application\\chrome.exe'));
  });

  it('an explicit variable wins there too, whatever the case of its name', () => {
    assert.deepEqual(browserCandidates('win32', { chrome_path: 'E:\\chrome.exe' }), { variable: 'CHROME_PATH', candidates: ['E:\\chrome.exe'] });
  });
});

describe('browserCandidates: environment precedence', () => {
  for (const platform of ['linux', 'darwin', 'win32'] as const) {
    it(`${platform}: PUPPETEER_EXECUTABLE_PATH, then CHROME_PATH, each alone; empty ones are ignored`, () => {
      const both = { PUPPETEER_EXECUTABLE_PATH: '/a/chrome', CHROME_PATH: '/b/chrome', PATH: '/usr/bin' };
      assert.deepEqual(browserCandidates(platform, both, PUPPETEER), { variable: 'PUPPETEER_EXECUTABLE_PATH', candidates: ['/a/chrome'] });
      assert.deepEqual(browserCandidates(platform, { ...both, PUPPETEER_EXECUTABLE_PATH: '' }, PUPPETEER), { variable: 'CHROME_PATH', candidates: ['/b/chrome'] });
      const none = browserCandidates(platform, { PUPPETEER_EXECUTABLE_PATH: '', CHROME_PATH: '' }, PUPPETEER);
      assert.equal(none.variable, undefined);
      assert.equal(none.candidates[0], PUPPETEER);
      assert.ok(none.candidates.length > 1);
    });
  }
});

describe('findBrowser', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'find-browser-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes the executable file a variable names', async () => {
    // Any executable file stands in for a browser here: only its existence is checked.
    assert.deepEqual(await findBrowser({ CHROME_PATH: process.execPath }, 'linux'), { found: true, path: process.execPath });
  });

  it('a variable naming a missing file, a folder or a non-executable file is "no browser", named in Polish', async () => {
    const plain = join(dir, 'chrome.txt');
    await writeFile(plain, 'not a browser');
    for (const [variable, value] of [['PUPPETEER_EXECUTABLE_PATH', '/nonexistent/chrome'], ['CHROME_PATH', dir], ['CHROME_PATH', plain]]) {
      const lookup = await findBrowser({ [variable!]: value, PATH: '/usr/bin' }, 'linux');
      assert.ok(!lookup.found, `${variable}=${value}`);
      assert.equal(lookup.problem, `Zmienna ${variable} wskazuje „${value}”, ale nie ma tam przeglądarki.`);
      assert.match(lookup.fix, new RegExp(`Popraw ścieżkę w ${variable} albo usuń tę zmienną`));
    }
  });

  it('says how to get a browser on each OS', () => {
    assert.match(installHint('linux'), /apt-get install chromium/);
    assert.match(installHint('darwin'), /brew install --cask chromium/);
    assert.match(installHint('win32'), /winget install Google\.Chrome/);
    for (const p of ['linux', 'darwin', 'win32'] as const) assert.match(installHint(p), /PUPPETEER_EXECUTABLE_PATH lub CHROME_PATH\.$/);
  });
});

describe('chromiumArgs', () => {
  it("turns Chromium's sandbox off only for root and keeps background networking off", () => {
    assert.ok(chromiumArgs(true).includes('--no-sandbox'));
    assert.ok(!chromiumArgs(false).includes('--no-sandbox'));
    for (const root of [true, false]) {
      for (const flag of ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-extensions']) {
        assert.ok(chromiumArgs(root).includes(flag), `${flag} (root: ${root})`);
      }
    }
  });
});
