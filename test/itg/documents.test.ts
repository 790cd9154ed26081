/**
 * Reports read with the real tools (issue 12 points 2-3, issue 13 "Limits"): poppler-utils for PDF,
 * tesseract-ocr (pol+eng) for screenshots, inputs made by the real Chromium: a PDF printed from a
 * Polish report, PNG screenshots of a build log; a DOCX written by the `docx` library; remote
 * images from a loopback server. No Docker. setup.sh installs every tool used here, so a missing
 * one fails these tests rather than skipping them.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Document, ImageRun, Packer, Paragraph } from 'docx';
import type { Browser } from 'puppeteer';
import { ocrAvailability, ocrImages } from '../../grader/documents/ocr.ts';
import { lineLabel, readDocument } from '../../grader/documents/read-document.ts';
import { MANUAL_CHECK, needsManualCheck, type DocumentResult, type DocumentText, type ImageOcr } from '../../grader/documents/types.ts';
import { launchBrowser } from '../../grader/report/browser.ts';
import { findBrowser } from '../../grader/report/find-browser.ts';
import { printHtml } from '../../grader/report/pdf.ts';
import { run } from '../../grader/util/exec.ts';
import { greyPng } from '../helpers/png.ts';

const LOG = [
  '#8 importing cache manifest from registry7:5000/app:buildcache',
  '#8 DONE 0.1s',
  '#9 [linux/arm64 2/3] RUN apk add --no-cache curl',
  '#9 CACHED',
  '#10 [linux/amd64 2/3] RUN apk add --no-cache curl',
  '#10 CACHED',
];
const COMMAND = 'docker buildx build --builder lab7 --platform linux/amd64,linux/arm64 --cache-to type=registry,ref=registry7:5000/app:buildcache,mode=max --push .';

let browser: Browser;
let repo: string;
let screenshot: Buffer;
let server: Server;
let origin: string;
const hits: string[] = [];

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** A terminal-like screenshot of the build log, by Chromium. */
async function screenshotOf(lines: string[], { width = 760, dark = false } = {}): Promise<Buffer> {
  const page = await browser.newPage();
  try {
    await page.setJavaScriptEnabled(false);
    await page.setViewport({ width, height: 40 + lines.length * 22 });
    const colours = dark ? 'background:#0c0c0c;color:#cccccc' : 'background:#fff;color:#111';
    await page.setContent(
      `<html><body style="margin:0;padding:16px;${colours};font:16px/22px 'DejaVu Sans Mono',monospace"><pre style="margin:0">${lines.map(escape).join('\n')}</pre></body></html>`,
    );
    return Buffer.from(await page.screenshot({ type: 'png' }));
  } finally {
    await page.close();
  }
}

async function pdfOf(body: string): Promise<Uint8Array> {
  const html = `<!doctype html><html lang="pl"><head><meta charset="utf-8"><style>body{font-family:'DejaVu Sans',sans-serif}</style></head><body>${body}</body></html>`;
  return (await printHtml(html, { browser })).pdf;
}

function text(result: DocumentResult): DocumentText {
  assert.ok(result.ok, result.ok ? '' : `${result.reason}: ${result.message}`);
  return result;
}

function read(result: ImageOcr | undefined): Extract<ImageOcr, { status: 'read' }> {
  assert.ok(result);
  assert.equal(result.status, 'read', result.status === 'read' ? '' : `${result.reason}: ${result.message}`);
  return result as Extract<ImageOcr, { status: 'read' }>;
}

/** OCR confuses "#" with "4" now and then; the words carry the evidence. */
function assertLogRead(ocrText: string): void {
  assert.match(ocrText, /importing cache manifest from registry7:5000\/app:buildcache/);
  assert.match(ocrText, /CACHED/);
}

