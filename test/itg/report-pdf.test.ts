/**
 * PDF reports on the real Chromium: text extracted with pdftotext, offline rendering proven with
 * a loopback server that must see no request, pages rendered to PNG in test-artifacts/report-pdf/.
 * Skips without a browser on a laptop; in CI (CI=true) a missing browser is a failure.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { closeBrowser, getBrowser } from '../../grader/report/browser.ts';
import { findBrowser } from '../../grader/report/find-browser.ts';
import { renderMarkdown } from '../../grader/report/markdown.ts';
import { printHtml, renderPdf } from '../../grader/report/pdf.ts';
import { writeReports } from '../../grader/report/write-reports.ts';
import type { CheckResult, GradeResult } from '../../grader/results/types.ts';

const exec = promisify(execFile);
const ARTIFACTS = new URL('../../test-artifacts/report-pdf/', import.meta.url).pathname;

const fixture = async (name: string): Promise<GradeResult> =>
  JSON.parse(await readFile(new URL(`../fixtures/results/${name}.json`, import.meta.url), 'utf8')) as GradeResult;

async function pdfText(path: string): Promise<string> {
  const { stdout } = await exec('pdftotext', ['-enc', 'UTF-8', path, '-'], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** Pages as PNG at 50 dpi for a person to look at. */
async function toPng(pdf: string, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  await exec('pdftoppm', ['-r', '50', '-png', pdf, join(ARTIFACTS, name)]);
}

const browser = await findBrowser();
if (!browser.found && process.env.CI === 'true') throw new Error(`no browser: ${browser.problem}`);
const skip = browser.found ? false : `no browser: ${browser.problem}`;

