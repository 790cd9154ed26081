// Deletion test in a real registry:2 (copy of the base registry's storage: the published example).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { buildRegistry7DeleteCheck } from '../../grader/checks/bonus-registry7-delete.ts';
import { runDeleteFlow } from '../../grader/bonus/delete-flow.ts';
import { judgeDeleteFlow } from '../../grader/bonus/judge.ts';
import { explain, findingOfAnswer, singleTagRecipe } from '../../grader/bonus/explain.ts';
import { createRegistryCopy, type RegistryCopy } from '../../grader/bonus/registry-copy.ts';
import { newRunId } from '../../grader/docker/docker.ts';
import { leftovers, removeRun } from '../../grader/docker/run-resources.ts';
import { RegistryClient } from '../../grader/registry/client.ts';
import { run } from '../../grader/util/exec.ts';
import { BASE, stackSkip } from '../helpers/stack.ts';

const REPO = 's99656/pogoda';
const skip = await stackSkip();

const runId = newRunId('test-flow');
const client = new RegistryClient({ retries: 0, timeoutMs: 10_000 });
let n = 0;
const copies: string[] = [];
/** A fresh copy of the base registry (the example's image + cache), own volume and port. */
async function fresh(deleteEnabled: boolean): Promise<RegistryCopy> {
  const id = `${runId}-${++n}`;
  // Recorded before creating, so a half-made copy is removed too.
  copies.push(id);
  return createRegistryCopy({ runId: id, fromContainer: BASE, deleteEnabled });
}
const refs = (c: RegistryCopy) => ({ imageRef: `${c.address}/${REPO}:multiarch`, cacheRef: `${c.address}/${REPO}:buildcache` });

