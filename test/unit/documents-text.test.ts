// Reading a text report: numbered lines, encodings, containment in the repository, the size limit (issue 13).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DOCUMENT_LIMITS, limitMessage, type LimitName } from '../../grader/documents/limits.ts';
import { decodeText, lineLabel, pageStartsOf, readDocument } from '../../grader/documents/read-document.ts';
import type { DocumentResult } from '../../grader/documents/types.ts';

let repo: string;
let outside: string;

before(async () => {
  const tmp = await realpath(await mkdtemp(path.join(tmpdir(), 'documents-text-')));
  repo = path.join(tmp, 'repo');
  outside = path.join(tmp, 'outside');
  await mkdir(path.join(repo, 'docs'), { recursive: true });
  await mkdir(outside);
});
after(async () => {
  await rm(path.dirname(repo), { recursive: true, force: true });
});

function expectProblem(result: DocumentResult, reason: string): Extract<DocumentResult, { ok: false }> {
  assert.equal(result.ok, false, 'expected a refusal');
  assert.equal(result.ok === false && result.reason, reason, result.ok === false ? result.message : '');
  return result as Extract<DocumentResult, { ok: false }>;
}

describe('text reports', () => {
  it('numbers the lines of a Markdown report as written, CRLF or not', async () => {
    const report = '# Sprawozdanie\r\n\r\n```\r\ndocker buildx build --platform linux/amd64,linux/arm64 .\r\n```\r\nZażółć gęślą jaźń\n';
    await writeFile(path.join(repo, 'sprawozdanie.md'), report);
    const result = await readDocument('sprawozdanie.md', { root: repo });
    assert.ok(result.ok);
    assert.equal(result.kind, 'text');
    assert.equal(result.confidence, 'text');
    assert.deepEqual(result.lines[3], { number: 4, text: 'docker buildx build --platform linux/amd64,linux/arm64 .' });
    assert.equal(result.lines[5]!.text, 'Zażółć gęślą jaźń');
    assert.equal(result.text.split('\n').length, result.lines.length);
    assert.equal(lineLabel(result.lines[3]!), 'wiersz 4');
    assert.deepEqual(result.images, []);
  });

  it('decodes UTF-8 with a BOM, UTF-16 from Windows and legacy Windows-1250', () => {
    const polish = 'Zażółć gęślą jaźń';
    assert.equal(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(polish)])), polish);
    assert.equal(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(polish, 'utf16le')])), polish);
    const be = Buffer.from(polish, 'utf16le').swap16();
    assert.equal(decodeText(Buffer.concat([Buffer.from([0xfe, 0xff]), be])), polish);
    // "Zażółć" in Windows-1250: ż=0xBF, ó=0xF3, ł=0xB3, ć=0xE6.
    assert.equal(decodeText(Buffer.from([0x5a, 0x61, 0xbf, 0xf3, 0xb3, 0xe6])), 'Zażółć');
    assert.equal(decodeText(Buffer.from([0x00, 0x01, 0x02, 0x03])), undefined);
  });

  it('refuses a 50 MB report by its size, at once and without reading it', async () => {
    const big = path.join(repo, 'duze.md');
    await writeFile(big, '');
    await truncate(big, 50 * 1000 * 1000); // sparse: costs no disk
    const started = performance.now();
    const problem = expectProblem(await readDocument(big, { root: repo }), 'limit-exceeded');
    assert.ok(performance.now() - started < 500, 'a size check, not a read');
    assert.deepEqual(problem.limit, { name: 'reportBytes', max: DOCUMENT_LIMITS.reportBytes, actual: 50_000_000 });
    assert.equal(problem.fault, 'submission');
    assert.match(problem.message, /^Plik sprawozdania ma 47,7 MiB, a grader czyta sprawozdania do 20 MiB\. Zmniejsz plik/);
  });

  it('keeps to the repository: no escape by path or symlink, no FIFO, no missing file', async () => {
    await writeFile(path.join(outside, 'secret.md'), 'haslo');
    await symlink(path.join(outside, 'secret.md'), path.join(repo, 'link.md'));
    expectProblem(await readDocument('link.md', { root: repo }), 'outside-repository');
    expectProblem(await readDocument('../outside/secret.md', { root: repo }), 'outside-repository');
    expectProblem(await readDocument(path.join(outside, 'secret.md'), { root: repo }), 'outside-repository');
    execFileSync('mkfifo', [path.join(repo, 'fifo.md')]);
    expectProblem(await readDocument('fifo.md', { root: repo }), 'not-a-file');
    expectProblem(await readDocument('docs', { root: repo }), 'not-a-file');
    const missing = expectProblem(await readDocument('brak.md', { root: repo }), 'missing');
    assert.equal(missing.message, 'Nie ma pliku sprawozdania „brak.md” w repozytorium.');
  });

  it('recognises formats by their bytes and names what to hand in instead', async () => {
    const cases: [string, Buffer, RegExp][] = [
      ['stary.doc', Buffer.from('d0cf11e0a1b11ae1000000', 'hex'), /Word 97–2003 \(DOC\)/],
      ['raport.rtf', Buffer.from('{\\rtf1\\ansi Sprawozdanie}'), /RTF/],
      ['zrzut.md', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), /samym obrazem/],
      ['binarny.txt', Buffer.from([0x00, 0x00, 0x00, 0x10, 0x20]), /nie jest tekstem, PDF ani DOCX/],
    ];
    for (const [name, bytes, message] of cases) {
      await writeFile(path.join(repo, name), bytes);
      assert.match(expectProblem(await readDocument(name, { root: repo }), 'unsupported-format').message, message);
    }
  });
});

