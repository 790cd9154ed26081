/**
 * `grader inspect` end to end: the real CLI as a subprocess (node --import tsx grader/cli/main.ts)
 * against a real distribution registry (Debian's docker-registry) holding what buildx publishes.
 * Asserts the Polish output, the --json shape and the exit codes (0 pass, 1 fail, 2 bad input, 3 infra).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from '../../grader/registry/client.ts';
import { MediaType } from '../../grader/registry/oci-types.ts';
import {
  pushSampleCache,
  pushSampleImage,
  pushSampleImageIndex,
  pushSampleManifestList,
  startRegistry,
  type PushedCache,
  type PushedIndex,
  type RegistryServer,
} from '../helpers/registry-server.ts';
import { grader, type CliRun } from '../helpers/cli.ts';



interface InspectJson {
  image: { ref: string; present: boolean | null; digest: string | null; mediaType: string | null; platforms: string[]; manifests: unknown[] };
  cache: { ref: string | null; present: boolean | null; digest: string | null; mode: 'max' | 'min' | 'unknown' };
  checks: { id: string; status: string; message: string; hint: string | null }[];
}

let configDir: string;

// The cases run concurrently; this bounds how many CLI processes (each a tsx compile) start at once.
const MAX_RUNNING = Math.max(2, availableParallelism() + 1);
let running = 0;
const waiting: (() => void)[] = [];

async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_RUNNING) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** Runs `grader inspect ...` from the repo root, with a docker config dir of its own (no credentials of the user's). */
function inspect(...args: string[]): Promise<CliRun> {
  return limited(() => runInspect(args));
}

function runInspect(args: string[]): Promise<CliRun> {
  return grader(['inspect', ...args], { env: { ...process.env, DOCKER_CONFIG: configDir, GRADER_DEBUG: '' }, killAfterMs: 60_000 });
}

