/** The pure checks behind `grader inspect`: platformCheck, cacheCheck and infraCheck on hand-made facts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cacheCheck } from '../../grader/checks/cache-check.ts';
import { infraCheck } from '../../grader/checks/infra-check.ts';
import { platformCheck } from '../../grader/checks/platform-check.ts';
import { InfraError } from '../../grader/errors.ts';
import type { CacheFacts, ImageFacts, Read } from '../../grader/inspect/read-published.ts';
import { MediaType, type CacheConfig } from '../../grader/registry/oci-types.ts';

const REQUIRED = ['linux/amd64', 'linux/arm64'];
const d = (c: string) => `sha256:${c.repeat(64)}`;
const ok = <T>(facts: T): Read<T> => ({ ok: true, facts });
const down = <T>(): Read<T> => ({ ok: false, error: new InfraError('Nie można połączyć się z rejestrem 127.0.0.1:5055 (ECONNREFUSED)') });

function index(platforms: string[], { attestations = true, layers = [d('1'), d('2')] } = {}): Extract<ImageFacts, { found: true }> {
  const rows = platforms.map((p, i) => ({ platform: p, digest: d(String(i + 3)), mediaType: MediaType.ociManifest, size: 500 }));
  if (attestations) rows.push(...platforms.map(() => ({ platform: 'unknown/unknown', digest: d('9'), mediaType: MediaType.ociManifest, size: 300 })));
  return { found: true, ref: 'r:5000/s1/app:multiarch', digest: d('a'), mediaType: MediaType.ociIndex, kind: 'index', platforms, rows, layers };
}

function single(platform: string): Extract<ImageFacts, { found: true }> {
  return {
    found: true,
    ref: 'r:5000/s1/app:amd64',
    digest: d('b'),
    mediaType: MediaType.ociManifest,
    kind: 'manifest',
    platforms: [platform],
    rows: [{ platform, digest: d('b'), mediaType: MediaType.ociManifest, size: 400 }],
    layers: [d('1')],
  };
}

/**
 * A cache config in BuildKit's shape (see test/fixtures/registry/forky-copy-from-*): one chain of
 * steps over finalLayers, and with `stage` a COPY --from stage whose step is stored with its own
 * layer d('8') (mode=max) or without layers (mode=min).
 */
function cacheConfig(finalLayers: string[], stage?: 'max' | 'min'): CacheConfig {
  const config: CacheConfig = { layers: [], records: [{ digest: d('0') }] };
  finalLayers.forEach((blob, i) => {
    config.layers.push({ blob, parent: i - 1 });
    config.records.push({ digest: d(String.fromCharCode(97 + i)), layers: [{ layer: i }], inputs: [[{ link: i }]] });
  });
  if (stage) {
    if (stage === 'max') config.layers.push({ blob: d('8'), parent: 0 });
    config.records.push({ digest: d('f'), inputs: [[{ link: 1 }]], ...(stage === 'max' ? { layers: [{ layer: config.layers.length - 1 }] } : {}) });
    config.records[finalLayers.length]!.inputs!.push([{ link: config.records.length - 1 }]);
  }
  return config;
}

function cache(layers: string[], extra: Partial<Extract<CacheFacts, { found: true }>> = {}, stage?: 'max' | 'min'): Read<CacheFacts> {
  const config = { ok: true as const, value: cacheConfig(layers, stage) };
  return ok({ found: true, ref: 'r:5000/s1/app:buildcache', digest: d('c'), mediaType: MediaType.ociIndex, isCache: true, layers, config, ...extra });
}

