// Self-check against a student's registry7 (real registry:2 containers, delete on and off).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createRegistryCopy, freeLoopbackPort } from '../../grader/bonus/registry-copy.ts';
import { describeSelfCheck, selfCheckRegistry7, SELF_CHECK_REPOSITORY } from '../../grader/bonus/self-check.ts';
import { newRunId } from '../../grader/docker/docker.ts';
import { leftovers, removeRun } from '../../grader/docker/run-resources.ts';
import { RegistryClient } from '../../grader/registry/client.ts';
import { BASE, stackSkip } from '../helpers/stack.ts';

const skip = await stackSkip();
const client = new RegistryClient({ retries: 0, timeoutMs: 10_000 });
const runIds: string[] = [];
const student = (deleteEnabled: boolean) => {
  const runId = newRunId('test-self');
  runIds.push(runId);
  return createRegistryCopy({ runId, fromContainer: BASE, deleteEnabled });
};

describe('bonus: self-check of a student\'s registry7', { skip }, () => {
  after(async () => {
    for (const id of runIds) {
      await removeRun(id);
      assert.deepEqual(await leftovers(id), { containers: [], networks: [], volumes: [] });
    }
  });

  test('delete enabled: 202 with a throwaway manifest; the student\'s tags are untouched', async () => {
    const r7 = await student(true);
    const tagsBefore = await client.listTags(`${r7.address}/s99656/pogoda`);
    const outcome = await selfCheckRegistry7({ client, registry: r7.address, target: `${r7.address}/s99656/pogoda:buildcache` });
    assert.equal(outcome.deleteEnabled, true);
    assert.deepEqual(outcome.steps.map((s) => s.status), [201, 400, 202, 404]);
    assert.equal(outcome.steps[1]?.errorCode, 'DIGEST_INVALID');
    assert.equal(outcome.targetDeleted, undefined, 'no --allow-delete: the target is not deleted');
    assert.deepEqual(await client.listTags(`${r7.address}/s99656/pogoda`), tagsBefore);
    assert.deepEqual(await client.listTags(`${r7.address}/${SELF_CHECK_REPOSITORY}`), [], 'the throwaway tag is gone');
    assert.equal(describeSelfCheck(outcome).ok, true);
  });

  test('delete disabled: 405 UNSUPPORTED with cause and fix', async () => {
    const r7 = await student(false);
    const outcome = await selfCheckRegistry7({ client, registry: r7.address });
    assert.equal(outcome.deleteEnabled, false);
    assert.equal(outcome.steps[2]?.status, 405);
    assert.equal(outcome.steps[2]?.errorCode, 'UNSUPPORTED');
    assert.ok(outcome.leftBehind?.startsWith(`${SELF_CHECK_REPOSITORY}@sha256:`));
    const text = describeSelfCheck(outcome);
    assert.equal(text.ok, false);
    assert.match(text.lines.join('\n'), /REGISTRY_STORAGE_DELETE_ENABLED=true/);
    assert.match(text.lines.join('\n'), /405 UNSUPPORTED/);
  });

  test('--allow-delete deletes the named tag of the student\'s by digest', async () => {
    const r7 = await student(true);
    const target = `${r7.address}/s99656/pogoda:buildcache`;
    const outcome = await selfCheckRegistry7({ client, registry: r7.address, target, allowDelete: true });
    assert.equal(outcome.targetDeleted?.status, 202);
    assert.equal(await client.headManifest(target), null);
    assert.notEqual(await client.headManifest(`${r7.address}/s99656/pogoda:multiarch`), null);
  });

  test('nothing listening: not gradable, explained as unreachable', async () => {
    const port = await freeLoopbackPort();
    const outcome = await selfCheckRegistry7({ client, registry: `127.0.0.1:${port}` });
    assert.equal(outcome.deleteEnabled, undefined);
    assert.ok(outcome.infraError);
    assert.equal(outcome.explanations[0]?.key, 'registry-unreachable');
  });
});
