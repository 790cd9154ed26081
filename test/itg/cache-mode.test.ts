/**
 * The cache export mode told from the cache itself, on caches built for real: three Dockerfiles
 * (one stage; COPY --from; `FROM stage AS final`) × mode=min/max, built by the engine's default
 * builder (docker driver, containerd image store) and pushed to a throwaway registry (Debian's
 * docker-registry, registry:2's software) on loopback. Each build gets its own NONCE, so no
 * build reuses another's results (a warm builder changes what mode=min exports: cache-config.ts).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cacheCheck } from '../../grader/checks/cache-check.ts';
import { acquireDaemonLock } from '../../grader/docker/daemon-lock.ts';
import { newRunId } from '../../grader/docker/docker.ts';
import { readCache, readImage } from '../../grader/inspect/read-published.ts';
import { RegistryClient } from '../../grader/registry/client.ts';
import { run } from '../../grader/util/exec.ts';
import { startRegistry, type RegistryServer } from '../helpers/registry-server.ts';
import { stackSkip } from '../helpers/stack.ts';

const skip = await stackSkip();
const DOCKERFILES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'registry', 'dockerfiles');

const BUILDS = [
  // One chain of steps: both modes write the same cache.
  { dockerfile: 'single-stage', mode: 'min', want: { mode: 'unknown', status: 'pass' } },
  { dockerfile: 'single-stage', mode: 'max', want: { mode: 'unknown', status: 'pass' } },
  { dockerfile: 'copy-from', mode: 'min', want: { mode: 'min', status: 'fail' } },
  { dockerfile: 'copy-from', mode: 'max', want: { mode: 'max', status: 'pass' } },
  // The final stage extends the first: every step is on the final chain (the old rule failed max here).
  { dockerfile: 'from-stage', mode: 'min', want: { mode: 'unknown', status: 'pass' } },
  { dockerfile: 'from-stage', mode: 'max', want: { mode: 'unknown', status: 'pass' } },
] as const;

describe('cache mode from real caches', { skip }, () => {
  let registry: RegistryServer;
  const client = new RegistryClient({ retries: 0 });
  const runId = newRunId();
  const repo = (b: (typeof BUILDS)[number]) => `${registry.host}/cache-mode/${b.dockerfile}-${b.mode}`;

  before(async () => {
    registry = await startRegistry();
    // The grader's prune isolation empties the engine's build cache; take its lock for our builds.
    const release = await acquireDaemonLock();
    try {
      for (const b of BUILDS) {
        const r = await run('docker', [
          'buildx', 'build', '--builder', 'default', '--progress=plain', '--platform', 'linux/amd64',
          '-f', path.join(DOCKERFILES, `${b.dockerfile}.Dockerfile`), '--build-arg', `NONCE=${runId}-${b.dockerfile}-${b.mode}`,
          '-t', `${repo(b)}:image`, '--push', '--cache-to', `type=registry,ref=${repo(b)}:buildcache,mode=${b.mode}`, DOCKERFILES,
        ], { timeoutMs: 120_000 });
        assert.equal(r.exitCode, 0, `${b.dockerfile} mode=${b.mode}:\n${r.stderr.slice(-3000)}`);
      }
    } finally {
      await release();
    }
  });
  after(async () => {
    // The docker driver also keeps each pushed image in the engine's store.
    if (registry) await run('docker', ['rmi', ...BUILDS.map((b) => `${repo(b)}:image`)], { timeoutMs: 60_000 });
    await registry?.stop();
  });

  for (const b of BUILDS) {
    it(`${b.dockerfile}, mode=${b.mode} → mode ${b.want.mode}, ${b.want.status}; the cache holds its image`, async () => {
      const image = await readImage(client, `${repo(b)}:image`);
      assert.ok(image.ok && image.facts.found);
      const v = cacheCheck('cache.exported', { cache: await readCache(client, `${repo(b)}:buildcache`), image: image.facts });
      assert.equal(v.mode, b.want.mode, v.check.message);
      assert.equal(v.check.status, b.want.status, v.check.message);
      assert.equal(v.check.metrics?.membership, 'belongs');
    });
  }

  it('a mode=min cache paired with another image on the same base: still min (fail), and not its image', async () => {
    const minCache = BUILDS.find((b) => b.dockerfile === 'copy-from' && b.mode === 'min')!;
    const other = BUILDS.find((b) => b.dockerfile === 'single-stage' && b.mode === 'max')!;
    const image = await readImage(client, `${repo(other)}:image`);
    assert.ok(image.ok && image.facts.found);
    const v = cacheCheck('cache.published', { cache: await readCache(client, `${repo(minCache)}:buildcache`), image: image.facts });
    assert.equal(v.mode, 'min');
    assert.equal(v.check.status, 'fail');
    // Only the busybox base is shared: the image's two own layers are missing from the cache.
    assert.deepEqual([v.check.metrics?.membership, v.check.metrics?.missingLayers], ['partial', 2]);
  });
});