describe('platformCheck', () => {
  it('passes an index with both platforms; attestation rows do not count as platforms', () => {
    const c = platformCheck('image.multiplatform', ok(index(REQUIRED)), REQUIRED);
    assert.equal(c.status, 'pass');
    assert.match(c.message, /platformami: linux\/amd64, linux\/arm64\.$/);
    assert.equal(c.metrics?.platforms, 'linux/amd64,linux/arm64');
    const table = c.evidence[0];
    assert.ok(table?.kind === 'table');
    assert.equal(table.rows.length, 4);
  });

  it('names extra platforms but still passes', () => {
    const c = platformCheck('image.multiplatform', ok(index([...REQUIRED, 'linux/arm/v7'])), REQUIRED);
    assert.equal(c.status, 'pass');
    assert.match(c.message, /Dodatkowe platformy: linux\/arm\/v7/);
  });

  it('accepts linux/arm64/v8 for linux/arm64', () => {
    assert.equal(platformCheck('image.multiplatform', ok(index(['linux/amd64', 'linux/arm64/v8'])), REQUIRED).status, 'pass');
  });

  it('fails a single-platform manifest, naming the missing platform and suggesting one index', () => {
    const c = platformCheck('image.multiplatform', ok(single('linux/amd64')), REQUIRED);
    assert.equal(c.status, 'fail');
    assert.equal(c.message, 'Brakuje platform: linux/arm64 (w obrazie r:5000/s1/app:amd64: linux/amd64).');
    assert.match(c.hint ?? '', /jeden manifest zamiast indeksu/);
    assert.match(c.hint ?? '', /--platform linux\/amd64,linux\/arm64/);
    assert.equal(c.metrics?.missing, 'linux/arm64');
  });

  it('fails an index missing a platform with a hint about --platform, not about single manifests', () => {
    const c = platformCheck('image.multiplatform', ok(index(['linux/arm64'])), REQUIRED);
    assert.equal(c.status, 'fail');
    assert.match(c.message, /Brakuje platform: linux\/amd64/);
    assert.doesNotMatch(c.hint ?? '', /jeden manifest/);
    assert.match(c.hint ?? '', /docker buildx ls/);
  });

  it('says "brak" when the index lists no real platform', () => {
    const c = platformCheck('image.multiplatform', ok(index([])), REQUIRED);
    assert.equal(c.status, 'fail');
    assert.match(c.message, /Brakuje platform: linux\/amd64, linux\/arm64 \(w obrazie .*: brak\)/);
  });

  it('fails a missing tag with 404, with a hint that depends on the check id', () => {
    const missing = ok<ImageFacts>({ found: false, ref: 'r:5000/s1/app:nope' });
    const published = platformCheck('image.multiplatform', missing, REQUIRED);
    assert.equal(published.status, 'fail');
    assert.match(published.message, /HTTP 404/);
    assert.match(published.hint ?? '', /--push/);
    assert.match(platformCheck('build.index', missing, REQUIRED).hint ?? '', /Pierwsze budowanie/);
  });

  it('honours custom required platforms', () => {
    assert.equal(platformCheck('image.multiplatform', ok(single('linux/amd64')), ['linux/amd64']).status, 'pass');
  });

  it('an infrastructure fault is not gradable (error), never a failure', () => {
    const c = platformCheck('image.multiplatform', down(), REQUIRED);
    assert.equal(c.status, 'error');
    assert.match(c.message, /^Nie do oceny: .*To nie jest błąd studenta\.$/);
  });
});

