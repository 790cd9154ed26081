// The default (container) strategy on the real engine. Its fallback messages always run:
// a BuildKit image that cannot be had stops with the choices and never prunes. The two real
// builds run only where a BuildKit image can be had (GRADER_BUILDKIT_IMAGE, pulled from the
// loopback base registry by scripts/test.sh); without one they report a single skip line.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { labBuild, runBuild } from '../../grader/docker/build-runner.ts';
import { BUILDER_PREFIX, NETWORK_PREFIX, REGISTRY7_BUILDER_HOST, createContainerIsolation } from '../../grader/docker/container-isolation.ts';
import { DockerCli, newRunId } from '../../grader/docker/docker.ts';
import { resolveIsolation, type Isolation } from '../../grader/docker/isolation.ts';
import { RUN_LABEL } from '../../grader/docker/run-resources.ts';
import { IMAGE_ENV, runtimeImage } from '../../grader/docker/runtime-images.ts';
import { InfraError } from '../../grader/errors.ts';
import { startRegistry7, type Registry7 } from '../../grader/registry/registry7.ts';
import { run } from '../../grader/util/exec.ts';
import { stackSkip } from '../helpers/stack.ts';

const skip = await stackSkip();
const docker = new DockerCli();

/** Build cache records of the default builder: a prune would leave none. */
async function defaultBuilderRecords(): Promise<number> {
  const r = await run('docker', ['buildx', 'du', '--builder', 'default', '--format', 'json']);
  return r.stdout.split('\n').filter((l) => l.startsWith('{')).length;
}

describe('container isolation: when the BuildKit image cannot be had', { skip }, () => {
  test('auto stops with every choice named, pulls only the named image and prunes nothing', async () => {
    const missing = '127.0.0.1:5055/moby/buildkit:absent';
    const saved = process.env[IMAGE_ENV.buildkit];
    process.env[IMAGE_ENV.buildkit] = missing;
    const before = await defaultBuilderRecords();
    const lines: string[] = [];
    try {
      const error = await resolveIsolation('auto', {
        docker, runId: newRunId('t-ctr'), registry7: { host: 'unused', managed: false } as Registry7, onProgress: (l) => lines.push(l),
      }).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof InfraError, String(error));
      assert.match(error.message, new RegExp(`Brak obrazu ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      assert.match(error.message, /docker pull 127\.0\.0\.1:5055\/moby\/buildkit:absent/);
      assert.match(error.message, /GRADER_BUILDKIT_IMAGE=/);
      assert.match(error.message, /--isolation prune/);
      assert.match(lines[0] ?? '', /pobieranie obrazu 127\.0\.0\.1:5055\/moby\/buildkit:absent/);
      assert.equal(await defaultBuilderRecords(), before, 'the build cache must be left alone');
    } finally {
      if (saved === undefined) delete process.env[IMAGE_ENV.buildkit];
      else process.env[IMAGE_ENV.buildkit] = saved;
    }
  });

  test('a registry on the host loopback (--registry) is refused with the reason, before any builder exists', async () => {
    const isolation = createContainerIsolation({
      docker, runId: newRunId('t-ctr'), reason: 'test', image: 'unused',
      registry7: { host: '127.0.0.1:5000', managed: false } as Registry7,
    });
    await assert.rejects(isolation.prepare(), /pętli zwrotnej/);
  });
});

const image = runtimeImage('buildkit');
// Pulled only from this machine: tests never reach an outside registry.
const loopback = /^(?:127\.\d+\.\d+\.\d+|localhost)(?::\d+)?\//.test(image);
const available = !skip && (await docker.imageExists(image) || (loopback && (await run('docker', ['pull', '-q', image])).exitCode === 0));
const imageSkip = skip || (available ? false : `skipped: no moby/buildkit image (${image} is neither local nor in the loopback base registry)`);

describe('container isolation: two real builds through a private network', { skip: imageSkip }, () => {
  const runId = newRunId('t-ctr');
  let dir: string;
  let r7: Registry7;
  let isolation: Isolation;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bg-ctr-test-'));
    // FROM scratch: the builder's private network reaches no base registry, only registry7.
    await writeFile(path.join(dir, 'a.txt'), 'a\n');
    await writeFile(path.join(dir, 'Dockerfile'), 'FROM scratch AS build\nCOPY a.txt /a.txt\n\nFROM scratch\nCOPY --from=build /a.txt /srv/a.txt\n');
    r7 = await startRegistry7({ docker, runId });
    isolation = await resolveIsolation('container', { docker, runId, registry7: r7 });
  });

  after(async () => {
    await r7?.stop();
    await isolation?.close();
    await rm(dir, { recursive: true, force: true });
    assert.deepEqual(await docker.listContainers({ [RUN_LABEL]: runId }), []);
    assert.deepEqual(await docker.listNetworks({ [RUN_LABEL]: runId }), []);
    const ls = await run('docker', ['buildx', 'ls']);
    assert.ok(!ls.stdout.includes(`${BUILDER_PREFIX}${runId}`), ls.stdout);
  });

  async function build(n: number): Promise<string> {
    const host = await isolation.registryHost();
    const handle = await isolation.prepare();
    try {
      const inspect = await run('docker', ['inspect', '-f', '{{json .HostConfig.NetworkMode}}', `buildx_buildkit_${handle.builderName}0`]);
      assert.equal(inspect.stdout.trim(), JSON.stringify(`${NETWORK_PREFIX}${runId}`), 'builder must be on the run network, never the host');
      const outcome = await runBuild({
        ...labBuild({
          builder: handle.builderName, contextDir: dir, dockerfile: path.join(dir, 'Dockerfile'),
          imageRef: `${host}/s00000/app:multiarch`, cacheRef: `${host}/s00000/app:buildcache`, metadataPath: path.join(dir, `build${n}.json`),
        }),
        logPath: path.join(dir, `build${n}.log`),
      });
      const log = await readFile(outcome.logPath, 'utf8');
      assert.equal(outcome.exitCode, 0, log.slice(-3000));
      return log;
    } finally {
      await handle.dispose();
    }
  }

  test('build 1 pushes to registry7 by name; build 2 in a new builder imports the cache', async () => {
    assert.equal(await isolation.registryHost(), REGISTRY7_BUILDER_HOST);
    const first = await build(1);
    assert.match(first, /using docker-container driver/);
    assert.match(first, /exporting cache to registry/);
    const second = await build(2);
    assert.match(second, /importing cache manifest from registry7:5000\/s00000\/app:buildcache/);
    assert.match(second, /#\d+ CACHED/);
  });
});