describe('limit messages', () => {
  it('every limit has a Polish sentence, with and without the value seen', () => {
    for (const name of Object.keys(DOCUMENT_LIMITS) as LimitName[]) {
      for (const actual of [undefined, DOCUMENT_LIMITS[name] * 2]) {
        const message = limitMessage({ name, max: DOCUMENT_LIMITS[name], ...(actual !== undefined && { actual }) });
        assert.match(message, /^[A-ZŁŚŻŹĆ][^]*\.$/, `${name}: ${message}`);
        assert.doesNotMatch(message, /undefined|NaN/, `${name}: ${message}`);
      }
    }
    assert.equal(limitMessage({ name: 'pdfPages', max: 300, actual: 412 }), 'Sprawozdanie w PDF ma 412 stron, a grader czyta najwyżej 300 stron.');
    assert.equal(
      limitMessage({ name: 'docxEntries', max: 1000 }),
      'Plik DOCX składa się z za wielu plików wewnętrznych: grader przyjmuje najwyżej 1000 plików wewnętrznych. Zapisz dokument ponownie w edytorze albo jako PDF.',
    );
    assert.equal(limitMessage({ name: 'ocrImages', max: 30 }), 'Sprawozdanie ma więcej niż 30 obrazów do odczytu (OCR); ten obraz pominięto.');
    assert.equal(limitMessage({ name: 'imagePixels', max: 40_000_000, actual: 100_000_000 }), 'Obraz ma 100 Mpx, a grader odczytuje obrazy do 40 Mpx.');
    assert.equal(limitMessage({ name: 'ocrTimeMs', max: 30_000 }), 'Odczyt tekstu z obrazu (OCR) trwał dłużej niż 30 s i został przerwany.');
  });
});

describe('PDF pages of the extracted text', () => {
  it('gives the line each page starts on; a page without text starts where the next text does', () => {
    const lines = [
      { number: 1, text: 'a', page: 1, pageLine: 1 }, { number: 2, text: 'b', page: 1, pageLine: 2 },
      { number: 3, text: 'c', page: 3, pageLine: 1 }, { number: 4, text: 'd', page: 4, pageLine: 1 },
    ];
    assert.deepEqual(pageStartsOf(lines), [1, 3, 3, 4]);
    assert.deepEqual(pageStartsOf([{ number: 1, text: 'docx' }]), []);
  });
});