describe('PDF report on real Chromium', { skip }, () => {
  let dir: string;
  let server: Server;
  let hits: string[];
  let evil: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'report-pdf-'));
    hits = [];
    server = createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      res.end('x');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    evil = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await closeBrowser();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('renders pass.json with Polish headings, diacritics, the student id, CACHED lines and the score', async () => {
    const out = join(dir, 'pass');
    const written = await writeReports(await fixture('pass'), out, { formats: ['md', 'pdf'] });
    assert.equal(written.pdf?.requestsAttempted, 0);
    const text = await pdfText(written.files.pdf!);
    for (const heading of [
      'Etap 1 – obraz wieloplatformowy',
      'Etap 2 – cache budowania z rejestru',
      'Zadanie dodatkowe – usuwanie obrazów z registry7',
    ]) {
      assert.ok(text.includes(heading), heading);
    }
    for (const letter of 'ąćęłńóśźż') assert.ok(text.includes(letter), `letter ${letter}`);
    assert.ok(text.includes('Józef Żółkiewski'));
    assert.ok(text.includes('s99656'));
    assert.match(text, /37 » #9 CACHED/);
    assert.match(text, /64 » #18 CACHED/);
    assert.match(text, /importing cache manifest from 127\.0\.0\.1:5000\/s99656\/apkapogodowaplus:buildcache/);
    assert.ok(text.includes('Zaliczone z dodatkiem: 150% (15 / 10 pkt)'));
    assert.match(text, /Strona 1 z \d+/);
    const { stdout: fonts } = await exec('pdffonts', [written.files.pdf!]);
    assert.match(fonts, /DejaVuSans\s.*yes\s+yes/);
    assert.match(fonts, /DejaVuSansMono/);
    await toPng(written.files.pdf!, 'pass');
    // Its own raport.pdf / raport.md are recognised and may be overwritten without --force.
    await writeReports(await fixture('pass'), out, { formats: ['md', 'pdf'] });
  });

  it('renders two reports concurrently through one shared browser', async () => {
    const first = await getBrowser();
    const [fail, partial] = await Promise.all([fixture('fail'), fixture('partial-cache')]);
    const started = performance.now();
    const stats = await Promise.all([
      renderPdf({ markdown: renderMarkdown(fail) }, join(dir, 'fail.pdf')),
      renderPdf({ markdown: renderMarkdown(partial) }, join(dir, 'partial.pdf')),
    ]);
    const elapsed = performance.now() - started;
    assert.equal(await getBrowser(), first, 'same browser');
    assert.equal((await first.pages()).length, 1, 'report pages closed (only the initial blank one left)');
    for (const s of stats) assert.equal(s.requestsAttempted, 0);
    assert.match(await pdfText(join(dir, 'fail.pdf')), /niezaliczone/);
    assert.match(await pdfText(join(dir, 'partial.pdf')), /61 » #17 CACHED/);
    console.log(`# two PDFs in ${Math.round(elapsed)} ms (${stats.map((s) => `${s.durationMs} ms`).join(', ')})`);
    await toPng(join(dir, 'fail.pdf'), 'fail');
    const errorPdf = join(dir, 'error.pdf');
    await renderPdf({ markdown: renderMarkdown(await fixture('error-infra')) }, errorPdf);
    assert.match(await pdfText(errorPdf), /nie do oceny \(awaria infrastruktury\)/);
  });

  it('renders a hostile result offline, bounded in size and time', async () => {
    const r = await fixture('pass');
    r.student = { id: 's66666', name: `<script>alert(1)</script><img src=${evil}/name.png> ![x](${evil}/md.png)` };
    r.submission.image = `evil|ref\`x <img src="${evil}/ref.png">`;
    r.score.grade = `[klik](${evil}/link) <iframe src="${evil}/frame"></iframe>`;
    const hit = r.checks.find((c) => c.id === 'cache.hit') as CheckResult;
    hit.status = 'fail';
    hit.message = `<style>@import url(${evil}/css);</style> <link rel=stylesheet href="${evil}/link.css">`;
    hit.hint = `[a](javascript:alert(1)) <${evil}/autolink> ${evil}/bare`;
    hit.docs = [{ title: 'obca', url: `${evil}/doc` }];
    const huge = Array.from({ length: 100_000 }, (_, i) => ({ n: i + 1, text: `#${i} ${'y'.repeat(95)} \`\`\`` }));
    huge.push({ n: 100_001, text: `<img src=${evil}/log.png> ![i](${evil}/log2.png)`, highlight: true } as (typeof huge)[number]);
    hit.evidence.push({ kind: 'log', title: 'ogromny log (10 MB)', file: 'logs/build-2.log', lines: huge });
    assert.ok(JSON.stringify(r).length > 10_000_000);

    const md = renderMarkdown(r);
    const pdfPath = join(dir, 'hostile.pdf');
    const started = performance.now();
    const stats = await renderPdf({ markdown: md, footer: `${r.student.name}` }, pdfPath);
    const elapsed = performance.now() - started;

    assert.equal(stats.requestsAttempted, 0, `attempted: ${stats.blockedUrls.join(', ')}`);
    assert.deepEqual(hits, []);
    assert.ok((await stat(pdfPath)).size < 2 * 1024 * 1024, `PDF is ${(await stat(pdfPath)).size} B`);
    assert.ok(elapsed < 20_000, `took ${elapsed} ms`);
    const text = await pdfText(pdfPath);
    assert.ok(text.includes('<script>alert(1)</script>'), 'script shown as text');
    assert.ok(text.includes('100001 »'), 'evidence line of the huge log');
    await toPng(pdfPath, 'hostile');
  });

  it('blocks every request even from raw HTML without the CSP (interception is the last line)', async () => {
    const html = `<!DOCTYPE html><html><head><meta charset="utf-8">
      <link rel="stylesheet" href="${evil}/a.css"><style>body { background: url(${evil}/bg.png) }</style></head>
      <body><p>zażółć gęślą jaźń</p><img src="${evil}/img.png"><iframe src="${evil}/frame"></iframe>
      <script src="${evil}/s.js"></script></body></html>`;
    const { pdf, stats } = await printHtml(html);
    assert.ok(stats.requestsAttempted >= 2, `attempted ${stats.requestsAttempted}`);
    assert.equal(stats.requestsBlocked, stats.requestsAttempted);
    // Chromium's own error page for the blocked iframe asks for data: images; those are aborted too.
    const network = stats.blockedUrls.filter((u) => !u.startsWith('data:'));
    assert.ok(network.length >= 2 && network.every((u) => u.startsWith(evil)), network.join(', '));
    assert.deepEqual(hits, []);
    assert.ok(pdf.byteLength > 1000);
  });
});
