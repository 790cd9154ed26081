// Report vs reality, across a batch (issue 12 point 6): the same pasted log, manifest or digest in two works is flagged, not failed.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { sharedEvidence, summaryMarkdown, summaryRows, type SummaryInput } from '../../grader/batch/summary.ts';
import { collectReportEvidence } from '../../grader/grade/report-evidence.ts';
import type { GradeResult } from '../../grader/results/types.ts';
import { loadRubric } from '../../grader/rubric/load-rubric.ts';

const REPORT = 'submissions/example/sprawozdanie.md';

describe('identical evidence across students', () => {
  test('the same report pasted twice shares its log, manifest and digest; another report shares none', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'grader-shared-'));
    try {
      const text = await readFile(REPORT, 'utf8');
      await writeFile(path.join(root, 'a.md'), text);
      // Trailing blanks and CRLF line ends (another editor): still the same paste.
      await writeFile(path.join(root, 'b.md'), text.replace(/\n/g, '  \r\n'));
      await writeFile(path.join(root, 'c.md'), text.replace(/CACHED/g, 'DONE 0.1s'));
      const prints = await Promise.all(['a.md', 'b.md', 'c.md'].map(async (f) => (await collectReportEvidence({ root, files: [f], fetchImages: false })).fingerprints));
      assert.deepEqual(prints[0]!.map((p) => p.kind), ['manifest', 'build-log', 'digest']);
      assert.deepEqual(prints[0]!.map((p) => p.hash), prints[1]!.map((p) => p.hash));
      assert.notEqual(prints[2]!.find((p) => p.kind === 'build-log')?.hash, prints[0]!.find((p) => p.kind === 'build-log')?.hash);

      const input = (key: string, i: number): SummaryInput => ({ key, result: { submission: { evidence: prints[i] } } as unknown as GradeResult });
      const shared = sharedEvidence([input('s1', 0), input('s2', 1), input('s3', 2)]);
      assert.deepEqual(shared.map((g) => [g.kind, g.keys]), [['manifest', ['s1', 's2', 's3']], ['build-log', ['s1', 's2']], ['digest', ['s1', 's2', 's3']]]);
      assert.match(shared[1]!.places.join('; '), /^s1: a\.md, wiersz \d+; s2: b\.md, wiersz \d+$/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  test('the summary lists them under "Identyczne dowody" without changing anyone\'s grade', async () => {
    const rubric = await loadRubric();
    const result = (evidence: unknown) => JSON.parse(JSON.stringify({ ...BASE, submission: { ...BASE.submission, evidence } })) as GradeResult;
    const print = [{ kind: 'build-log', file: 'README.md', line: 40, hash: 'abc' }];
    const inputs: SummaryInput[] = [{ key: 's1', result: result(print) }, { key: 's2', result: result(print) }];
    const md = summaryMarkdown(summaryRows(inputs, rubric), inputs, rubric, { title: 't', generatedAt: '2026-12-02T00:00:00Z' } as never);
    assert.match(md, /## Identyczne dowody/);
    assert.match(md, /- identyczne dowody u: `s1`, `s2` \(log budowania: s1: README\.md, wiersz 40; s2: README\.md, wiersz 40\)/);
  });

  test('report.consistency flags get their own section, and a student without a flag is not in it', async () => {
    const rubric = await loadRubric();
    const flagged = { id: 'report.consistency', status: 'manual', message: 'Sprawozdanie nie we wszystkim zgadza się z repozytorium (1 rozbieżność; to nie odbiera punktów, ale warto to sprawdzić). Digest obrazu w sprawozdaniu <b>x</b> nie zgadza się.', evidence: [] };
    const clean = { ...flagged, status: 'pass', message: 'Sprawozdanie zgadza się z repozytorium.' };
    const result = (c: object) => JSON.parse(JSON.stringify({ ...BASE, checks: [c] })) as GradeResult;
    const inputs: SummaryInput[] = [{ key: 's1', result: result(flagged) }, { key: 's2', result: result(clean) }];
    const md = summaryMarkdown(summaryRows(inputs, rubric), inputs, rubric, { title: 't', generatedAt: '2026-12-02T00:00:00Z' } as never);
    const section = md.slice(md.indexOf('## Sprawozdanie a repozytorium'));
    assert.match(section, /^## Sprawozdanie a repozytorium\n\nSprawozdania, które nie we wszystkim zgadzają się/);
    assert.match(section, /^- `s1`: Sprawozdanie nie we wszystkim zgadza się z repozytorium \\\(1 rozbieżność;/m, 'Markdown escapes the parenthesis');
    assert.doesNotMatch(section, /<b>/, 'student text is escaped');
    assert.doesNotMatch(section.split('\n## ')[0]!, /`s2`/);
  });
});

const BASE = {
  schemaVersion: 1, tool: { name: 'buildx-grader', version: '0' }, gradedAt: '2026-12-02T00:00:00Z', rubric: { id: 'lab7', title: 'Lab 7' },
  student: { id: 's1', name: 'A' }, submission: { dockerfile: 'Dockerfile', context: '.', platforms: [] }, environment: { versions: {} }, builds: [],
  checks: [], score: { points: 0, max: 17, bonusPoints: 0, bonusMax: 8.5, percent: 0, grade: 'x', requiredFailed: [] }, needsRegrade: false,
};
