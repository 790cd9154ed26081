/**
 * "PDF anywhere": a report rendered with the browser discovery finds (sandbox on unless root), and
 * the real CLI without a browser. "No browser" is made by naming a missing file in
 * PUPPETEER_EXECUTABLE_PATH or CHROME_PATH: a named browser is never replaced by another, so the
 * Chromium installed here cannot be picked up. Rendering skips without a browser on a laptop (in CI,
 * CI=true, that fails); grade and batch need the Docker stack (stackSkip).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exitCodeForChecks } from '../../grader/cli/output.ts';
import { launchBrowser } from '../../grader/report/browser.ts';
import { findBrowser } from '../../grader/report/find-browser.ts';
import { writeReports } from '../../grader/report/write-reports.ts';
import type { GradeResult } from '../../grader/results/types.ts';
import { describeRun, grader, ROOT, type CliRun } from '../helpers/cli.ts';
import { stackSkip } from '../helpers/stack.ts';

const PASS = path.join(ROOT, 'test/fixtures/results/pass.json');
const isRoot = process.getuid?.() === 0;

const browser = await findBrowser();
if (!browser.found && process.env.CI === 'true') throw new Error(`no browser: ${browser.problem}`);
const browserSkip = browser.found ? false : `no browser: ${browser.problem}`;
const stack = await stackSkip();

/** The grader CLI; `env` replaces the browser variables of this process. */
function graderWithBrowserEnv(args: string[], env: Record<string, string>): Promise<CliRun> {
  const { PUPPETEER_EXECUTABLE_PATH: _p, CHROME_PATH: _c, ...rest } = process.env;
  return grader(args, { env: { ...rest, ...env } });
}

const warnings = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('Uwaga: pominięto'));

