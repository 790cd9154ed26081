// Temp dirs of killed runs: only ours (owner file), only of dead processes, only of the given run.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { belongsToRun } from '../../grader/batch/leftovers.ts';
import { liveRunIds, OWNER_FILE, staleTempDirs } from '../../grader/util/temp-dir.ts';

describe('staleTempDirs', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'bg-unit-temp-'));
  after(() => rm(root, { recursive: true, force: true }));
  const dir = async (name: string, owner?: unknown) => {
    await mkdir(path.join(root, name));
    if (owner !== undefined) await writeFile(path.join(root, name, OWNER_FILE), typeof owner === 'string' ? owner : JSON.stringify(owner));
  };
  await dir('buildx-grader-dead1', { pid: 111, runId: 'r1-s1' });
  await dir('buildx-grader-bk-dead2', { pid: 112, runId: 'r2-s1' });
  await dir('buildx-grader-alive', { pid: 113, runId: 'r1-s2' });
  await dir('buildx-grader-noowner');
  await dir('buildx-grader-garbage', 'not json');
  await dir('other-dead', { pid: 111, runId: 'r1' });
  await symlink(path.join(root, 'buildx-grader-dead1'), path.join(root, 'buildx-grader-link'));
  const isAlive = (pid: number) => pid === 113;

  it('finds dirs with an owner file whose process is gone, nothing else', async () => {
    const found = await staleTempDirs({ root, isAlive });
    assert.deepEqual(found.map((d) => path.basename(d.dir)), ['buildx-grader-bk-dead2', 'buildx-grader-dead1']);
    assert.deepEqual(found.map((d) => d.runId), ['r2-s1', 'r1-s1']);
  });
  it('limits to a run', async () => {
    const found = await staleTempDirs({ root, isAlive, matchesRun: (id) => belongsToRun(id, 'r1') });
    assert.deepEqual(found.map((d) => path.basename(d.dir)), ['buildx-grader-dead1']);
  });
  it('names the runs still in progress, so cleanup spares their Docker objects', async () => {
    assert.deepEqual(await liveRunIds({ root, isAlive }), ['r1-s2']);
  });
});
