// The report checks on a DOCX report written as Word writes it (issue 12 "Done when"): a wrong
// report (docker driver, --load, one platform, cache under the image's tag, DELETE by tag) fails
// each requirement saying why, quoting DOCX lines.
import assert from 'node:assert/strict';
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Document, HeadingLevel, Packer, Paragraph, TextRun } from 'docx';
import { REPORT_CHECK_IDS, reportChecks } from '../../grader/checks/report/index.ts';
import { collectReportEvidence } from '../../grader/grade/report-evidence.ts';

const mono = (text: string) => new Paragraph({ children: [new TextRun({ text, font: 'Consolas' })] });

describe('report checks on a DOCX report', () => {
  test('a wrong report: each requirement fails or gets partial credit, with the reason and a DOCX line', async () => {
    const repo = await realpath(await mkdtemp(path.join(tmpdir(), 'report-docx-')));
    try {
      const doc = new Document({
        sections: [{
          children: [
            new Paragraph({ text: 'Sprawozdanie – laboratorium 7', heading: HeadingLevel.HEADING_1 }),
            new Paragraph('Builder utworzyłem poleceniem:'),
            mono('docker buildx create --name mybuilder --driver docker --use'),
            new Paragraph('Registry uruchomiłem tak:'),
            mono('docker run -d -p 5000:5000 --name rejestr registry:2'),
            new Paragraph('Budowanie:'),
            mono('docker buildx build --platform linux/amd64 -t localhost:5000/app:latest --load --cache-to type=registry,ref=localhost:5000/app:latest,mode=max .'),
            new Paragraph('Usunięcie cache:'),
            mono('curl -X DELETE http://localhost:5000/v2/app/manifests/latest'),
          ],
        }],
      });
      await writeFile(path.join(repo, 'sprawozdanie.docx'), await Packer.toBuffer(doc));
      const evidence = await collectReportEvidence({ root: repo, files: ['sprawozdanie.docx'], fetchImages: false });
      assert.equal(evidence.reports[0]?.extractedFrom, 'docx');
      const checks = Object.fromEntries(reportChecks(evidence, REPORT_CHECK_IDS).map((c) => [c.id, c]));
      const verdict = (id: string) => [checks[id]!.status, checks[id]!.partial ?? null];
      assert.deepEqual(verdict('report.builder'), ['fail', null]);
      assert.match(checks['report.builder']!.message, /nie używa sterownika docker-container \(--driver docker\)/);
      assert.deepEqual(verdict('report.platforms'), ['fail', 0.5]);
      assert.match(checks['report.platforms']!.message, /\(sprawozdanie\.docx, wiersz 7\) buduje tylko dla linux\/amd64/);
      assert.deepEqual(verdict('report.registry7'), ['fail', 0.5]);
      assert.deepEqual(verdict('report.cacheTo'), ['fail', 0.5]);
      assert.match(checks['report.cacheTo']!.message, /cache pod tą samą referencją co obraz/);
      assert.deepEqual(verdict('report.twoBuilds'), ['fail', 0.5]);
      assert.deepEqual(verdict('report.manifest'), ['fail', null]);
      assert.deepEqual(verdict('report.cacheEvidence'), ['fail', null]);
      assert.deepEqual(verdict('report.bonus'), ['fail', 0]);
      assert.match(checks['report.bonus']!.message, /DELETE wskazuje tag zamiast digestu/);
    } finally {
      await rm(repo, { recursive: true, force: true });
    }
  });
});