let dir: string;
let missing: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'report-browser-'));
  missing = path.join(dir, 'no-browser', 'chrome');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('PDF with the browser discovery finds', { skip: browserSkip }, () => {
  it('launches the discovered browser, sandboxed unless root, and renders a report offline', async () => {
    const found = await findBrowser();
    assert.ok(found.found);
    const b = await launchBrowser();
    try {
      assert.equal(b.process()?.spawnfile, found.path);
      assert.equal(b.process()?.spawnargs.includes('--no-sandbox'), isRoot);
      const out = path.join(dir, 'rendered');
      const written = await writeReports(JSON.parse(await readFile(PASS, 'utf8')) as GradeResult, out, { formats: ['md', 'pdf'], browser: b });
      assert.equal(written.pdfSkipped, undefined);
      assert.equal(written.pdf?.requestsAttempted, 0);
      const pdf = await readFile(written.files.pdf!);
      assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
      assert.ok(pdf.toString('latin1').includes('/Title (buildx-grader raport s99656)'));
    } finally {
      await b.close();
    }
  });

  it("as another user than root, starts with Chromium's own sandbox on", { skip: isRoot ? false : 'not root: the test above ran sandboxed' }, async () => {
    // The grader as `nobody`: discovery, launch with the sandbox and a PDF print, in a child process.
    const script = [
      "import { launchBrowser } from './grader/report/browser.ts';",
      'const b = await launchBrowser();',
      'const page = await b.newPage();',
      "await page.setContent('<p>zażółć</p>');",
      'const pdf = await page.pdf();',
      'console.log(JSON.stringify({ uid: process.getuid(), noSandbox: b.process().spawnargs.includes("--no-sandbox"), bytes: pdf.byteLength }));',
      'await b.close();',
    ].join('\n');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      uid: 65534,
      gid: 65534,
      env: { ...process.env, HOME: tmpdir(), TMPDIR: tmpdir() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const code = await new Promise((resolve) => child.once('close', resolve));
    assert.equal(code, 0, stderr);
    const seen = JSON.parse(stdout.trim().split('\n').at(-1)!) as { uid: number; noSandbox: boolean; bytes: number };
    assert.deepEqual({ uid: seen.uid, noSandbox: seen.noSandbox }, { uid: 65534, noSandbox: false });
    assert.ok(seen.bytes > 1000);
  });
});

describe('the CLI without a browser', () => {
  for (const variable of ['PUPPETEER_EXECUTABLE_PATH', 'CHROME_PATH']) {
    it(`grader report --format pdf with ${variable} naming a missing file writes raport.md, warns, exits 0`, async () => {
      const out = path.join(dir, `report-${variable}`);
      await mkdir(out);
      await cp(PASS, path.join(out, 'results.json'));
      const r = await graderWithBrowserEnv(['report', path.join(out, 'results.json'), '--format', 'pdf'], { [variable]: missing });
      assert.equal(r.code, 0, describeRun(r));
      assert.deepEqual((await readdir(out)).sort(), ['raport.md', 'results.json']);
      assert.match(await readFile(path.join(out, 'raport.md'), 'utf8'), /^# Raport oceny – laboratorium 7/);
      assert.match(r.stdout, /zapisano: .*raport\.md/);
      assert.deepEqual(warnings(r.stderr), [
        `Uwaga: pominięto raport PDF, Markdown zapisano. Zmienna ${variable} wskazuje „${missing}”, ale nie ma tam przeglądarki. ` +
          `Popraw ścieżkę w ${variable} albo usuń tę zmienną, a grader sam poszuka Chrome, Chromium lub Edge.`,
      ]);
      assert.match(r.stderr, /Gdy przeglądarka będzie dostępna, utwórz PDF: grader report .*results\.json --format pdf/);
      assert.doesNotMatch(r.stderr, /błąd:/);
    });
  }

  it('grader grade: the exit code and check statuses are the checks\' own', { skip: stack, timeout: 300_000 }, async () => {
    // s02-failing: build 1 fails (busybox has no npm), so the grade is "niezaliczone" (exit 1).
    // prune: the moby/buildkit image of the container isolation may be missing offline.
    const work = path.join(dir, 'grade');
    await cp(path.join(ROOT, 'test/fixtures/batch/s02-failing'), path.join(work, 'in'), { recursive: true });
    const out = path.join(work, 'out');
    const r = await graderWithBrowserEnv(['grade', path.join(work, 'in'), '--out', out, '--format', 'both', '--isolation', 'prune'], { PUPPETEER_EXECUTABLE_PATH: missing });
    const result = JSON.parse(await readFile(path.join(out, 'results.json'), 'utf8')) as GradeResult;
    assert.equal(r.code, exitCodeForChecks(result.checks), describeRun(r));
    assert.equal(r.code, 1, describeRun(r));
    assert.equal(result.checks.find((c) => c.id === 'build.first')?.status, 'fail');
    assert.ok(!result.checks.some((c) => c.status === 'error'), JSON.stringify(result.checks.map((c) => [c.id, c.status])));
    assert.equal(result.needsRegrade, false);
    const files = await readdir(out);
    assert.ok(files.includes('raport.md') && !files.includes('raport.pdf'), files.join(', '));
    assert.equal(warnings(r.stderr).length, 1, describeRun(r));
    assert.match(r.stderr, /Zmienna PUPPETEER_EXECUTABLE_PATH wskazuje/);
    assert.match(r.stdout, /\(results\.json, raport\.md, logs\/\)/);
  });

  it('grader batch: Markdown for every student and the summary, one warning, exit code unchanged', { skip: stack, timeout: 300_000 }, async () => {
    // s06-broken: an invalid submission.json, graded "niezaliczone" without building; exit 0.
    const work = path.join(dir, 'batch');
    await cp(path.join(ROOT, 'test/fixtures/batch/s06-broken'), path.join(work, 'in', 's06-broken'), { recursive: true });
    const out = path.join(work, 'out');
    const r = await graderWithBrowserEnv(['batch', path.join(work, 'in'), '--out', out, '-j', '1'], { CHROME_PATH: missing });
    assert.equal(r.code, 0, describeRun(r));
    const student = await readdir(path.join(out, 's06-broken'));
    assert.ok(student.includes('raport.md') && !student.includes('raport.pdf'), student.join(', '));
    const top = await readdir(out);
    assert.ok(top.includes('summary.md') && !top.includes('summary.pdf'), top.join(', '));
    const [warning, ...more] = warnings(r.stderr);
    assert.equal(more.length, 0, describeRun(r));
    assert.match(warning ?? '', /^Uwaga: pominięto raporty PDF \(raport\.pdf, summary\.pdf\), Markdown zapisano\. Zmienna CHROME_PATH wskazuje „.*”, ale nie ma tam przeglądarki\./);
    assert.doesNotMatch(r.stderr, /raport nie powstał/);
  });
});
