// Where OCR's images come from and what is refused before tesseract sees them: repository files
// only, data: URIs, remote images only with the option, from a loopback server here (issue 12, 13).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sniffImage } from '../../grader/documents/image-format.ts';
import { isInternalAddress, loadImage, type ImageSourceOptions, type LoadedImage } from '../../grader/documents/image-source.ts';
import { pinnedFetch } from '../../grader/documents/pinned-fetch.ts';
import { DOCUMENT_LIMITS, effectiveLimits } from '../../grader/documents/limits.ts';
import { parseTesseractTsv } from '../../grader/documents/ocr.ts';
import { parseImageList } from '../../grader/documents/pdf.ts';
import { greyPng, pngHeaderOnly } from '../helpers/png.ts';

const PNG = greyPng(200, 60);
let repo: string;
let outside: string;
let server: Server;
let origin: string;
const hits: string[] = [];
const hosts: string[] = [];

const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/zrzut.png': (_req, res) => res.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length }).end(PNG),
  '/strona.html': (_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html>zaloguj się</html>'),
  '/udaje.png': (_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end('<html>to nie obraz</html>'),
  '/duzy.png': (_req, res) => res.writeHead(200, { 'content-type': 'image/png', 'content-length': 11 * 1024 * 1024 }).end(),
  // No Content-Length: the stream itself must be cut.
  '/strumien.png': (_req, res) => {
    res.writeHead(200, { 'content-type': 'image/png' });
    const chunk = Buffer.alloc(64 * 1024);
    let sent = 0;
    const pump = () => {
      while (sent < 4 * 1024 * 1024 && res.write(chunk)) sent += chunk.length;
      if (sent < 4 * 1024 * 1024) res.once('drain', pump);
      else res.end();
    };
    pump();
  },
  '/przekierowanie.png': (_req, res) => res.writeHead(302, { location: '/zrzut.png' }).end(),
  '/petla.png': (_req, res) => res.writeHead(302, { location: '/petla.png' }).end(),
  '/do-wnetrza.png': (_req, res) => res.writeHead(302, { location: 'https://169.254.169.254/latest/meta-data/' }).end(),
  '/brak.png': (_req, res) => res.writeHead(404).end(),
  '/wolny.png': () => undefined, // never answers
};

before(async () => {
  const tmp = await realpath(await mkdtemp(path.join(tmpdir(), 'documents-images-')));
  repo = path.join(tmp, 'repo');
  outside = path.join(tmp, 'outside');
  await mkdir(path.join(repo, 'docs', 'img'), { recursive: true });
  await mkdir(outside);
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    hosts.push(req.headers.host ?? '');
    (routes[req.url ?? ''] ?? ((_q, s) => s.writeHead(404).end()))(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(path.dirname(repo), { recursive: true, force: true });
});

const options = (extra: Partial<ImageSourceOptions> = {}): ImageSourceOptions => ({
  root: repo,
  reportDir: path.join(repo, 'docs'),
  limits: effectiveLimits(),
  ...extra,
});

function refused(result: LoadedImage, status: 'skipped' | 'unreadable', reason: string) {
  assert.equal(result.ok, false, 'expected a refusal');
  assert.ok(!result.ok);
  assert.deepEqual([result.status, result.problem.reason], [status, reason], result.problem.message);
  return result.problem;
}

describe('image formats by their bytes', () => {
  it('reads the declared size of PNG, GIF, JPEG and WebP and nothing else', () => {
    assert.deepEqual(sniffImage(greyPng(300, 20)), { type: 'image/png', width: 300, height: 20 });
    const gif = Buffer.from('GIF89a\x40\x01\x20\x00', 'latin1');
    assert.deepEqual(sniffImage(gif), { type: 'image/gif', width: 320, height: 32 });
    // SOI, APP0 (16 bytes), SOF0 with height 480 and width 640.
    const jpeg = Buffer.from('ffd8ffe000104a46494600010100000100010000ffc0000b0801e002800301220000', 'hex');
    assert.deepEqual(sniffImage(jpeg), { type: 'image/jpeg', width: 640, height: 480 });
    const vp8x = Buffer.concat([Buffer.from('RIFF\0\0\0\0WEBPVP8X', 'latin1'), Buffer.alloc(8), Buffer.from([0x7f, 0x07, 0x00, 0x37, 0x04, 0x00])]);
    assert.deepEqual(sniffImage(vp8x), { type: 'image/webp', width: 1920, height: 1080 });
    assert.equal(sniffImage(Buffer.from('/etc/passwd\nhttps://example.com/a.png\n')), undefined);
    assert.equal(sniffImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')), undefined);
  });

  it('knows the grading machine’s own addresses, IPv4-mapped IPv6 included', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '10.1.2.3', '172.17.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:7f00:1']) {
      assert.equal(isInternalAddress(a), true, a);
    }
    for (const a of ['140.82.121.4', '185.199.108.133', '2606:50c0:8000::154']) assert.equal(isInternalAddress(a), false, a);
  });
});