before(async () => {
  const missing: string[] = [];
  for (const tool of ['pdfinfo', 'pdftotext', 'pdfimages', 'pdftoppm']) {
    if ((await run(tool, ['-v'], { timeoutMs: 10_000 })).spawnError) missing.push(`${tool} (poppler-utils)`);
  }
  const ocr = await ocrAvailability();
  if (!ocr.ok) missing.push(ocr.message);
  const found = await findBrowser();
  if (!found.found) missing.push(`${found.problem} ${found.fix}`);
  assert.deepEqual(missing, [], `setup.sh installs these tools; run npm run setup. Missing: ${missing.join('; ')}`);

  browser = await launchBrowser();
  repo = await realpath(await mkdtemp(path.join(tmpdir(), 'documents-itg-')));
  await mkdir(path.join(repo, 'img'));
  screenshot = await screenshotOf(LOG);
  await writeFile(path.join(repo, 'img', 'build.png'), screenshot);
  await writeFile(path.join(repo, 'img', 'pusty.png'), greyPng(400, 120));

  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url?.startsWith('/zrzut')) res.writeHead(200, { 'content-type': 'image/png', 'content-length': screenshot.length }).end(screenshot);
    else if (req.url === '/strona') res.writeHead(200, { 'content-type': 'text/html' }).end('<html>zaloguj się</html>');
    else if (req.url === '/duzy') res.writeHead(200, { 'content-type': 'image/png', 'content-length': 50 * 1024 * 1024 }).end();
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  if (repo) await rm(repo, { recursive: true, force: true });
});

describe('OCR of screenshots with tesseract', () => {
  it('reads a Chromium screenshot of a build log in the repository', async (t) => {
    const [result] = await ocrImages([{ ref: 'img/build.png', line: 12 }], { root: repo, reportDir: repo });
    const ocr = read(result);
    assertLogRead(ocr.text);
    assert.equal(ocr.confidence, 'ocr');
    assert.equal(ocr.line, 12);
    assert.ok(ocr.meanConfidence > 60, `mean confidence ${ocr.meanConfidence}`);
    t.diagnostic(`OCR of a ${LOG.length}-line 760 px screenshot: ${ocr.durationMs} ms, mean confidence ${ocr.meanConfidence}`);
  });

  it('keeps log lines whole in a full-width dark terminal: the step, its platform and CACHED together', async (t) => {
    // 20 lines at 1920 px: the default layout analysis (--psm 3) splits these into columns and no line keeps its CACHED.
    const wide = Array.from({ length: 20 }, (_, i) => `#${i + 5} [linux/${i % 2 ? 'arm64' : 'amd64'} ${i}/20] RUN apk add --no-cache curl wget git && echo step ${i}  CACHED`);
    await writeFile(path.join(repo, 'img', 'ciemny.png'), await screenshotOf(wide, { width: 1920, dark: true }));
    const ocr = read((await ocrImages([{ ref: 'img/ciemny.png' }], { root: repo, reportDir: repo }))[0]);
    // OCR reads "linux" as "Linux" now and then: evidence is matched without case.
    const whole = ocr.lines.filter((l) => /linux\/(?:amd64|arm64)/i.test(l) && l.includes('CACHED'));
    assert.ok(whole.length >= 18, `step lines with their CACHED: ${whole.length} of 20\n${ocr.text}`);
    t.diagnostic(`OCR of a 1920×480 dark terminal screenshot: ${ocr.durationMs} ms`);
  });

  it('lists an image without text, one over the count, and one past the time limit for manual checking; reads one image once', async () => {
    const [blank] = await ocrImages([{ ref: 'img/pusty.png' }], { root: repo, reportDir: repo });
    assert.equal(blank?.status, 'unreadable');
    assert.equal(blank?.status === 'unreadable' && blank.reason, 'no-text');
    assert.equal(needsManualCheck(blank!), true);
    assert.equal(MANUAL_CHECK, 'do sprawdzenia ręcznie');

    const counted = await ocrImages([{ ref: 'img/build.png' }, { ref: 'img/pusty.png' }, { ref: './img/build.png' }], {
      root: repo, reportDir: repo, limits: { ocrImages: 1 },
    });
    assert.deepEqual(counted.map((r) => [r.ref, r.status]), [['img/build.png', 'read'], ['img/pusty.png', 'skipped'], ['./img/build.png', 'read']]);
    assert.equal(counted[1]?.status === 'skipped' && counted[1].limit?.name, 'ocrImages');

    const started = performance.now();
    const [slow] = await ocrImages([{ ref: 'img/build.png' }], { root: repo, reportDir: repo, limits: { ocrTimeMs: 50 } });
    assert.ok(performance.now() - started < 5_000);
    assert.equal(slow?.status, 'unreadable');
    assert.ok(slow?.status === 'unreadable');
    assert.deepEqual(slow.limit, { name: 'ocrTimeMs', max: 50 });
    assert.match(slow.message, /^Odczyt tekstu z obrazu \(OCR\) trwał dłużej niż/);
  });

  it('without tesseract, images are for manual checking and nothing fails', async () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const [result] = await ocrImages([{ ref: 'img/build.png' }], { root: repo, reportDir: repo });
      assert.equal(result?.status, 'unreadable');
      assert.ok(result?.status === 'unreadable');
      assert.equal(result.reason, 'ocr-missing');
      assert.match(result.message, /tesseract-ocr, tesseract-ocr-pol i tesseract-ocr-eng/);
    } finally {
      process.env.PATH = saved;
    }
  });
});

