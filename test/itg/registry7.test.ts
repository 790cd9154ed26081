// The grader's own registry7 on the real engine: random loopback port, own name, label and volume.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { DockerCli, newRunId } from '../../grader/docker/docker.ts';
import { RUN_LABEL } from '../../grader/docker/run-resources.ts';
import { REGISTRY7_PREFIX, startRegistry7, useExistingRegistry, type Registry7 } from '../../grader/registry/registry7.ts';
import { run } from '../../grader/util/exec.ts';
import { stackSkip } from '../helpers/stack.ts';

const skip = await stackSkip();

const docker = new DockerCli();
const runId = `t${newRunId()}`;

async function v2Status(host: string): Promise<number> {
  const res = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(5_000) });
  await res.body?.cancel();
  return res.status;
}

describe('registry7', { skip }, () => {
  let r7: Registry7 | undefined;
  after(async () => {
    await r7?.stop();
    assert.deepEqual(await docker.listContainers({ [RUN_LABEL]: runId }), []);
    assert.deepEqual(await docker.listVolumes({ [RUN_LABEL]: runId }), []);
  });

  test('starts on a random loopback port, named, labelled, with its own volume', async () => {
    r7 = await startRegistry7({ docker, runId });
    const port = Number(r7.host.split(':')[1]);
    assert.match(r7.host, /^127\.0\.0\.1:\d+$/);
    assert.notEqual(port, 5000);
    assert.equal(r7.containerName, `${REGISTRY7_PREFIX}${runId}`);
    assert.equal(await v2Status(r7.host), 200);
    const [c, ...more] = await docker.listContainers({ [RUN_LABEL]: runId });
    assert.equal(more.length, 0);
    assert.equal(c?.name, r7.containerName);
    assert.equal(c?.state, 'running');
    assert.deepEqual(await docker.listVolumes({ [RUN_LABEL]: runId }), [r7.volume]);
  });

  test('delete is enabled: DELETE of an unknown digest is not 405', async () => {
    assert.ok(r7);
    const res = await fetch(`http://${r7.host}/v2/x/manifests/sha256:${'0'.repeat(64)}`, { method: 'DELETE' });
    await res.body?.cancel();
    assert.notEqual(res.status, 405);
  });

  test('storageBytes and an offline GC free the space of a deleted image; the registry answers again on the same host', async () => {
    assert.ok(r7);
    const ref = `${r7.host}/copy/busybox:latest`;
    const copy = await run('docker', ['buildx', 'imagetools', 'create', '-t', ref, '127.0.0.1:5055/library/busybox:latest'], { timeoutMs: 60_000 });
    assert.equal(copy.exitCode, 0, copy.stderr);
    const before = await r7.storageBytes();
    assert.ok(before > 100 * 1024, `${before}`);
    const head = await fetch(`http://${r7.host}/v2/copy/busybox/manifests/latest`, {
      method: 'HEAD', headers: { Accept: 'application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json' },
    });
    const digest = head.headers.get('docker-content-digest');
    assert.ok(digest);
    const del = await fetch(`http://${r7.host}/v2/copy/busybox/manifests/${digest}`, { method: 'DELETE' });
    assert.equal(del.status, 202);
    const gc = await r7.garbageCollect({ deleteUntagged: true });
    assert.equal(gc.exitCode, 0, gc.output);
    assert.ok(gc.argv.includes('--delete-untagged'));
    assert.match(gc.output, /blobs marked/);
    assert.equal(await v2Status(r7.host), 200);
    const after = await r7.storageBytes();
    assert.ok(after < before, `${after} < ${before}`);
    const [c] = await docker.listContainers({ [RUN_LABEL]: runId });
    assert.equal(c?.state, 'running');
  });

  test('stop removes the container and its volume', async () => {
    assert.ok(r7);
    await r7.stop();
    assert.equal(await docker.inspectContainer(r7.containerName ?? ''), undefined);
    assert.deepEqual(await docker.listVolumes({ [RUN_LABEL]: runId }), []);
    r7 = undefined;
  });

  test('--registry mode uses an existing registry and never stops it', async () => {
    const base = await useExistingRegistry('127.0.0.1:5055');
    assert.equal(base.managed, false);
    await base.stop();
    assert.equal(await v2Status('127.0.0.1:5055'), 200);
    await assert.rejects(base.garbageCollect(), /tylko dla registry7/);
  });
});