describe('images of the repository', () => {
  it('reads a file relative to the report, or to the repository with a leading slash', async () => {
    await writeFile(path.join(repo, 'docs', 'img', 'build 1.png'), PNG);
    await writeFile(path.join(repo, 'root.png'), PNG);
    for (const ref of ['img/build 1.png', './img/build%201.png', 'img\\build 1.png', '/root.png', 'img/build%201.png?raw=true#x']) {
      const result = await loadImage({ ref }, options());
      assert.ok(result.ok, ref);
      assert.equal(result.format.width, 200);
    }
  });

  it('never leaves the repository: parent paths, symlinks out, absolute paths of the author’s computer', async () => {
    await writeFile(path.join(outside, 'tajne.png'), PNG);
    await symlink(path.join(outside, 'tajne.png'), path.join(repo, 'docs', 'img', 'link.png'));
    refused(await loadImage({ ref: '../../outside/tajne.png' }, options()), 'skipped', 'outside-repository');
    refused(await loadImage({ ref: 'img/link.png' }, options()), 'skipped', 'outside-repository');
    refused(await loadImage({ ref: `/../outside/tajne.png` }, options()), 'skipped', 'outside-repository');
    const windows = refused(await loadImage({ ref: 'C:\\Users\\student\\Pictures\\build.png' }, options()), 'skipped', 'unsupported-address');
    assert.match(windows.message, /na komputerze autora sprawozdania/);
    refused(await loadImage({ ref: 'file:///etc/passwd' }, options()), 'skipped', 'unsupported-address');
  });

  it('refuses what is not an image of an accepted type and size before tesseract could read it', async () => {
    // tesseract reads a non-image as a list of files and URLs to open.
    await writeFile(path.join(repo, 'docs', 'img', 'lista.png'), '/etc/passwd\nhttps://example.com/x.png\n');
    refused(await loadImage({ ref: 'img/lista.png' }, options()), 'skipped', 'wrong-type');
    await writeFile(path.join(repo, 'docs', 'img', 'ogromny.png'), pngHeaderOnly(20_000, 20_000));
    assert.deepEqual(refused(await loadImage({ ref: 'img/ogromny.png' }, options()), 'skipped', 'limit-exceeded').limit, {
      name: 'imagePixels', max: DOCUMENT_LIMITS.imagePixels, actual: 400_000_000,
    });
    await writeFile(path.join(repo, 'docs', 'img', 'ciezki.png'), '');
    await truncate(path.join(repo, 'docs', 'img', 'ciezki.png'), 11 * 1024 * 1024);
    assert.equal(refused(await loadImage({ ref: 'img/ciezki.png' }, options()), 'skipped', 'limit-exceeded').limit?.name, 'imageBytes');
    execFileSync('mkfifo', [path.join(repo, 'docs', 'img', 'fifo.png')]);
    refused(await loadImage({ ref: 'img/fifo.png' }, options()), 'unreadable', 'not-a-file');
    refused(await loadImage({ ref: 'img/nie-ma.png' }, options()), 'unreadable', 'missing');
  });

  it('decodes a data: URI, refusing a huge one before decoding it', async () => {
    const ok = await loadImage({ ref: `data:image/png;base64,${PNG.toString('base64')}` }, options());
    assert.ok(ok.ok);
    const huge = `data:image/png;base64,${'A'.repeat(16 * 1024 * 1024)}`;
    assert.equal(refused(await loadImage({ ref: huge }, options()), 'skipped', 'limit-exceeded').limit?.name, 'imageBytes');
    refused(await loadImage({ ref: 'data:image/svg+xml,<svg/>' }, options()), 'skipped', 'wrong-type');
  });
});

