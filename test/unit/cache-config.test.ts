/**
 * The cache config rule (grader/registry/cache-config.ts) on real caches: the ones built on forky
 * for this rule (test/fixtures/registry/README.md: three Dockerfiles × mode=min/max, both cache
 * forms), the earlier forky captures of the example, and the trixie-era index cache.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { cacheMembership, cacheModeOf, EMPTY_LAYERS, parseCacheConfig } from '../../grader/registry/cache-config.ts';
import { cacheLayersOf } from '../../grader/registry/manifest-analysis.ts';
import type { CacheConfig, ImageIndex, ImageManifest } from '../../grader/registry/oci-types.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const OWN = path.join(repoRoot, 'test', 'fixtures', 'registry');
const SHARED = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'registry');

const json = async <T>(file: string) => JSON.parse(await readFile(file, 'utf8')) as T;
const sha = (c: string) => `sha256:${c.repeat(64)}`;

function parsed(raw: unknown): CacheConfig {
  const p = parseCacheConfig(raw);
  assert.ok(p.ok, p.ok ? '' : p.reason);
  return p.value;
}

describe('cacheModeOf on real caches', () => {
  // finals: records nobody links to that carry layers (one per platform); offChain / resultless: see cacheModeOf.
  const table = [
    { dir: 'forky-single-stage-mode-min', mode: 'unknown', finals: 1, offChain: 0, resultless: 0 },
    { dir: 'forky-single-stage-mode-max', mode: 'unknown', finals: 1, offChain: 0, resultless: 0 },
    { dir: 'forky-copy-from-mode-min', mode: 'min', finals: 1, offChain: 0, resultless: 2 },
    { dir: 'forky-copy-from-mode-max', mode: 'max', finals: 1, offChain: 2, resultless: 0 },
    { dir: 'forky-copy-from-index-mode-min', mode: 'min', finals: 1, offChain: 0, resultless: 2 },
    { dir: 'forky-copy-from-index-mode-max', mode: 'max', finals: 1, offChain: 2, resultless: 0 },
    { dir: 'forky-from-stage-mode-min', mode: 'unknown', finals: 1, offChain: 0, resultless: 0 },
    { dir: 'forky-from-stage-mode-max', mode: 'unknown', finals: 1, offChain: 0, resultless: 0 },
    // mode=min right after mode=max of the same build: the builder still had the intermediate blobs.
    { dir: 'forky-copy-from-mode-min-after-max', mode: 'max', finals: 1, offChain: 2, resultless: 0 },
    // mode=min on an emptied builder that imported a mode=max cache: the imported results have blobs.
    { dir: 'forky-copy-from-mode-min-after-import', mode: 'max', finals: 1, offChain: 2, resultless: 0 },
    { dir: 'forky-image-manifest-mode-max', mode: 'max', finals: 2, offChain: 8, resultless: 0 },
    { dir: 'forky-image-manifest-mode-min', mode: 'min', finals: 2, offChain: 0, resultless: 8 },
    { dir: 'forky-index-mode-max', mode: 'max', finals: 2, offChain: 8, resultless: 0 },
  ] as const;
  for (const row of table) {
    it(`${row.dir} → ${row.mode}`, async () => {
      const v = cacheModeOf(parsed(await json(path.join(OWN, row.dir, 'cache-config.json'))));
      assert.deepEqual(
        { mode: v.mode, finals: v.finalResults, offChain: v.offChainResults, resultless: v.resultlessSteps },
        { mode: row.mode, finals: row.finals, offChain: row.offChain, resultless: row.resultless },
      );
    });
  }

  it('trixie index cache (BuildKit < 0.21), mode=min → min, with a Polish reason', async () => {
    const v = cacheModeOf(parsed(await json(path.join(SHARED, 'cache-config-mode-min.json'))));
    assert.equal(v.mode, 'min');
    assert.equal(v.reason, '8 kroków budowania jest zapisanych w cache bez warstw: tryb mode=max zapisałby ich wyniki, więc cache wyeksportowano w trybie min (domyślnym).');
  });

  it('reasons name the evidence', async () => {
    const max = cacheModeOf(parsed(await json(path.join(OWN, 'forky-copy-from-mode-max', 'cache-config.json'))));
    assert.match(max.reason, /^Cache zawiera 2 wyniki kroków spoza łańcucha warstw obrazu końcowego/);
    const same = cacheModeOf(parsed(await json(path.join(OWN, 'forky-from-stage-mode-max', 'cache-config.json'))));
    assert.match(same.reason, /tryby min i max zapisują ten sam cache/);
  });

  it('a missing parent means layer 0 (Go omitempty), not a base layer', () => {
    // Chain a → b: the record on b lies on the final chain a → b → c only if b's parent is read as 0.
    const config: CacheConfig = {
      layers: [{ blob: sha('a'), parent: -1 }, { blob: sha('b') }, { blob: sha('c'), parent: 1 }],
      records: [{ digest: sha('1') }, { digest: sha('2'), layers: [{ layer: 1 }], inputs: [[{ link: 0 }]] }, { digest: sha('3'), layers: [{ layer: 2 }], inputs: [[{ link: 1 }]] }],
    };
    assert.equal(cacheModeOf(config).mode, 'unknown');
    assert.equal(cacheModeOf(config).offChainResults, 0);
  });

  it('no result with layers → unknown', () => {
    const v = cacheModeOf({ layers: [], records: [{ digest: sha('1') }] });
    assert.equal(v.mode, 'unknown');
    assert.match(v.reason, /nie zawiera żadnego wyniku budowania z warstwami/);
  });
});

describe('parseCacheConfig', () => {
  it('reports a malformed cache config as a finding, not an exception', () => {
    assert.deepEqual(parseCacheConfig({ layers: [] }), { ok: false, reason: 'Konfiguracja cache nie ma list „layers” i „records” — to nie jest cache BuildKit.' });
    assert.deepEqual(parseCacheConfig({ layers: [{ blob: sha('a'), parent: 5 }], records: [] }), { ok: false, reason: 'Niepoprawny wpis layers[0] w konfiguracji cache.' });
    assert.deepEqual(parseCacheConfig({ layers: [], records: [{ digest: sha('b'), inputs: [[{ link: 3 }]] }] }), { ok: false, reason: 'Niepoprawny wpis records[0] w konfiguracji cache.' });
  });

  it('rejects a parent cycle (layer 0 without a parent is its own parent)', () => {
    assert.deepEqual(parseCacheConfig({ layers: [{ blob: sha('a'), parent: 1 }, { blob: sha('b'), parent: 0 }], records: [] }), {
      ok: false,
      reason: 'Wpis layers[0] w konfiguracji cache jest swoim własnym przodkiem (cykl rodziców).',
    });
    assert.equal(parseCacheConfig({ layers: [{ blob: sha('a') }], records: [] }).ok, false);
  });
});

describe('cacheMembership', () => {
  async function build(dir: string) {
    const cache = await json<ImageIndex | ImageManifest>(path.join(OWN, dir, 'cache.json'));
    const image = await json<ImageManifest>(path.join(OWN, dir, 'image-amd64.json'));
    return { cacheLayers: cacheLayersOf(cache), imageLayers: image.layers.map((l) => l.digest) };
  }

  it('every cache built here holds its own image', async () => {
    for (const dir of ['forky-single-stage-mode-min', 'forky-copy-from-mode-min', 'forky-copy-from-index-mode-max', 'forky-from-stage-mode-max', 'forky-image-manifest-mode-min']) {
      const b = await build(dir);
      assert.equal(cacheMembership(b.cacheLayers, b.imageLayers).verdict, 'belongs', dir);
    }
  });

  it('a cache of another build on the same base → partial, naming the missing layers', async () => {
    const cache = await build('forky-copy-from-mode-min');
    const other = await build('forky-single-stage-mode-max');
    const m = cacheMembership(cache.cacheLayers, other.imageLayers);
    assert.equal(m.verdict, 'partial');
    assert.equal(m.imageLayers, 3);
    assert.deepEqual(m.missing, other.imageLayers.slice(1));
    assert.equal(m.reason, 'Cache nie zawiera 2 z 3 niepustych warstw obrazu: pochodzi z innego budowania (np. innej wersji kodu na tym samym obrazie bazowym), a nie z tego, które opublikowało obraz.');
  });

  it('no image layer in the cache → foreign; no image layers → unknown', async () => {
    const cache = await build('forky-copy-from-mode-max');
    const m = cacheMembership(cache.cacheLayers, [sha('d'), sha('e')]);
    assert.equal(m.verdict, 'foreign');
    assert.equal(m.reason, 'Cache nie zawiera żadnej z 2 niepustych warstw obrazu, więc nie pochodzi z budowania tego obrazu.');
    assert.equal(cacheMembership(cache.cacheLayers, []).verdict, 'unknown');
  });

  it('empty layers are left out on both sides', async () => {
    // forky's empty layer is in the image of forky-image-manifest-mode-min; a cache without it still holds the image.
    const b = await build('forky-image-manifest-mode-min');
    const forkyEmpty = 'sha256:9addb4c7f3afa99b03f24f9e05cb87d274a63ae9ba30c94f02c75e85d133e9de';
    assert.ok(b.imageLayers.includes(forkyEmpty));
    const m = cacheMembership(b.cacheLayers.filter((l) => l !== forkyEmpty), b.imageLayers);
    assert.equal(m.verdict, 'belongs');
    assert.equal(m.imageLayers, b.imageLayers.length - 1);
    // An image of empty layers only proves nothing.
    assert.equal(cacheMembership([], [...EMPTY_LAYERS]).verdict, 'unknown');
  });

  it('each EMPTY_LAYERS digest is a gzipped empty tar (1024 zero bytes)', () => {
    // The bytes of the three known encodings; forky's was read from the registry (29 bytes).
    const encodings = [
      '1f8b08000000000000ff621805a360148c5800080000ffff2eafb5ef00040000',
      '1f8b080000096e8800ff621805a360148c5800080000ffff2eafb5ef00040000',
      '1f8b08000000000000ff621805a360148c580018002eafb5ef00040000',
    ].map((hex) => Buffer.from(hex, 'hex'));
    const digests = encodings.map((b) => `sha256:${createHash('sha256').update(b).digest('hex')}`);
    assert.deepEqual(new Set(digests), EMPTY_LAYERS);
    for (const b of encodings) assert.deepEqual(gunzipSync(b), Buffer.alloc(1024));
  });
});