describe('remote images from a loopback server', () => {
  const remote = { enabled: true, trustedOrigins: [] as string[] };
  before(() => {
    remote.trustedOrigins = [origin];
  });

  it('are fetched and read only with the option on, within the remote count', async () => {
    const before = hits.length;
    const [off] = await ocrImages([{ ref: `${origin}/zrzut-1.png` }], { root: repo, reportDir: repo });
    assert.equal(off?.status === 'skipped' && off.reason, 'remote-disabled');
    assert.equal(hits.length, before, 'nothing fetched without the option');

    const results = await ocrImages([{ ref: `${origin}/zrzut-1.png` }, { ref: `${origin}/zrzut-2.png` }], {
      root: repo, reportDir: repo, remote, limits: { remoteImages: 1 },
    });
    assertLogRead(read(results[0]).text);
    assert.equal(results[1]?.status === 'skipped' && results[1].limit?.name, 'remoteImages');
    assert.deepEqual(hits.slice(before), ['/zrzut-1.png'], 'the image over the count was not fetched');
  });

  it('are refused when of the wrong content type or too big', async () => {
    const results = await ocrImages([{ ref: `${origin}/strona` }, { ref: `${origin}/duzy` }], { root: repo, reportDir: repo, remote });
    assert.deepEqual(results.map((r) => r.status !== 'read' && [r.status, r.reason, r.limit?.name]), [
      ['skipped', 'wrong-type', undefined],
      ['skipped', 'limit-exceeded', 'imageBytes'],
    ]);
  });
});