describe('remote images from a loopback server', () => {
  const trusted = () => ({ enabled: true, trustedOrigins: [origin] });

  it('fetches nothing without the option', async () => {
    const before = hits.length;
    refused(await loadImage({ ref: `${origin}/zrzut.png` }, options()), 'skipped', 'remote-disabled');
    refused(await loadImage({ ref: `${origin}/zrzut.png` }, options({ remote: { enabled: false, trustedOrigins: [origin] } })), 'skipped', 'remote-disabled');
    assert.equal(hits.length, before);
  });

  it('with the option, still never reaches plain http or the machine’s own network unless the origin is trusted', async () => {
    const before = hits.length;
    const port = new URL(origin).port;
    refused(await loadImage({ ref: `${origin}/zrzut.png` }, options({ remote: { enabled: true } })), 'skipped', 'unsupported-address');
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `[::ffff:127.0.0.1]:${port}`, '169.254.169.254']) {
      refused(await loadImage({ ref: `https://${host}/zrzut.png` }, options({ remote: { enabled: true } })), 'skipped', 'blocked-address');
    }
    assert.equal(hits.length, before, 'no request reached the server');
  });

  it('connects to the address that was checked, not to a second DNS answer (no lookup is made for a pinned request)', async () => {
    const before = hits.length;
    // `.invalid` never resolves (RFC 6761): the request can only arrive through the pin.
    const port = new URL(origin).port;
    const response = await pinnedFetch({ address: '127.0.0.1', family: 4 })(`http://obrazy.invalid:${port}/zrzut.png`, { headers: { accept: 'image/png' } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), PNG);
    assert.deepEqual(hits.slice(before), ['/zrzut.png']);
    assert.equal(hosts.at(-1), `obrazy.invalid:${port}`, 'the name is kept in the request (TLS would check it)');
  });

  it('fetches a PNG from a trusted origin, following a redirect', async () => {
    const direct = await loadImage({ ref: `${origin}/zrzut.png` }, options({ remote: trusted() }));
    assert.ok(direct.ok);
    assert.deepEqual(Buffer.from(direct.bytes), PNG);
    const redirected = await loadImage({ ref: `${origin}/przekierowanie.png` }, options({ remote: trusted() }));
    assert.ok(redirected.ok);
  });

  it('refuses the wrong content type, a lying one, a 404, a redirect inwards and a redirect loop', async () => {
    assert.match(refused(await loadImage({ ref: `${origin}/strona.html` }, options({ remote: trusted() })), 'skipped', 'wrong-type').message, /„text\/html”/);
    refused(await loadImage({ ref: `${origin}/udaje.png` }, options({ remote: trusted() })), 'skipped', 'wrong-type');
    assert.match(refused(await loadImage({ ref: `${origin}/brak.png` }, options({ remote: trusted() })), 'unreadable', 'fetch-failed').message, /HTTP 404/);
    refused(await loadImage({ ref: `${origin}/do-wnetrza.png` }, options({ remote: trusted() })), 'skipped', 'blocked-address');
    assert.equal(refused(await loadImage({ ref: `${origin}/petla.png` }, options({ remote: trusted() })), 'skipped', 'limit-exceeded').limit?.name, 'remoteRedirects');
  });

  it('refuses an image too big by its Content-Length, or by what it streams', async () => {
    const declared = refused(await loadImage({ ref: `${origin}/duzy.png` }, options({ remote: trusted() })), 'skipped', 'limit-exceeded');
    assert.equal(declared.limit?.name, 'imageBytes');
    const small = { ...options({ remote: trusted() }), limits: effectiveLimits({ imageBytes: 1024 * 1024 }) };
    assert.equal(refused(await loadImage({ ref: `${origin}/strumien.png` }, small), 'skipped', 'limit-exceeded').limit?.name, 'imageBytes');
  });

  it('gives up on a server that does not answer, within the time limit', async () => {
    const quick = { ...options({ remote: trusted() }), limits: effectiveLimits({ remoteTimeMs: 300 }) };
    const started = performance.now();
    const problem = refused(await loadImage({ ref: `${origin}/wolny.png` }, quick), 'unreadable', 'limit-exceeded');
    assert.equal(problem.limit?.name, 'remoteTimeMs');
    assert.ok(performance.now() - started < 2_000);
  });
});

describe('tool output parsers', () => {
  it('groups tesseract TSV words into lines, a blank line between blocks', () => {
    const header = 'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext';
    const word = (block: number, line: number, n: number, conf: number, text: string) => `5\t1\t${block}\t1\t${line}\t${n}\t0\t0\t1\t1\t${conf}\t${text}`;
    const tsv = [header, '1\t1\t0\t0\t0\t0\t0\t0\t9\t9\t-1\t', word(1, 1, 1, 96, '#8'), word(1, 1, 2, 90, 'importing'), word(1, 2, 1, 80, 'CACHED'), word(2, 1, 1, 70, 'Zażółć'), word(2, 1, 2, 0, ' ')].join('\n');
    assert.deepEqual(parseTesseractTsv(tsv), { lines: ['#8 importing', 'CACHED', '', 'Zażółć'], words: 4, meanConfidence: 84 });
    assert.deepEqual(parseTesseractTsv(header), { lines: [], words: 0, meanConfidence: 0 });
  });

  it('numbers pdfimages -list rows per page, inline images included', () => {
    const list = [
      'page   num  type   width height color comp bpc  enc interp  object ID x-ppi y-ppi size ratio',
      '--------------------------------------------------------------------------------------------',
      '   1     0 image     900   300  icc     3   8  image  no         7  0   126   126 14.8K 1.9%',
      '   2     1 image      16    16  rgb     3   8  image  no   [inline]     72    72  100B 50%',
      '   2     2 smask     900   300  gray    1   8  image  no         9  0   252   252 1.2K 1.9%',
      '   2     3 image     900   300  icc     3   8  image  no         7  0   252   252 14.8K 1.9%',
    ].join('\n');
    assert.deepEqual(parseImageList(list).map((i) => [i.page, i.indexOnPage, i.type, i.object]), [
      [1, 0, 'image', '7 0'],
      [2, 0, 'image', 'inline 2 0'],
      [2, 1, 'smask', '9 0'],
      [2, 2, 'image', '7 0'],
    ]);
  });
});