/** `inspect ... --json`: parses stdout as the one JSON object it must be. */
async function inspectJson(...args: string[]): Promise<CliRun & { json: InspectJson }> {
  const result = await inspect(...args, '--json');
  let json: InspectJson;
  try {
    json = JSON.parse(result.stdout) as InspectJson;
  } catch {
    assert.fail(`stdout is not one JSON object (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  return { ...result, json };
}

function check(json: InspectJson, id: string) {
  const found = json.checks.find((c) => c.id === id);
  assert.ok(found, `no check ${id} in ${JSON.stringify(json.checks)}`);
  return found;
}

const show = (r: CliRun) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

/** A loopback port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// Each case is its own subprocess that only reads the registry: they run side by side to keep the file fast.
describe('grader inspect against a real registry', { concurrency: true }, () => {
  let registry: RegistryServer;
  let dir: string;
  let repo: string;
  let multiarch: PushedIndex;
  let cacheMax: PushedCache;
  let twoStageDockerfile: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'grader-inspect-cli-'));
    configDir = join(dir, 'docker-config');
    registry = await startRegistry();
    const client = new RegistryClient();
    repo = `${registry.host}/s99656/pogoda`;
    // Image and caches share a seed, so the caches hold the final image's layers as a real build's would.
    await pushSampleImage(client, `${repo}:amd64`, { platform: 'linux/amd64', seed: 'pogoda' });
    multiarch = await pushSampleImageIndex(client, `${repo}:multiarch`, { seed: 'pogoda' });
    await pushSampleManifestList(client, `${repo}:list`, { seed: 'pogoda' });
    // Both cache forms: image manifest (BuildKit >= 0.21) for max, index (older BuildKit) for min.
    cacheMax = await pushSampleCache(client, `${repo}:buildcache`, { mode: 'max', seed: 'pogoda' });
    await pushSampleCache(client, `${repo}:buildcache-min`, { mode: 'min', seed: 'pogoda', form: 'index' });
    twoStageDockerfile = join(dir, 'Dockerfile');
    await writeFile(
      twoStageDockerfile,
      'FROM busybox AS build\nRUN echo build > /out\n\nFROM busybox\nCOPY --from=build /out /app/out\nCMD ["cat", "/app/out"]\n',
    );
  });
  after(async () => {
    await registry?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe('image.multiplatform', { concurrency: true }, () => {
    it('amd64-only single-platform image: exit 1 and names the missing linux/arm64', async () => {
      const r = await inspect(`${repo}:amd64`);
      assert.equal(r.code, 1, show(r));
      assert.match(r.stdout, /✘ image\.multiplatform: niezaliczone/);
      assert.match(r.stdout, /Brakuje platform: linux\/arm64/);
      assert.match(r.stdout, /jeden manifest zamiast indeksu/);
      assert.match(r.stdout, /cache\.published: pominięte/);
      assert.equal(r.stderr, '');
    });

    it('amd64-only image --json: platforms exactly [linux/amd64], image.multiplatform fails', async () => {
      const r = await inspectJson(`${repo}:amd64`);
      assert.equal(r.code, 1, show(r));
      assert.deepEqual(r.json.image.platforms, ['linux/amd64']);
      assert.equal(r.json.image.present, true);
      assert.equal(r.json.image.mediaType, MediaType.ociManifest);
      const c = check(r.json, 'image.multiplatform');
      assert.equal(c.status, 'fail');
      assert.match(c.message, /linux\/arm64/);
      assert.equal(check(r.json, 'cache.published').status, 'skip');
      assert.deepEqual(r.json.cache, { ref: null, present: null, digest: null, mode: 'unknown' });
    });

    it('two-platform OCI index with attestations: exit 0, attestations ignored', async () => {
      const r = await inspectJson(`${repo}:multiarch`);
      assert.equal(r.code, 0, show(r));
      assert.deepEqual(r.json.image.platforms, ['linux/amd64', 'linux/arm64']);
      assert.equal(r.json.image.ref, `${repo}:multiarch`);
      assert.equal(r.json.image.digest, multiarch.digest);
      assert.equal(r.json.image.mediaType, MediaType.ociIndex);
      // Every manifest of the index is listed (2 platforms + 2 attestations), but only 2 count as platforms.
      assert.equal(r.json.image.manifests.length, 4);
      assert.equal(check(r.json, 'image.multiplatform').status, 'pass');
    });

    it('two-platform OCI index, human output: passes and lists the platforms, not unknown/unknown as one', async () => {
      const r = await inspect(`${repo}:multiarch`);
      assert.equal(r.code, 0, show(r));
      assert.match(r.stdout, /✔ image\.multiplatform: zaliczone/);
      assert.match(r.stdout, /platformami: linux\/amd64, linux\/arm64\./);
      assert.doesNotMatch(r.stdout, /Dodatkowe platformy/);
    });

    it('Docker manifest list with both platforms: exit 0', async () => {
      const r = await inspectJson(`${repo}:list`);
      assert.equal(r.code, 0, show(r));
      assert.deepEqual(r.json.image.platforms, ['linux/amd64', 'linux/arm64']);
      assert.equal(r.json.image.mediaType, MediaType.dockerList);
      assert.equal(check(r.json, 'image.multiplatform').status, 'pass');
    });

    it('missing image tag: exit 1, 404 named', async () => {
      const r = await inspect(`${repo}:nie-ma-takiego`);
      assert.equal(r.code, 1, show(r));
      assert.match(r.stdout, /✘ image\.multiplatform: niezaliczone/);
      assert.match(r.stdout, /nie istnieje w rejestrze \(HTTP 404\)/);
      const j = await inspectJson(`${repo}:nie-ma-takiego`);
      assert.equal(j.code, 1);
      assert.equal(j.json.image.present, false);
      assert.equal(j.json.image.digest, null);
      assert.deepEqual(j.json.image.platforms, []);
    });
  });

  describe('cache.published (--cache-ref)', { concurrency: true }, () => {
    it('mode=max cache from the same build: present, mode max, pass', async () => {
      const r = await inspectJson(`${repo}:multiarch`, '--cache-ref', `${repo}:buildcache`);
      assert.equal(r.code, 0, show(r));
      assert.equal(r.json.cache.ref, `${repo}:buildcache`);
      assert.equal(r.json.cache.present, true);
      assert.equal(r.json.cache.digest, cacheMax.digest);
      assert.equal(r.json.cache.mode, 'max');
      const c = check(r.json, 'cache.published');
      assert.equal(c.status, 'pass');
      assert.match(c.message, /w trybie max/);
    });

    it('mode=max cache, with the 2-stage Dockerfile too: still max and pass', async () => {
      const r = await inspectJson(`${repo}:multiarch`, '--cache-ref', `${repo}:buildcache`, '--dockerfile', twoStageDockerfile);
      assert.equal(r.code, 0, show(r));
      assert.equal(r.json.cache.mode, 'max');
    });

    it('mode=min cache with a 2-stage Dockerfile: exit 1, mode min, says mode=max is required', async () => {
      const args = [`${repo}:multiarch`, '--cache-ref', `${repo}:buildcache-min`, '--dockerfile', twoStageDockerfile];
      const r = await inspectJson(...args);
      assert.equal(r.code, 1, show(r));
      assert.equal(r.json.cache.present, true);
      assert.equal(r.json.cache.mode, 'min');
      assert.equal(check(r.json, 'image.multiplatform').status, 'pass');
      const c = check(r.json, 'cache.published');
      assert.equal(c.status, 'fail');
      assert.match(c.message, /wymaga mode=max/);
      assert.match(c.hint ?? '', /mode=max/);
      const human = await inspect(...args);
      assert.equal(human.code, 1, show(human));
      assert.match(human.stdout, /✘ cache\.published: niezaliczone/);
      assert.match(human.stdout, /trybie min/);
      assert.match(human.stdout, /Jak poprawić: .*mode=max/);
    });

    it('mode=min cache without --dockerfile: the cache alone says min (exit 1)', async () => {
      // The mode is read from the cache's records (steps stored without layers), not from the Dockerfile.
      const r = await inspectJson(`${repo}:multiarch`, '--cache-ref', `${repo}:buildcache-min`);
      assert.equal(r.code, 1, show(r));
      assert.equal(r.json.cache.present, true);
      assert.equal(r.json.cache.mode, 'min');
      const c = check(r.json, 'cache.published');
      assert.equal(c.status, 'fail');
      assert.match(c.message, /kroki budowania są zapisane w cache bez warstw/);
    });

    it('cache ref pointing at the image itself: fail, not a BuildKit cache', async () => {
      const r = await inspectJson(`${repo}:multiarch`, '--cache-ref', `${repo}:multiarch`);
      assert.equal(r.code, 1, show(r));
      assert.equal(r.json.cache.present, true);
      assert.equal(r.json.cache.mode, 'unknown');
      const c = check(r.json, 'cache.published');
      assert.equal(c.status, 'fail');
      assert.match(c.message, /nie jest obrazem cache BuildKit/);
      assert.match(c.hint ?? '', /inny niż tag obrazu/);
    });

    it('missing cache tag: fail with 404, the image check still passes', async () => {
      const r = await inspectJson(`${repo}:multiarch`, '--cache-ref', `${repo}:brak-cache`);
      assert.equal(r.code, 1, show(r));
      assert.equal(r.json.cache.present, false);
      assert.equal(r.json.cache.digest, null);
      assert.equal(check(r.json, 'image.multiplatform').status, 'pass');
      const c = check(r.json, 'cache.published');
      assert.equal(c.status, 'fail');
      assert.match(c.message, /HTTP 404/);
    });
  });

  describe('bad input and faults', { concurrency: true }, () => {
    it('bad ref syntax: exit 2, message names the ref, no check output', async () => {
      const r = await inspect('UPPER/Case::x');
      assert.equal(r.code, 2, show(r));
      assert.match(r.stderr, /UPPER\/Case::x/);
      assert.equal(r.stdout, '');
    });

    it('bad --cache-ref syntax: exit 2 before any registry call', async () => {
      const r = await inspect(`${repo}:multiarch`, '--cache-ref', 'Zly//Ref');
      assert.equal(r.code, 2, show(r));
      assert.match(r.stderr, /Zly\/\/Ref/);
    });

    it('unknown flag: exit 2 naming the flag', async () => {
      const r = await inspect(`${repo}:multiarch`, '--cache-reff', 'x');
      assert.equal(r.code, 2, show(r));
      assert.match(r.stderr, /--cache-reff/);
      assert.match(r.stderr, /grader inspect --help/);
    });

    it('missing --dockerfile file: exit 2 naming the file', async () => {
      const missing = join(dir, 'nie-ma', 'Dockerfile');
      const r = await inspect(`${repo}:multiarch`, '--cache-ref', `${repo}:buildcache`, '--dockerfile', missing);
      assert.equal(r.code, 2, show(r));
      assert.ok(r.stderr.includes(missing), r.stderr);
      assert.match(r.stderr, /--dockerfile/);
    });

    it('no image ref: exit 2', async () => {
      const r = await inspect();
      assert.equal(r.code, 2, show(r));
      assert.match(r.stderr, /wymaga dokładnie jednej referencji/);
    });

    it('unreachable registry: exit 3, shown as not gradable, never as a failure', async () => {
      const port = await closedPort();
      const ref = `127.0.0.1:${port}/s99656/pogoda:multiarch`;
      const r = await inspect(ref, '--cache-ref', `127.0.0.1:${port}/s99656/pogoda:buildcache`);
      assert.equal(r.code, 3, show(r));
      assert.match(r.stdout, /\? image\.multiplatform: nie do oceny/);
      assert.match(r.stdout, /\? cache\.published: nie do oceny/);
      assert.doesNotMatch(r.stdout, /niezaliczone|✘/);
      assert.match(r.stdout, /To nie jest błąd studenta/);
      // The cause is shown, so the instructor knows which registry to look at.
      assert.match(r.stdout, new RegExp(`127\\.0\\.0\\.1:${port}`));
    });

    it('unreachable registry --json: checks have status error, nothing fails', async () => {
      const port = await closedPort();
      const r = await inspectJson(`127.0.0.1:${port}/s99656/pogoda:multiarch`);
      assert.equal(r.code, 3, show(r));
      assert.equal(check(r.json, 'image.multiplatform').status, 'error');
      assert.ok(r.json.checks.every((c) => c.status !== 'fail'), JSON.stringify(r.json.checks));
      assert.equal(r.json.image.present, null);
    });

    it('--help: exit 0 with usage and examples', async () => {
      const r = await inspect('--help');
      assert.equal(r.code, 0, show(r));
      assert.match(r.stdout, /Użycie: grader inspect/);
      assert.match(r.stdout, /Przykłady:/);
      assert.match(r.stdout, /grader inspect \S+ --cache-ref \S+/);
      assert.match(r.stdout, /--json/);
      assert.equal(r.stderr, '');
    });
  });
});