describe('cacheCheck', () => {
  const image = index(REQUIRED, { layers: [d('1'), d('2')] });

  it('an infrastructure fault: error, mode unknown', () => {
    const v = cacheCheck('cache.published', { cache: down(), image });
    assert.equal(v.check.status, 'error');
    assert.equal(v.mode, 'unknown');
  });

  it('a missing cache tag: fail with 404 and a --cache-to hint', () => {
    const v = cacheCheck('cache.published', { cache: ok<CacheFacts>({ found: false, ref: 'r:5000/s1/app:buildcache' }), image });
    assert.equal(v.check.status, 'fail');
    assert.match(v.check.message, /HTTP 404/);
    assert.match(v.check.hint ?? '', /--cache-to type=registry,ref=.*mode=max/);
    assert.equal(v.mode, 'unknown');
  });

  it('a tag holding an ordinary image is not a BuildKit cache', () => {
    const v = cacheCheck('cache.published', { cache: cache([], { isCache: false, digest: image.digest }), image });
    assert.equal(v.check.status, 'fail');
    assert.match(v.check.message, /nie jest obrazem cache BuildKit/);
    assert.equal(v.mode, 'unknown');
  });

  it('a cache that is the very manifest of the image fails as not separate', () => {
    const v = cacheCheck('cache.published', { cache: cache([d('1'), d('5')], { digest: image.digest }), image });
    assert.equal(v.check.status, 'fail');
    assert.match(v.check.message, /ten sam manifest/);
    assert.match(v.check.hint ?? '', /innego tagu/);
  });

  it('a stage result off the final chain proves mode=max: pass', () => {
    const v = cacheCheck('cache.published', { cache: cache([d('1'), d('2')], {}, 'max'), image });
    assert.equal(v.mode, 'max');
    assert.equal(v.check.status, 'pass');
    assert.match(v.check.message, /w trybie max/);
    assert.equal(v.check.metrics?.membership, 'belongs');
  });

  it('a step stored without layers: mode=min fails, saying mode=max is required', () => {
    const v = cacheCheck('cache.published', { cache: cache([d('1'), d('2')], {}, 'min'), image, stageCount: 2 });
    assert.equal(v.mode, 'min');
    assert.equal(v.check.status, 'fail');
    assert.match(v.check.message, /trybie min, a laboratorium wymaga mode=max/);
    assert.match(v.check.message, /1 krok budowania jest zapisany w cache bez warstw/);
    assert.match(v.check.hint ?? '', /mode=max/);
    assert.equal(v.check.metrics?.mode, 'min');
  });

  it('one chain of steps: mode unknown, passes and says both modes write the same cache', () => {
    const v = cacheCheck('cache.published', { cache: cache([d('1'), d('2')]), image, stageCount: 1 });
    assert.equal(v.mode, 'unknown');
    assert.equal(v.check.status, 'pass');
    assert.match(v.check.message, /trybu eksportu nie da się ustalić\. Dockerfile ma jeden etap\./);
    assert.match(v.check.message, /tryby min i max zapisują ten sam cache/);
  });

  it('without the final image the mode is still read from the cache; membership is not checked', () => {
    const v = cacheCheck('cache.published', { cache: cache([d('1'), d('2')], {}, 'min') });
    assert.equal(v.mode, 'min');
    assert.equal(v.check.status, 'fail');
    assert.equal(v.check.metrics?.membership, 'unknown');
    assert.match(v.check.message, /nie sprawdzono, czy cache pochodzi z jego budowania/);
  });

  it('a cache holding none of the image layers fails as another build, whatever its mode', () => {
    const v = cacheCheck('cache.published', { cache: cache([d('6'), d('7')], {}, 'max'), image });
    assert.equal(v.mode, 'max');
    assert.equal(v.check.status, 'fail');
    assert.match(v.check.message, /^Porównanie z obrazem r:5000\/s1\/app:multiarch: Cache nie zawiera żadnej z 2 niepustych warstw obrazu/);
    assert.match(v.check.hint ?? '', /tego samego budowania/);
  });

  it('a cache of another build on the same base: said in the message and a table, not a fail', () => {
    const v = cacheCheck('cache.published', { cache: cache([d('1'), d('7')], {}, 'max'), image });
    assert.equal(v.check.status, 'pass');
    assert.equal(v.check.metrics?.membership, 'partial');
    assert.match(v.check.message, /Cache nie zawiera 1 z 2 niepustych warstw obrazu/);
    const table = v.check.evidence[1];
    assert.ok(table?.kind === 'table');
    assert.deepEqual(table.rows, [['Wniosek', 'częściowo (innego budowania)'], ['Niepuste warstwy obrazu', '2'], ['Brakujące w cache', d('2')]]);
  });

  it('an unreadable cache config fails with its reason', () => {
    const v = cacheCheck('cache.published', { cache: cache([d('1')], { config: { ok: false, reason: 'Rejestr nie ma blobu konfiguracji cache sha256:x (HTTP 404).' } }), image });
    assert.equal(v.check.status, 'fail');
    assert.match(v.check.message, /nie ma czytelnej konfiguracji cache: Rejestr nie ma blobu/);
  });

  it('the summary table carries digest, media type, layer count, record counts and inferred mode', () => {
    const v = cacheCheck('cache.exported', { cache: cache([d('1'), d('2')], {}, 'max'), image });
    assert.equal(v.check.id, 'cache.exported');
    const table = v.check.evidence[0];
    assert.ok(table?.kind === 'table');
    assert.deepEqual(table.rows, [
      ['Digest', d('c')],
      ['Typ nośnika', MediaType.ociIndex],
      ['Warstw w cache', '2'],
      ['Rekordów (kroków) w cache', '4'],
      ['Wyniki końcowe z warstwami', '1'],
      ['Wyniki spoza łańcucha obrazu końcowego', '1'],
      ['Kroki zapisane bez warstw', '0'],
      ['Tryb (wniosek)', 'max'],
    ]);
  });
});

describe('infraCheck', () => {
  it('is an error with the cause as evidence, with secrets redacted', () => {
    const c = infraCheck('cache.published', new InfraError('GET https://jan:tajne-haslo@r.lab/v2/ → Authorization: Bearer abc.def.ghi'), 'odczytać obrazu cache');
    assert.equal(c.status, 'error');
    assert.equal(c.id, 'cache.published');
    assert.match(c.message, /nie udało się odczytać obrazu cache z powodu awarii infrastruktury/);
    const e = c.evidence[0];
    assert.ok(e?.kind === 'text');
    assert.doesNotMatch(e.text, /tajne-haslo|abc\.def\.ghi/);
    assert.match(e.text, /r\.lab/);
  });
});
