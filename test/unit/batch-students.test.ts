// Batch in dir mode: repositories as handed in count without submission.json (issue 12 point 1).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { discoverStudents } from '../../grader/batch/students.ts';
import { InputError } from '../../grader/errors.ts';

describe('discoverStudents (dir mode)', () => {
  let root = '';
  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'grader-students-'));
    const files: Record<string, string> = {
      's1/submission.json': '{}',
      's2/Dockerfile': 'FROM busybox\n',
      's3/sprawozdanie.md': '# Sprawozdanie\n',
      's4/Dockerfile_multi': 'FROM busybox\n',
      's5/.git/HEAD': 'ref: refs/heads/main\n',
      'zrzuty/ekran.png': 'x',
      '.cache/Dockerfile': 'FROM busybox\n',
    };
    for (const [f, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(root, f)), { recursive: true });
      await writeFile(path.join(root, f), text);
    }
  });
  after(() => rm(root, { recursive: true, force: true }));

  test('a folder with submission.json, a Dockerfile, a report or a git checkout is a student; others are listed as ignored', async () => {
    const d = await discoverStudents(root);
    assert.deepEqual(d.jobs.map((j) => j.key), ['s1', 's2', 's3', 's4', 's5']);
    assert.deepEqual(d.ignored, ['zrzuty']);
  });

  test('no folder holds a submission: an InputError that says what a submission folder holds', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'grader-students-empty-'));
    await mkdir(path.join(empty, 'zrzuty'));
    try {
      await assert.rejects(discoverStudents(empty), (e: unknown) => e instanceof InputError && /submission\.json, Dockerfile, sprawozdanie albo skrypt/.test(e.message));
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
