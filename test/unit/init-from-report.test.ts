// `grader init --from-report FILE` (issue 12 point 1): the submission.json a student corrects, taken from their report.
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { skeletonFromReport } from '../../grader/batch/submission-skeleton.ts';
import { readReport } from '../../grader/student-report/read-report.ts';
import { grader } from '../helpers/cli.ts';

const SEED = '../shared/seeds/sprawozdanie-studenta-przyklad.md';

describe('init --from-report', () => {
  test('the real seed report: the builder and the build that covers most of the lab, its -t and --cache-to refs, each with its line', async () => {
    const r = readReport({ file: 'README.md', text: await readFile(SEED, 'utf8'), format: 'markdown' });
    assert.ok(r.ok);
    const s = skeletonFromReport(r.report);
    assert.equal(s.image, 's99656/apkapogodowaplus:multiarch-cache');
    assert.equal(s.cache, 's99656/apkapogodowaplus:buildcache');
    assert.equal(s.commands.length, 2);
    assert.match(s.commands[0]!, /^docker buildx create --name multiarch-builder --driver docker-container/);
    assert.match(s.commands[1]!, /--cache-to=type=registry,ref=s99656\/apkapogodowaplus:buildcache,mode=max/);
    assert.deepEqual(s.notes.map((n) => /\(README\.md, wiersz (\d+)/.exec(n)?.[1]), ['3', '25', '25', '25']);
  });

  test('the CLI writes a valid submission.json naming the report, and refuses an unreadable report with exit 2', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'grader-init-'));
    try {
      await copyFile('submissions/example/Dockerfile', path.join(dir, 'Dockerfile'));
      await copyFile(SEED, path.join(dir, 'README.md'));
      const bad = await grader(['init', dir, '--id', 's50001', '--name', 'Ola Nowak', '--from-report', 'brak.md']);
      assert.equal(bad.code, 2, bad.stderr);
      assert.match(bad.stderr, /--from-report: Nie ma pliku sprawozdania „brak\.md”/);
      const ok = await grader(['init', dir, '--id', 's50001', '--name', 'Ola Nowak', '--from-report', 'README.md']);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /Plik jest poprawny/);
      const written = JSON.parse(await readFile(path.join(dir, 'submission.json'), 'utf8'));
      assert.deepEqual(written.report, ['README.md']);
      assert.equal(written.build.commands.length, 2);
      assert.equal(written.published.cache, 's99656/apkapogodowaplus:buildcache');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