describe('bonus: deletion flow in registry:2', { skip }, () => {
  after(async () => {
    for (const id of copies) assert.deepEqual(await removeRun(id), []);
    for (const id of copies) assert.deepEqual(await leftovers(id), { containers: [], networks: [], volumes: [] });
  });

  test('delete enabled: 202, tag 404 and gone from tags/list, image intact, bytes freed only by GC', async () => {
    const r7 = await fresh(true);
    const started = performance.now();
    const outcome = await runDeleteFlow({ client, registry7: r7, ...refs(r7) });
    console.log(`flow: ${Math.round(performance.now() - started)} ms, before ${outcome.bytesBefore}, after DELETE ${outcome.bytesAfterDelete}, after GC ${outcome.bytesAfterGc}; ${outcome.gc?.summary.line}`);
    assert.equal(outcome.infraError, undefined);
    assert.equal(outcome.deleteStatus, 202);
    assert.equal(outcome.cacheStatusAfter, 404);
    assert.equal(outcome.cacheListedAfter, false);
    assert.equal(outcome.imageStatusAfter, 200);
    assert.equal(outcome.imageStatusAfterGc, 200);
    assert.equal(outcome.gc?.exitCode, 0);
    assert.ok((outcome.gc?.summary.blobsDeleted ?? 0) > 0);
    const freed = outcome.bytesBefore! - outcome.bytesAfterGc!;
    const freedByDelete = outcome.bytesBefore! - outcome.bytesAfterDelete!;
    assert.ok(freed > 0, 'GC frees space');
    assert.ok(freedByDelete < freed, 'the DELETE alone frees less than GC (only tag links go)');

    assert.deepEqual(judgeDeleteFlow(outcome), { status: 'pass', findings: [], bytesFreed: freed, bytesFreedByDelete: freedByDelete });
    // As the model answer beside a submission without one: shown in full, worth nothing.
    const check = buildRegistry7DeleteCheck({ reference: outcome });
    assert.equal(check.status, 'fail');
    assert.equal(check.id, 'bonus.registry7.delete');
    assert.match(check.message, /^Brak odpowiedzi/);
    assert.equal(check.metrics?.referenceBytesFreed, freed);
    assert.equal(check.metrics?.referenceDeleteStatus, 202);
    const http = check.evidence.filter((e) => e.kind === 'http');
    assert.ok(http.some((e) => e.kind === 'http' && e.method === 'DELETE' && e.status === 202));
    assert.ok(http.some((e) => e.kind === 'http' && e.method === 'HEAD' && e.status === 404));
    assert.ok(check.evidence.some((e) => e.kind === 'table'));
    assert.ok(check.evidence.some((e) => e.kind === 'log' && e.lines.some((l) => /blobs marked/.test(l.text))));
  });

  test('delete disabled (registry:2 default): DELETE by digest answers 405 UNSUPPORTED, explained with the fix', async () => {
    const r7 = await fresh(false);
    const outcome = await runDeleteFlow({ client, registry7: r7, ...refs(r7) });
    assert.equal(outcome.deleteStatus, 405);
    assert.equal(outcome.deleteCode, 'UNSUPPORTED');
    assert.equal(outcome.gc, undefined, 'no GC after a refused DELETE');
    const asStudent = judgeDeleteFlow(outcome, 'student');
    assert.equal(asStudent.status, 'fail');
    assert.deepEqual(asStudent.findings, ['delete-disabled']);
    const e = explain('delete-disabled', { registry: r7.address, repository: REPO, tag: 'buildcache' });
    assert.match(`${e.cause} ${e.fix}`, /405 UNSUPPORTED/);
    assert.match(e.fix, /REGISTRY_STORAGE_DELETE_ENABLED=true/);
    assert.ok(e.docs.some((d) => d.url === 'https://distribution.github.io/distribution/about/configuration/#delete'));
    // In the grader's own registry7 the same answer is a grader fault: not gradable, never the student's failure.
    assert.equal(judgeDeleteFlow(outcome, 'grader').status, 'error');
  });

  test('DELETE by tag answers 400 DIGEST_INVALID, explained as "delete by digest"', async () => {
    const r7 = await fresh(true);
    const { cacheRef } = refs(r7);
    const answer = await client.deleteManifest(cacheRef, 'buildcache');
    assert.equal(answer.status, 400);
    assert.equal(answer.errorCode, 'DIGEST_INVALID');
    const key = findingOfAnswer({ method: 'DELETE', reference: 'tag', status: answer.status, errorCode: answer.errorCode });
    assert.equal(key, 'delete-by-tag');
    const e = explain(key!, { registry: r7.address, repository: REPO, tag: 'buildcache' });
    assert.match(e.cause, /400 DIGEST_INVALID/);
    assert.match(e.fix, /Docker-Content-Digest/);
    assert.notEqual(await client.headManifest(cacheRef), null, 'the tag is still there');
  });

  test('space is not freed until GC: blob storage is unchanged after the DELETE', async () => {
    const r7 = await fresh(true);
    const blobs = async () =>
      Number((await run('docker', ['exec', r7.container, 'du', '-sk', '/var/lib/registry/docker/registry/v2/blobs'])).stdout.split(/\s+/)[0]);
    const { cacheRef } = refs(r7);
    const before = await blobs();
    const head = await client.headManifest(cacheRef);
    assert.equal((await client.deleteManifest(cacheRef, head!.digest)).status, 202);
    assert.equal(await blobs(), before, 'DELETE leaves every blob on disk');
    const gc = await r7.garbageCollect({ deleteUntagged: false });
    assert.equal(gc.exitCode, 0);
    assert.ok((await blobs()) < before, 'GC removes the unreferenced blobs');
    const e = explain('space-not-freed', { registry: r7.address, repository: REPO, tag: 'buildcache' });
    assert.match(e.fix, /garbage-collect/);
  });

  test('deleting by digest removes every tag of that manifest; the single-tag recipe removes just one', async () => {
    const r7 = await fresh(true);
    const { cacheRef, imageRef } = refs(r7);
    const cache = await client.getManifest(cacheRef);
    await client.putManifest(`${r7.address}/${REPO}:cache-alias`, cache!.mediaType, cache!.raw);
    await client.putManifest(`${r7.address}/${REPO}:cache-keep`, cache!.mediaType, cache!.raw);

    // The recipe shown to students, run as is: removes only cache-alias.
    const recipe = singleTagRecipe({ registry: r7.address, repository: REPO, tag: 'cache-alias' });
    const sh = await run('sh', ['-c', recipe], { timeoutMs: 30_000 });
    assert.equal(sh.exitCode, 0, sh.stderr);
    assert.match(sh.stdout, /202 Accepted/);
    const tags = await client.listTags(cacheRef);
    assert.ok(!tags!.includes('cache-alias'));
    assert.ok(tags!.includes('cache-keep') && tags!.includes('buildcache'));

    const outcome = await runDeleteFlow({ client, registry7: r7, imageRef, cacheRef });
    assert.deepEqual(outcome.sharedTags, ['cache-keep']);
    assert.ok(!(await client.listTags(cacheRef))!.includes('cache-keep'), 'the shared tag went with the DELETE');
    const check = buildRegistry7DeleteCheck({ reference: outcome });
    const notes = check.evidence.find((e) => e.kind === 'text' && /jednego tagu/.test(e.text));
    assert.ok(notes && notes.kind === 'text' && /cache-keep/.test(notes.text));
  });

  test('GC --delete-untagged in registry:2 breaks a multi-platform image (why the flow does not use it)', async () => {
    const r7 = await fresh(true);
    const outcome = await runDeleteFlow({ client, registry7: r7, ...refs(r7), deleteUntagged: true });
    assert.equal(outcome.deleteStatus, 202);
    assert.equal(outcome.imageStatusAfterGc, 404, 'platform manifests are gone');
    const v = judgeDeleteFlow(outcome);
    assert.equal(v.status, 'fail');
    assert.ok(v.findings.includes('image-broken'));
    assert.match(explain('image-broken', { registry: r7.address, repository: REPO, tag: 'buildcache' }).fix, /issues\/3178/);
  });
});
