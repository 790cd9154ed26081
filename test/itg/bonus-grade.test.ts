// The bonus end to end in the grader's real registry7 (startRegistry7), holding the example's image and cache.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { gradeBonus } from '../../grader/bonus/grade-bonus.ts';
import type { ParsedCommand } from '../../grader/commands/types.ts';
import { readMarkdownReport } from '../../grader/student-report/index.ts';
import { DockerCli, newRunId, runContainerArgs } from '../../grader/docker/docker.ts';
import { leftovers, runLabels } from '../../grader/docker/run-resources.ts';
import { RegistryClient } from '../../grader/registry/client.ts';
import { startRegistry7 } from '../../grader/registry/registry7.ts';
import { BASE, stackSkip } from '../helpers/stack.ts';

const skip = await stackSkip({ sandboxImage: true });

async function exampleReportCommands(): Promise<ParsedCommand[]> {
  const read = readMarkdownReport(await readFile(resolve('submissions/example/sprawozdanie.md'), 'utf8'), 'sprawozdanie.md');
  assert.ok(read.ok);
  return read.report.commands.map((c) => c.parsed);
}

describe('bonus: gradeBonus in the grader\'s registry7', { skip }, () => {
  /** registry7 holding the published example's storage: a stand-in for the grader's two builds. */
  async function withExampleRegistry7(body: (r7: Awaited<ReturnType<typeof startRegistry7>>) => Promise<void>): Promise<void> {
    const runId = newRunId();
    const docker = new DockerCli();
    const r7 = await startRegistry7({ docker, runId });
    try {
      await docker.ok(runContainerArgs({
        image: 'registry:2', detach: false, labels: runLabels(runId), network: 'none', volumesFrom: [`${BASE}:ro`],
        volumes: [`${r7.volume}:/copy`], entrypoint: '/bin/busybox', args: ['cp', '-a', '/var/lib/registry/.', '/copy/'],
      }), 'skopiować przykładu do wolumenu registry7');
      await body(r7);
    } finally {
      await r7.stop();
    }
    assert.deepEqual(await leftovers(runId), { containers: [], networks: [], volumes: [] });
  }
  const refs = (host: string) => ({ imageRef: `${host}/s99656/pogoda:multiarch`, cacheRef: `${host}/s99656/pogoda:buildcache` });
  const client = new RegistryClient({ retries: 0 });

  test('example submission: its script, judged in the sandbox on a copy, earns the bonus; the grader\'s own deletion is the reference', async () => {
    await withExampleRegistry7(async (r7) => {
      const started = performance.now();
      // The script deletes; the example's report gives the garbage-collect the grader runs for it.
      const check = await gradeBonus({ client, registry7: r7, ...refs(r7.host), submissionDir: resolve('submissions/example'), deleteScript: 'delete-cache.sh', commands: await exampleReportCommands() });
      console.log(`gradeBonus: ${Math.round(performance.now() - started)} ms; ${check.message}`);
      console.log(JSON.stringify(check.metrics));
      assert.equal(check.status, 'pass', check.hint);
      assert.equal(check.metrics?.scriptStatus, 'pass');
      assert.equal(check.metrics?.cacheStatusAfter, 404);
      assert.ok(Number(check.metrics?.bytesFreed) > 0);
      assert.equal(check.metrics?.referenceStatus, 'pass');
      assert.equal(check.metrics?.referenceDeleteStatus, 202);
    });
  });

  test('no deletion answer: 0 points, "brak odpowiedzi", though the grader\'s own deletion worked', async () => {
    await withExampleRegistry7(async (r7) => {
      const check = await gradeBonus({ client, registry7: r7, ...refs(r7.host), submissionDir: resolve('submissions/example'), commands: [] });
      assert.equal(check.status, 'fail');
      assert.match(check.message, /^Brak odpowiedzi: /);
      assert.equal(check.metrics?.referenceStatus, 'pass');
      assert.equal(check.metrics?.referenceDeleteStatus, 202);
    });
  });
});
