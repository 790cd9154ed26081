/**
 * image.multiplatform and cache.published over captured registry content, for both forms of a
 * BuildKit cache: OCI image manifest (BuildKit >= 0.21) and OCI index (older, or image-manifest=false).
 * The registry is a stand-in serving the fixture files as they were served (bytes, media types).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { publishedChecks } from '../../grader/grade/published-checks.ts';
import type { ManifestResult, RegistryClient } from '../../grader/registry/client.ts';
import type { Manifest } from '../../grader/registry/oci-types.ts';
import type { ImageRef } from '../../grader/registry/reference.ts';
import type { CheckResult } from '../../grader/results/types.ts';
import type { Submission } from '../../grader/submission/load-submission.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const OWN = path.join(repoRoot, 'test', 'fixtures', 'registry');
const SHARED = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'registry');

const digestOf = (raw: Buffer) => `sha256:${createHash('sha256').update(raw).digest('hex')}`;

/** Serves manifests by tag or digest and blobs by digest: all readImage/readCache need of a client here. */
function fakeRegistry(byReference: Map<string, Buffer>, blobs: Buffer[] = []): RegistryClient {
  const getManifest = async (ref: ImageRef): Promise<ManifestResult | null> => {
    const raw = byReference.get(ref.digest ?? ref.tag ?? 'latest');
    if (!raw) return null;
    const manifest = JSON.parse(raw.toString('utf8')) as Manifest;
    return { manifest, raw, digest: digestOf(raw), mediaType: manifest.mediaType ?? '', size: raw.length };
  };
  const getBlob = async (_ref: ImageRef, digest: string): Promise<Buffer | null> => blobs.find((b) => digestOf(b) === digest) ?? null;
  return { getManifest, getBlob } as unknown as RegistryClient;
}

/**
 * Forky build folders: the image (index under `multiarch`, platform manifests by digest) from
 * imageDir, the cache (under `buildcache`, its config blob by digest) from cacheDir.
 */
async function forkyRegistry(imageDir: string, cacheDir = imageDir): Promise<RegistryClient> {
  const read = (dir: string, name: string) => readFile(path.join(OWN, dir, name)).catch(() => undefined);
  const refs = new Map([['multiarch', (await read(imageDir, 'image-index.json'))!], ['buildcache', (await read(cacheDir, 'cache.json'))!]]);
  for (const name of ['image-amd64.json', 'image-arm64.json']) {
    const raw = await read(imageDir, name);
    if (raw) refs.set(digestOf(raw), raw);
  }
  return fakeRegistry(refs, [(await read(cacheDir, 'cache-config.json'))!]);
}

function submission(image: string, cache: string): Submission {
  return { published: { image, cache } } as Submission;
}

const REPO = '127.0.0.1:5055/s99656/pogoda';
const byId = (checks: CheckResult[], id: string) => checks.find((c) => c.id === id)!;

describe('published checks over both cache forms', () => {
  const table = [
    { dir: 'forky-image-manifest-mode-max', status: 'pass', mode: 'max' },
    { dir: 'forky-image-manifest-mode-min', status: 'fail', mode: 'min' },
    { dir: 'forky-index-mode-max', status: 'pass', mode: 'max' },
  ] as const;
  for (const row of table) {
    it(`${row.dir}: image passes, cache.published ${row.status} (mode ${row.mode})`, async () => {
      const client = await forkyRegistry(row.dir);
      const checks = (await publishedChecks(client, submission(`${REPO}:multiarch`, `${REPO}:buildcache`), 2)).checks;
      assert.equal(byId(checks, 'image.multiplatform').status, 'pass');
      const cache = byId(checks, 'cache.published');
      assert.equal(cache.status, row.status, cache.message);
      assert.equal(cache.metrics?.mode, row.mode);
      assert.equal(cache.metrics?.membership, 'belongs');
    });
  }

  // Single-platform builds (test/fixtures/registry/dockerfiles): only the cache check is of interest.
  const builds = [
    { dir: 'forky-copy-from-mode-max', status: 'pass', mode: 'max' },
    { dir: 'forky-copy-from-mode-min', status: 'fail', mode: 'min' },
    { dir: 'forky-copy-from-index-mode-max', status: 'pass', mode: 'max' },
    { dir: 'forky-from-stage-mode-max', status: 'pass', mode: 'unknown' },
    { dir: 'forky-from-stage-mode-min', status: 'pass', mode: 'unknown' },
  ] as const;
  for (const row of builds) {
    it(`${row.dir}: cache.published ${row.status} (mode ${row.mode}), the cache holds the image`, async () => {
      const checks = (await publishedChecks(await forkyRegistry(row.dir), submission(`${REPO}:multiarch`, `${REPO}:buildcache`), 2)).checks;
      const cache = byId(checks, 'cache.published');
      assert.equal(cache.status, row.status, cache.message);
      assert.deepEqual([cache.metrics?.mode, cache.metrics?.membership], [row.mode, 'belongs']);
    });
  }

  it('a mode=min cache paired with another image on the same base: min fails, and the pairing is reported', async () => {
    // The old layer-overlap rule called this max: the other image's layers looked like intermediate ones.
    const client = await forkyRegistry('forky-single-stage-mode-max', 'forky-copy-from-mode-min');
    const cache = byId((await publishedChecks(client, submission(`${REPO}:multiarch`, `${REPO}:buildcache`), 2)).checks, 'cache.published');
    assert.equal(cache.status, 'fail');
    assert.deepEqual([cache.metrics?.mode, cache.metrics?.membership, cache.metrics?.missingLayers], ['min', 'partial', 2]);
    assert.match(cache.message, /Cache nie zawiera 2 z 3 niepustych warstw obrazu/);
  });

  it('a cache tag given as the image fails the same way in both forms, saying it is a cache', async () => {
    const caches = {
      'image manifest (forky)': await readFile(path.join(OWN, 'forky-image-manifest-mode-max', 'cache.json')),
      'index (forky, image-manifest=false)': await readFile(path.join(OWN, 'forky-index-mode-max', 'cache.json')),
      'index (trixie)': await readFile(path.join(SHARED, 'cache-index-mode-min.json')),
    };
    for (const [form, raw] of Object.entries(caches)) {
      const client = fakeRegistry(new Map([['buildcache', raw]]));
      const checks = (await publishedChecks(client, submission(`${REPO}:buildcache`, `${REPO}:buildcache`), 2)).checks;
      const image = byId(checks, 'image.multiplatform');
      assert.equal(image.status, 'fail', form);
      assert.match(image.message, /Brakuje platform: linux\/amd64, linux\/arm64 .*: brak\)/, form);
      assert.match(image.hint ?? '', /obraz cache BuildKit/, form);
      const table = image.evidence[0];
      assert.ok(table?.kind === 'table');
      assert.equal(table.rows.length, 1, `${form}: the cache's layers are not listed as manifests`);
      // The cache itself is fine, but it is the very manifest given as the image.
      assert.match(byId(checks, 'cache.published').message, /ten sam manifest/, form);
    }
  });
});
