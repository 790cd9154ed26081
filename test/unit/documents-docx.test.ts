// DOCX reports: text with line numbers and the pictures in them, from a DOCX the `docx` library
// writes as Word would; zip bombs refused before inflating (issue 13, "Limits").
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Document, HeadingLevel, ImageRun, Packer, Paragraph, Tab, Table, TableCell, TableRow, TextRun } from 'docx';
import { wordprocessingText } from '../../grader/documents/docx.ts';
import { DOCUMENT_LIMITS } from '../../grader/documents/limits.ts';
import { readDocument } from '../../grader/documents/read-document.ts';
import type { DocumentResult, DocumentText } from '../../grader/documents/types.ts';
import { greyPng } from '../helpers/png.ts';
import { deflatedZeros, minimalDocx, zip } from '../helpers/zip.ts';

const MIB = 1024 * 1024;
let repo: string;
let counter = 0;

before(async () => {
  repo = await realpath(await mkdtemp(path.join(tmpdir(), 'documents-docx-')));
  await mkdir(path.join(repo, 'docs'));
});
after(async () => {
  await rm(repo, { recursive: true, force: true });
});

async function read(bytes: Buffer, limits = {}): Promise<DocumentResult> {
  const name = `docs/sprawozdanie-${++counter}.docx`;
  await writeFile(path.join(repo, name), bytes);
  return readDocument(name, { root: repo, limits });
}

function text(result: DocumentResult): DocumentText {
  assert.ok(result.ok, result.ok ? '' : `${result.reason}: ${result.message}`);
  return result;
}

function refusal(result: DocumentResult, reason: string) {
  assert.equal(result.ok, false, 'expected a refusal');
  assert.ok(!result.ok);
  assert.equal(result.reason, reason, result.message);
  return result;
}

describe('DOCX as Word writes it', () => {
  it('gives paragraphs as lines, line breaks and tabs kept, and each picture with its line', async () => {
    const screenshot = greyPng(320, 80);
    const doc = new Document({
      sections: [
        {
          children: [
            new Paragraph({ text: 'Sprawozdanie – laboratorium 7', heading: HeadingLevel.HEADING_1 }),
            new Paragraph('Zbudowałem obraz dla dwóch platform:'),
            new Paragraph({
              children: [
                new TextRun({ text: 'docker buildx build --platform linux/amd64,linux/arm64 \\', font: 'Consolas' }),
                new TextRun({ text: '  --cache-to type=registry,ref=registry7:5000/app:buildcache,mode=max --push .', font: 'Consolas', break: 1 }),
              ],
            }),
            new Paragraph({ children: [new TextRun({ children: ['#8', new Tab(), 'CACHED'] })] }),
            new Table({ rows: [new TableRow({ children: [new TableCell({ children: [new Paragraph('linux/amd64')] }), new TableCell({ children: [new Paragraph('linux/arm64')] })] })] }),
            new Paragraph({ children: [new ImageRun({ type: 'png', data: screenshot, transformation: { width: 320, height: 80 } })] }),
            new Paragraph('Zażółć gęślą jaźń & <koniec>'),
          ],
        },
      ],
    });
    const result = text(await read(await Packer.toBuffer(doc)));
    assert.equal(result.kind, 'docx');
    assert.equal(result.confidence, 'text');
    const lines = result.lines.map((l) => l.text);
    assert.deepEqual(lines, [
      'Sprawozdanie – laboratorium 7',
      'Zbudowałem obraz dla dwóch platform:',
      'docker buildx build --platform linux/amd64,linux/arm64 \\',
      '  --cache-to type=registry,ref=registry7:5000/app:buildcache,mode=max --push .',
      '#8\tCACHED',
      'linux/amd64',
      'linux/arm64',
      '[obraz 1]',
      'Zażółć gęślą jaźń & <koniec>',
    ]);
    assert.equal(result.lines[3]!.number, 4);
    assert.equal(result.images.length, 1);
    const [image] = result.images;
    assert.equal(image!.line, 8);
    assert.match(image!.ref, /^word\/media\/.+\.png$/);
    assert.deepEqual(Buffer.from(image!.bytes!), screenshot);
  });

  it('leaves out deleted text, field codes, tab stops and the fallback copy of alternate content', () => {
    const xml =
      '<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t xml:space="preserve">docker </w:t></w:r>' +
      '<w:del><w:r><w:delText>podman</w:delText></w:r></w:del><w:r><w:instrText> HYPERLINK "x" </w:instrText></w:r>' +
      '<w:r><w:t>buildx &amp;&amp; echo &#x105;&#261;</w:t></w:r></w:p>' +
      '<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><a:blip r:embed="rId9"/></w:drawing></mc:Choice>' +
      '<mc:Fallback><w:pict><v:imagedata r:id="rId9"/><w:t>kopia</w:t></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>';
    assert.deepEqual(wordprocessingText(xml), { text: 'docker buildx && echo ąą\n[obraz 1]', imageIds: [{ id: 'rId9', line: 2 }] });
  });

  it('passes a linked (not embedded) picture on as its address, for the remote-image policy', async () => {
    const body = '<w:p><w:r><w:drawing><a:blip r:link="rId5"/></w:drawing></w:r></w:p>';
    const rels = '<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="https://example.com/zrzut.png" TargetMode="External"/>';
    const result = text(await read(minimalDocx(body, [], rels)));
    assert.deepEqual(result.images, [{ ref: 'https://example.com/zrzut.png', line: 1 }]);
  });

  it('extracts pictures only up to the OCR count; the rest are listed as skipped', async () => {
    const png = greyPng(120, 40);
    const body = ['rId1', 'rId2', 'rId1'].map((id) => `<w:p><w:r><w:drawing><a:blip r:embed="${id}"/></w:drawing></w:r></w:p>`).join('');
    const rels = [1, 2].map((n) => `<Relationship Id="rId${n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image${n}.png"/>`).join('');
    const media = [1, 2].map((n) => ({ name: `word/media/image${n}.png`, data: png }));
    const result = text(await read(minimalDocx(body, media, rels), { ocrImages: 1 }));
    assert.deepEqual(result.images.map((i) => [i.ref, i.line, Boolean(i.bytes), i.skipped?.limit?.name]), [
      ['word/media/image1.png', 1, true, undefined],
      ['word/media/image2.png', 2, false, 'ocrImages'],
      ['word/media/image1.png', 3, true, undefined],
    ]);
  });
});

