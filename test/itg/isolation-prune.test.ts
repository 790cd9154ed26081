// Two real 2-platform builds through runBuild with the prune isolation (docker driver,
// containerd store) into a fresh registry7: build 2 must get its CACHED steps from the registry.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { labBuild, runBuild, type BuildOutcome } from '../../grader/docker/build-runner.ts';
import { BUILDER_PREFIX } from '../../grader/docker/container-isolation.ts';
import { DockerCli, newRunId } from '../../grader/docker/docker.ts';
import { resolveIsolation, type Isolation } from '../../grader/docker/isolation.ts';
import { RUN_LABEL } from '../../grader/docker/run-resources.ts';
import { startRegistry7, type Registry7 } from '../../grader/registry/registry7.ts';
import { run } from '../../grader/util/exec.ts';
import { stackSkip } from '../helpers/stack.ts';

const skip = await stackSkip();

const BASE = '127.0.0.1:5055/library/busybox:latest';
const DOCKERFILE = `FROM ${BASE} AS build
ARG MSG=hello
RUN echo "$MSG from $(uname -m)" > /out.txt
RUN wc -c /out.txt > /size.txt

FROM ${BASE}
COPY --from=build /out.txt /size.txt /srv/
RUN cat /srv/out.txt /srv/size.txt
`;
const SLOW = `FROM ${BASE}\nRUN sleep 600\n`;
// ~400 KB of one-character lines per platform: several MB of buildx log, far over a 256 KiB cap.
const FLOOD = `FROM ${BASE}\nRUN yes x | head -c 400000\nRUN echo done > /done.txt\n`;

const docker = new DockerCli();
const runId = `t${newRunId()}`;

/** Platforms of the steps that printed `#N CACHED`, from their `#N [platform stage i/n]` headers. */
function cachedPlatforms(log: string): string[] {
  const headers = new Map<string, string>();
  const found = new Set<string>();
  for (const line of log.split('\n')) {
    const h = /^#(\d+) \[(linux\/[\w/]+) /.exec(line);
    if (h?.[1] && h[2]) headers.set(h[1], h[2]);
    const c = /^#(\d+) CACHED$/.exec(line);
    const platform = c?.[1] ? headers.get(c[1]) : undefined;
    if (platform) found.add(platform);
  }
  return [...found].sort();
}

async function sleepers(): Promise<string[]> {
  const ps = await run('ps', ['-eo', 'pid,args']);
  return ps.stdout.split('\n').filter((l) => /\bsleep 600\b/.test(l));
}

