// The bonus end to end in the grader's real registry7 (startRegistry7), holding the example's image and cache.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { gradeBonus } from '../../grader/bonus/grade-bonus.ts';
import { DockerCli, newRunId, runContainerArgs } from '../../grader/docker/docker.ts';
import { leftovers, runLabels } from '../../grader/docker/run-resources.ts';
import { RegistryClient } from '../../grader/registry/client.ts';
import { startRegistry7 } from '../../grader/registry/registry7.ts';
import { BASE, stackSkip } from '../helpers/stack.ts';

const skip = await stackSkip({ sandboxImage: true });

describe('bonus: gradeBonus in the grader\'s registry7', { skip }, () => {
  test('example submission: script judged in the sandbox, grader\'s own test 202/404/bytes freed → pass', async () => {
    const runId = newRunId();
    const docker = new DockerCli();
    const r7 = await startRegistry7({ docker, runId });
    try {
      // Stand-in for the grader's two builds: the published example's storage, copied into registry7's volume.
      await docker.ok(runContainerArgs({
        image: 'registry:2', detach: false, labels: runLabels(runId), network: 'none', volumesFrom: [`${BASE}:ro`],
        volumes: [`${r7.volume}:/copy`], entrypoint: '/bin/busybox', args: ['cp', '-a', '/var/lib/registry/.', '/copy/'],
      }), 'skopiować przykładu do wolumenu registry7');
      const client = new RegistryClient({ retries: 0 });
      const started = performance.now();
      const check = await gradeBonus({
        client, registry7: r7,
        imageRef: `${r7.host}/s99656/pogoda:multiarch`, cacheRef: `${r7.host}/s99656/pogoda:buildcache`,
        submissionDir: resolve('submissions/example'), deleteScript: 'delete-cache.sh',
      });
      console.log(`gradeBonus: ${Math.round(performance.now() - started)} ms; ${check.message}`);
      console.log(JSON.stringify(check.metrics));
      assert.equal(check.status, 'pass', check.hint);
      assert.equal(check.metrics?.deleteStatus, 202);
      assert.equal(check.metrics?.cacheStatusAfter, 404);
      assert.ok(Number(check.metrics?.bytesFreed) > 0);
      assert.equal(check.metrics?.scriptStatus, 'pass');
      assert.ok(Number(check.metrics?.scriptBytesFreed) > 0);
    } finally {
      await r7.stop();
    }
    assert.deepEqual(await leftovers(runId), { containers: [], networks: [], volumes: [] });
  });
});
