// Images the grader runs itself, fetched on first use. A mirror in the loopback base registry
// stands in for Docker Hub: the pull path is the real one, and nothing leaves this machine.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { runStudentScript } from '../../grader/bonus/sandbox.ts';
import { DockerCli, newRunId } from '../../grader/docker/docker.ts';
import { leftovers } from '../../grader/docker/run-resources.ts';
import { InfraError } from '../../grader/errors.ts';
import { RegistryClient } from '../../grader/registry/client.ts';
import { startRegistry7 } from '../../grader/registry/registry7.ts';
import { run } from '../../grader/util/exec.ts';
import { BASE, stackSkip } from '../helpers/stack.ts';

const skip = await stackSkip({ sandboxImage: true });
const docker = new DockerCli();
const MIRROR = '127.0.0.1:5055/mirror/registry:2';
const nothingLeft = { containers: [], networks: [], volumes: [] };

describe('runtime images: fetched on first use, or a message that says how', { skip }, () => {
  after(async () => {
    // Only the mirror tag goes; the registry:2 image it points at stays.
    await docker.removeImages([MIRROR]);
  });

  test('registry7 pulls its image (with progress) when it is not local', async () => {
    for (const argv of [['tag', 'registry:2', MIRROR], ['push', '-q', MIRROR], ['image', 'rm', MIRROR]]) {
      const r = await run('docker', argv, { timeoutMs: 120_000 });
      assert.equal(r.exitCode, 0, `docker ${argv.join(' ')}: ${r.stderr}`);
    }
    assert.equal(await docker.imageExists(MIRROR), false);
    const lines: string[] = [];
    const runId = newRunId('t-img');
    const r7 = await startRegistry7({ docker, runId, image: MIRROR, onProgress: (l) => lines.push(l) });
    try {
      assert.match(lines[0] ?? '', /^pobieranie obrazu 127\.0\.0\.1:5055\/mirror\/registry:2 \(registry7/);
      assert.equal(await docker.imageExists(MIRROR), true);
      // The pulled registry answers: an unknown manifest is a 404 (null), not a connection error.
      assert.equal(await new RegistryClient({ retries: 0 }).headManifest(`${r7.host}/nothing/here:x`), null);
    } finally {
      await r7.stop();
    }
    assert.deepEqual(await leftovers(runId), nothingLeft);
  });

  test('a registry image that cannot be had: the error names it and every way to get it', async () => {
    const runId = newRunId('t-img');
    const error = await startRegistry7({ docker, runId, image: '127.0.0.1:5055/mirror/registry:absent' }).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof InfraError, String(error));
    assert.match(error.message, /Brak obrazu 127\.0\.0\.1:5055\/mirror\/registry:absent — registry7/);
    assert.match(error.message, /docker pull 127\.0\.0\.1:5055\/mirror\/registry:absent/);
    assert.match(error.message, /GRADER_REGISTRY_IMAGE=/);
    assert.match(error.message, /npm run setup/);
    assert.deepEqual(await leftovers(runId), nothingLeft);
  });

  test('a sandbox image that cannot be had: the deletion script is not gradable, with the same kind of message', async () => {
    const runId = newRunId('t-img');
    const outcome = await runStudentScript({
      client: new RegistryClient({ retries: 0 }),
      runId,
      submissionDir: 'submissions/example',
      script: 'delete-cache.sh',
      imageRef: '127.0.0.1:5055/s99656/pogoda:multiarch',
      cacheRef: '127.0.0.1:5055/s99656/pogoda:buildcache',
      source: { container: BASE },
      registryDelete: { enabled: true, basis: 'registry7 z włączonym usuwaniem (test)' },
      gcBy: null,
      sandboxImage: '127.0.0.1:5055/mirror/sandbox:absent',
    });
    assert.equal(outcome.exitCode, null, 'the script never ran');
    assert.match(outcome.infraError ?? '', /Brak obrazu 127\.0\.0\.1:5055\/mirror\/sandbox:absent — piaskownica/);
    assert.match(outcome.infraError ?? '', /GRADER_SANDBOX_IMAGE=/);
    assert.deepEqual(await leftovers(runId), nothingLeft);
  });
});
