/** Report bytes → text, and where a report's screenshots live. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { decodeReportBytes, imageLocation } from '../../grader/student-report/index.ts';

describe('decodeReportBytes', () => {
  const text = 'Zadanie 1: łączę się z registry7\n';
  it('UTF-8 (with or without BOM), UTF-16 from PowerShell, Windows-1250 from Notepad', () => {
    assert.deepEqual(decodeReportBytes(Buffer.from(text), 'a.md'), { ok: true, text, encoding: 'utf-8' });
    assert.deepEqual(decodeReportBytes(Buffer.from('\uFEFF' + text), 'a.md'), { ok: true, text, encoding: 'utf-8' });
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    assert.deepEqual(decodeReportBytes(utf16, 'log.txt'), { ok: true, text, encoding: 'utf-16le' });
    // "łączę" in Windows-1250: ł=B3 ą=B9 c z=7A ę=EA.
    const cp1250 = Buffer.from([0xb3, 0xb9, 0x63, 0x7a, 0xea]);
    assert.deepEqual(decodeReportBytes(cp1250, 'a.txt'), { ok: true, text: 'łączę', encoding: 'windows-1250' });
  });

  it('PDF, DOCX (a ZIP) and binary data are not text; too many bytes are refused', () => {
    assert.deepEqual(decodeReportBytes(Buffer.from('%PDF-1.7\n...'), 'r.pdf'), { ok: false, error: { code: 'not-text', file: 'r.pdf', looksLike: 'pdf' } });
    assert.deepEqual(decodeReportBytes(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14]), 'r.docx'), { ok: false, error: { code: 'not-text', file: 'r.docx', looksLike: 'zip' } });
    assert.deepEqual(decodeReportBytes(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00]), 'r.md'), { ok: false, error: { code: 'not-text', file: 'r.md', looksLike: 'binary' } });
    const big = new Uint8Array(5 * 1024 * 1024 + 1);
    assert.deepEqual(decodeReportBytes(big, 'r.md'), { ok: false, error: { code: 'too-large', file: 'r.md', bytes: big.length, limit: 5 * 1024 * 1024 } });
  });
});

describe('imageLocation', () => {
  it('remote: GitHub attachments (new and old hosts), other hosts, plain HTTP', () => {
    assert.deepEqual(imageLocation('https://github.com/user-attachments/assets/4cb6c3cd-2ae4-4e82-ba53-ff450eb6b01d', 'README.md'),
      { kind: 'remote', url: 'https://github.com/user-attachments/assets/4cb6c3cd-2ae4-4e82-ba53-ff450eb6b01d', https: true, githubAttachment: true });
    assert.equal(imageLocation('https://user-images.githubusercontent.com/1/2.png', 'README.md').kind, 'remote');
    assert.deepEqual(imageLocation('http://i.imgur.com/x.png', 'README.md'), { kind: 'remote', url: 'http://i.imgur.com/x.png', https: false, githubAttachment: false });
  });

  it('local: from the report\'s folder, `/` from the repository root, outside the repository, encoded names', () => {
    assert.deepEqual(imageLocation('img/a.png', 'docs/sprawozdanie.md'), { kind: 'local', path: 'docs/img/a.png', outside: false });
    assert.deepEqual(imageLocation('/img/a.png', 'docs/sprawozdanie.md'), { kind: 'local', path: 'img/a.png', outside: false });
    assert.deepEqual(imageLocation('../../a.png', 'docs/sprawozdanie.md'), { kind: 'local', path: '../a.png', outside: true });
    assert.deepEqual(imageLocation('zrzut%20ekranu.png?raw=true', 'README.md'), { kind: 'local', path: 'zrzut ekranu.png', outside: false });
    assert.deepEqual(imageLocation('C:%5CUsers%5Cjan%5Ca.png', 'README.md'), { kind: 'local', path: 'C:/Users/jan/a.png', outside: true });
  });

  it('data URIs, other schemes, empty sources', () => {
    assert.deepEqual(imageLocation('data:image/png;base64,iVBORw0KGgo=', 'README.md'), { kind: 'data', mediaType: 'image/png' });
    assert.deepEqual(imageLocation('ftp://host/a.png', 'README.md'), { kind: 'unsupported', reason: 'scheme' });
    assert.deepEqual(imageLocation('  ', 'README.md'), { kind: 'unsupported', reason: 'empty' });
  });
});
