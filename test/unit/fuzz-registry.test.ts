/** Property tests of image references and of cache config / manifest JSON from a student's registry. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';

import { InputError } from '../../grader/errors.ts';
import { cacheMembership, cacheModeOf, parseCacheConfig } from '../../grader/registry/cache-config.ts';
import { cacheConfigDescriptorOf, cacheLayersOf, classifyManifest, normalizePlatform, stagesOf } from '../../grader/registry/manifest-analysis.ts';
import { parseReference, referenceOf } from '../../grader/registry/reference.ts';
import { assertLinear, holds, label, type Budget } from './fuzz-support.ts';

const HEX = 'a'.repeat(64);
const refText = fc.array(fc.oneof(fc.constantFrom('reg.io', 'localhost', '[::1]', ':5000', ':0', '/', ':', '@', `sha256:${HEX}`, 'sha256:', 'App', 'a', '-', '_', '__', '.', ' ', 'http://', 'library', 'docker.io'),
  fc.string({ maxLength: 6 })), { maxLength: 8 }).map((p) => p.join(''));

describe('parseReference', () => {
  const b: Budget = { seed: 5301, runs: 3000, ms: 2000 };
  it(`throws only InputError; accepted refs round-trip through canonical and referenceOf (${label(b)})`, (t) => {
    holds(t, fc.property(refText, (s) => {
      let r;
      try {
        r = parseReference(s);
      } catch (error) {
        assert.ok(error instanceof InputError, String(error));
        return;
      }
      assert.deepEqual(parseReference(r.canonical), r);
      const again = parseReference(`${r.registry}/${r.repository}${r.digest ? '@' : ':'}${referenceOf(r)}`);
      assert.deepEqual([again.registry, again.repository, referenceOf(again)], [r.registry, r.repository, referenceOf(r)]);
    }), b);
  });
});

const index = fc.integer({ min: -3, max: 12 });
const layer = fc.oneof(fc.record({ blob: fc.constantFrom('sha256:1', 'sha256:2', 'sha256:3'), parent: fc.option(index, { nil: undefined }) }, { requiredKeys: ['blob'] }), fc.anything());
const record = fc.oneof(fc.record({
  digest: fc.constantFrom('sha256:r1', 'sha256:r2'),
  layers: fc.option(fc.array(fc.oneof(fc.record({ layer: index }), fc.anything()), { maxLength: 3 }), { nil: undefined }),
  inputs: fc.option(fc.array(fc.array(fc.oneof(fc.record({ link: index }), fc.anything()), { maxLength: 2 }), { maxLength: 2 }), { nil: undefined }),
}, { requiredKeys: ['digest'] }), fc.anything());
const config = fc.oneof(fc.record({ layers: fc.array(layer, { maxLength: 12 }), records: fc.array(record, { maxLength: 12 }) }), fc.anything());

describe('cache config and manifests from a registry', () => {
  const b1: Budget = { seed: 5302, runs: 3000, ms: 3000 };
  it(`arbitrary JSON gives a verdict or a Polish reason, never an exception (${label(b1)})`, (t) => {
    holds(t, fc.property(config, fc.array(fc.constantFrom('sha256:1', 'sha256:2', 'sha256:9')), (json, image) => {
      const p = parseCacheConfig(json);
      if (!p.ok) {
        assert.match(p.reason, /\S/);
        return;
      }
      const mode = cacheModeOf(p.value);
      assert.ok(['min', 'max', 'unknown'].includes(mode.mode));
      assert.ok(mode.finalResults + mode.offChainResults <= p.value.records.length);
      const layers = p.value.layers.map((l) => l.blob);
      assert.ok(['belongs', 'partial', 'foreign', 'unknown'].includes(cacheMembership(layers, image).verdict));
    }), b1);
  });

  const b2: Budget = { seed: 5303, runs: 2000, ms: 2000 };
  it(`manifest classification, platforms and Dockerfile stages never throw (${label(b2)})`, (t) => {
    holds(t, fc.property(fc.anything(), fc.option(fc.string(), { nil: undefined }), fc.string(), (json, mediaType, text) => {
      assert.ok(['index', 'manifest', 'buildkit-cache', 'other'].includes(classifyManifest(json, mediaType)));
      cacheConfigDescriptorOf(json);
      assert.equal(typeof normalizePlatform(text), 'string');
      stagesOf(text);
    }), b2);
  });

  const b3: Budget = { seed: 5304, runs: 1000, ms: 2000 };
  it(`a cache manifest's layers are listed whatever its entries (${label(b3)})`, (t) => {
    const cacheConfig = { mediaType: 'application/vnd.buildkit.cacheconfig.v0', digest: 'sha256:c' };
    const entry = fc.oneof(fc.record({ mediaType: fc.string(), digest: fc.constantFrom('sha256:1', 'sha256:2') }), fc.anything());
    const manifest = fc.oneof(
      fc.record({ config: fc.constant(cacheConfig), layers: fc.oneof(fc.array(entry), fc.anything()) }),
      fc.tuple(fc.array(entry), fc.array(entry)).map(([a, b]) => ({ manifests: [...a, cacheConfig, ...b] })),
    );
    holds(t, fc.property(manifest, (json) => {
      assert.ok(cacheConfigDescriptorOf(json));
      for (const d of cacheLayersOf(json as never)) assert.ok(d === 'sha256:1' || d === 'sha256:2', String(d));
    }), b3);
  });

  // Found with 10 000 layers: parseCacheConfig took ~19 s (a cycle check per layer walked its whole chain), cacheModeOf overflowed the stack.
  it('a long parent chain is judged in linear time, without overflowing the stack', () => {
    const judge = (n: number) => {
      const layers = Array.from({ length: n }, (_, i) => ({ blob: `sha256:${i}`, parent: i - 1 }));
      const p = parseCacheConfig({ layers, records: [{ digest: 'sha256:r', layers: [{ layer: n - 1 }] }] });
      assert.ok(p.ok);
      cacheModeOf(p.value);
    };
    judge(100_000);
    assertLinear(judge, 5_000);
  });
});