describe('DOCX that is not what it claims', () => {
  it('refuses a zip bomb by the size it declares, before inflating anything', async () => {
    // 4 GiB - 1 of zeros in 4 MiB of deflate data.
    const bomb = minimalDocx('<w:p><w:r><w:t>ok</w:t></w:r></w:p>', [
      { name: 'word/media/image1.png', data: deflatedZeros(4096 - 1), deflated: true, declaredSize: 4096 * MIB - 1 },
    ]);
    const started = performance.now();
    const problem = refusal(await read(bomb), 'limit-exceeded');
    const ms = performance.now() - started;
    assert.ok(ms < 1_000, `took ${Math.round(ms)} ms: it inflated`);
    assert.equal(problem.limit?.name, 'docxUnpackedBytes');
    assert.equal(problem.limit?.max, DOCUMENT_LIMITS.docxUnpackedBytes);
    assert.ok(problem.limit!.actual! > 4095 * MIB);
    assert.match(problem.message, /^Plik DOCX po rozpakowaniu zająłby 4 ?096 MiB, a grader rozpakowuje najwyżej 50 MiB\./);
  });

  it('stops an entry that inflates past the size it declares (2 GiB declared as 200 bytes)', async () => {
    const liar = zip([
      { name: '_rels/.rels', data: Buffer.from('<Relationships/>') },
      { name: 'word/document.xml', data: deflatedZeros(2048), deflated: true, declaredSize: 200 },
    ]);
    const started = performance.now();
    const problem = refusal(await read(liar), 'damaged');
    const ms = performance.now() - started;
    assert.ok(ms < 1_000, `took ${Math.round(ms)} ms: it inflated`);
    assert.match(problem.message, /bomba ZIP/);
  });

  it('refuses an archive with more entries than a document has, from its directory', async () => {
    const many = Array.from({ length: DOCUMENT_LIMITS.docxEntries + 1 }, (_, i) => ({ name: `word/x${i}.xml`, data: Buffer.from('<x/>') }));
    const problem = refusal(await read(zip(many)), 'limit-exceeded');
    assert.deepEqual(problem.limit, { name: 'docxEntries', max: DOCUMENT_LIMITS.docxEntries, actual: DOCUMENT_LIMITS.docxEntries + 1 });
  });

  it('says what is wrong with an ODT, a truncated archive and one without a Word document', async () => {
    const odt = zip([{ name: 'mimetype', data: Buffer.from('application/vnd.oasis.opendocument.text') }, { name: 'content.xml', data: Buffer.from('<x/>') }]);
    assert.match(refusal(await read(odt), 'unsupported-format').message, /word\/document\.xml/);
    const whole = minimalDocx('<w:p><w:r><w:t>ok</w:t></w:r></w:p>');
    assert.match(refusal(await read(whole.subarray(0, whole.length - 30)), 'damaged').message, /uszkodzony/);
  });
});