describe('prune isolation: two builds, cache through registry7', { skip }, () => {
  let dir: string;
  let r7: Registry7;
  let isolation: Isolation;
  const outcomes: BuildOutcome[] = [];

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bg-prune-test-'));
    await writeFile(path.join(dir, 'Dockerfile'), DOCKERFILE);
    await writeFile(path.join(dir, 'Dockerfile.slow'), SLOW);
    await writeFile(path.join(dir, 'Dockerfile.flood'), FLOOD);
    r7 = await startRegistry7({ docker, runId });
    isolation = await resolveIsolation('prune', { docker, runId, registry7: r7 });
  });

  after(async () => {
    await r7?.stop();
    await rm(dir, { recursive: true, force: true });
    assert.deepEqual(await docker.listContainers({ [RUN_LABEL]: runId }), []);
    assert.deepEqual(await docker.listVolumes({ [RUN_LABEL]: runId }), []);
    const ps = await run('docker', ['ps', '-a', '--format', '{{.Names}}']);
    assert.deepEqual(ps.stdout.split('\n').filter((n) => n.includes(runId)), []);
    const ls = await run('docker', ['buildx', 'ls']);
    assert.ok(!ls.stdout.includes(`${BUILDER_PREFIX}${runId}`), ls.stdout);
    const vols = await run('docker', ['volume', 'ls', '--format', '{{.Name}}']);
    assert.deepEqual(vols.stdout.split('\n').filter((n) => n.includes(runId)), []);
  });

  async function build(n: number, dockerfile = 'Dockerfile', timeoutMs?: number, maxLogBytes?: number): Promise<{ outcome: BuildOutcome; log: string }> {
    const imageRef = `${r7.host}/s00000/app:build${n}`;
    const handle = await isolation.prepare({ imageRefs: [imageRef] });
    try {
      const outcome = await runBuild({
        ...labBuild({
          builder: handle.builderName,
          contextDir: dir,
          dockerfile: path.join(dir, dockerfile),
          buildArgs: { MSG: 'czesc' },
          imageRef,
          cacheRef: `${r7.host}/s00000/app:buildcache`,
          metadataPath: path.join(dir, `build${n}.json`),
        }),
        logPath: path.join(dir, `build${n}.log`),
        timeoutMs,
        maxLogBytes,
      });
      outcomes.push(outcome);
      return { outcome, log: await readFile(outcome.logPath, 'utf8') };
    } finally {
      await handle.dispose();
    }
  }

  test('resolves to prune with a Polish reason', () => {
    assert.equal(isolation.kind, 'prune');
    assert.match(isolation.reason, /prune/);
  });

  test('build 1 in an empty builder exports the cache', async () => {
    const { outcome, log } = await build(1);
    assert.equal(outcome.exitCode, 0, log.slice(-3000));
    assert.equal(outcome.timedOut, false);
    assert.match(log, /exporting cache to registry/);
    assert.match(outcome.metadata.imageDigest ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.ok(outcome.metadata.buildRef);
    assert.deepEqual(outcome.argv.slice(0, 5), ['docker', 'buildx', 'build', '--builder', 'default']);
    assert.ok(outcome.argv.includes('type=registry,ref=' + `${r7.host}/s00000/app:buildcache,mode=max`));
    assert.equal(cachedPlatforms(log).length, 0, 'nothing may be CACHED after a prune');
    // The built image was removed from the local store on dispose.
    assert.equal(await docker.imageExists(`${r7.host}/s00000/app:build1`), false);
  });

  test('build 2 after a prune imports the cache: CACHED for both platforms', async () => {
    const { outcome, log } = await build(2);
    assert.equal(outcome.exitCode, 0, log.slice(-3000));
    assert.match(log, /importing cache manifest from/);
    assert.doesNotMatch(log, /failed to configure registry cache importer/);
    assert.deepEqual(cachedPlatforms(log), ['linux/amd64', 'linux/arm64']);
    console.log(`build times: ${outcomes.map((o) => `${o.durationMs} ms`).join(', ')}`);
  });

  test('a flooding build keeps its log under the cap: head, one marker, the tail up to the result', async () => {
    const cap = 256 * 1024;
    const { outcome, log } = await build(4, 'Dockerfile.flood', undefined, cap);
    assert.equal(outcome.exitCode, 0);
    assert.ok(outcome.droppedLines > 1000, `only ${outcome.droppedLines} lines dropped`);
    const lines = log.trimEnd().split('\n');
    const markers = lines.filter((l) => l.startsWith('[buildx-grader] pominięto'));
    assert.equal(markers.length, 1, 'one truncation marker');
    const size = Buffer.byteLength(log);
    assert.ok(size <= cap + Buffer.byteLength(markers[0]!) + 1, `log is ${size} B, cap ${cap}`);
    const cut = lines.indexOf(markers[0]!);
    assert.ok(lines.slice(0, cut).some((l) => /^#\d+ \[linux\/arm64 /.test(l)), 'step headers in the head');
    // The end of the build survived: the push of the image, the cache export, the last DONE.
    const after = lines.slice(cut + 1);
    for (const key of [/^#\d+ exporting cache to registry$/, /^#\d+ pushing manifest for \S+:build4@sha256:/]) {
      assert.ok(after.some((l) => key.test(l)), `${key} not after the cut`);
    }
    assert.match(lines.at(-1) ?? '', /^#\d+ DONE \d+(\.\d+)?s$/);
  });

  test('a build over its time limit is killed, reported as timedOut, and leaves no process', async () => {
    const { outcome, log } = await build(3, 'Dockerfile.slow', 15_000);
    assert.equal(outcome.timedOut, true);
    assert.equal(outcome.exitCode, null);
    assert.ok(outcome.durationMs < 30_000, `${outcome.durationMs}`);
    assert.match(log, /przekroczono limit czasu/);
    for (let i = 0; i < 40 && (await sleepers()).length > 0; i++) await sleep(500);
    assert.deepEqual(await sleepers(), []);
  });
});