describe('PDF reports with poppler-utils', () => {
  let reportPdf: string;
  before(async () => {
    const body =
      '<h1>Sprawozdanie z laboratorium 7 – Docker Buildx</h1>' +
      '<p>Zbudowałem obraz dla dwóch architektur, z cache w registry7 (zażółć gęślą jaźń):</p>' +
      `<pre>${escape(COMMAND)}</pre>` +
      `<p>Zrzut ekranu drugiego budowania:</p><img src="data:image/png;base64,${screenshot.toString('base64')}" width="500">` +
      '<h2 style="page-break-before:always">Log drugiego budowania</h2>' +
      `<pre>${LOG.map(escape).join('\n')}</pre>`;
    reportPdf = path.join(repo, 'sprawozdanie.pdf');
    await writeFile(reportPdf, await pdfOf(body));
  });

  it('gives the text with pages and line numbers, and the screenshot it holds for OCR', async (t) => {
    const result = text(await readDocument('sprawozdanie.pdf', { root: repo }));
    assert.equal(result.kind, 'pdf');
    assert.equal(result.pages, 2);
    assert.equal(result.confidence, 'text');
    const command = result.lines.find((l) => l.text.includes('docker buildx build --builder lab7'));
    assert.ok(command, result.text);
    assert.equal(command.page, 1);
    assert.ok(result.lines.some((l) => l.text.includes('zażółć gęślą jaźń')), 'Polish letters survive');
    const cached = result.lines.find((l) => l.text.trim() === '#9 CACHED');
    assert.ok(cached, result.text);
    assert.equal(cached.page, 2);
    assert.equal(lineLabel(cached), `strona 2, wiersz ${cached.pageLine}`);
    assert.equal(result.text.includes('\f'), false);
    t.diagnostic(`PDF (2 pages) text and image extraction: ${result.durationMs} ms`);

    assert.equal(result.images.length, 1);
    assert.equal(result.images[0]!.page, 1);
    const [ocr] = await ocrImages(result.images, { root: repo, reportDir: repo });
    assertLogRead(read(ocr).text);
    t.diagnostic(`OCR of the screenshot extracted from the PDF: ${read(ocr).durationMs} ms`);
  });

  it('reads a PDF without a text layer by OCR of its pages, with lower confidence', async (t) => {
    await writeFile(path.join(repo, 'skan.pdf'), await pdfOf(`<img src="data:image/png;base64,${screenshot.toString('base64')}" style="width:100%">`));
    const result = text(await readDocument('skan.pdf', { root: repo }));
    assert.equal(result.confidence, 'ocr');
    assertLogRead(result.text);
    assert.ok(result.lines.every((l) => l.page === 1));
    assert.deepEqual(result.images, []);
    t.diagnostic(`scanned 1-page PDF rendered and OCR'd: ${result.durationMs} ms`);
  });

  it('stops at the page, text and time limits, and says a damaged PDF is damaged', async () => {
    const pages = await readDocument('sprawozdanie.pdf', { root: repo, limits: { pdfPages: 1 } });
    assert.ok(!pages.ok);
    assert.deepEqual(pages.limit, { name: 'pdfPages', max: 1, actual: 2 });
    assert.equal(pages.message, 'Sprawozdanie w PDF ma 2 strony, a grader czyta najwyżej 1 stronę.');
    const textLimit = await readDocument('sprawozdanie.pdf', { root: repo, limits: { textBytes: 100 } });
    assert.equal(!textLimit.ok && textLimit.limit?.name, 'textBytes');
    const time = await readDocument('sprawozdanie.pdf', { root: repo, limits: { readerTimeMs: 1 } });
    assert.equal(!time.ok && time.limit?.name, 'readerTimeMs');
    await writeFile(path.join(repo, 'zepsuty.pdf'), '%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n');
    const broken = await readDocument('zepsuty.pdf', { root: repo });
    assert.equal(!broken.ok && broken.reason, 'damaged');
  });

  it('without poppler-utils, says the grading machine lacks it', async () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const result = await readDocument('sprawozdanie.pdf', { root: repo });
      assert.ok(!result.ok);
      assert.deepEqual([result.reason, result.fault], ['tool-missing', 'grader']);
      assert.match(result.message, /poppler-utils/);
    } finally {
      process.env.PATH = saved;
    }
  });
});

describe('DOCX reports', () => {
  it('gives the screenshot a DOCX holds to OCR, with the line it stands on', async () => {
    const doc = new Document({
      sections: [{
        children: [
          new Paragraph('Sprawozdanie – drugie budowanie'),
          new Paragraph(COMMAND),
          new Paragraph({ children: [new ImageRun({ type: 'png', data: screenshot, transformation: { width: 500, height: 130 } })] }),
        ],
      }],
    });
    await writeFile(path.join(repo, 'sprawozdanie.docx'), await Packer.toBuffer(doc));
    const result = text(await readDocument('sprawozdanie.docx', { root: repo }));
    assert.equal(result.lines[1]?.text, COMMAND);
    assert.equal(result.images.length, 1);
    assert.equal(result.images[0]!.line, 3);
    const [ocr] = await ocrImages(result.images, { root: repo, reportDir: repo });
    assertLogRead(read(ocr).text);
    assert.equal(read(ocr).line, 3);
  });
});
