import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import {
  cacheConfigDescriptorOf,
  cacheLayersOf,
  cacheModeEvidence,
  classifyManifest,
  comparePlatforms,
  countStages,
  EMPTY_LAYER,
  imageLayersOf,
  isAttestation,
  isBuildkitCache,
  normalizePlatform,
  parseCacheConfig,
  platformEntriesOf,
  platformOfConfig,
  platformsOf,
  stagesOf,
} from '../../grader/registry/manifest-analysis.ts';
import { MediaType, type ImageIndex, type ImageManifest } from '../../grader/registry/oci-types.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURES = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'registry');

async function fixture<T>(name: string): Promise<T> {
  return JSON.parse(await readFile(path.join(FIXTURES, name), 'utf8')) as T;
}

const ociIndex = await fixture<ImageIndex>('image-index-oci-with-attestations.json');
const dockerList = await fixture<ImageIndex>('manifest-list-docker-schema2.json');
const singleManifest = await fixture<ImageManifest>('single-platform-manifest-docker-schema2.json');
const cacheIndex = await fixture<ImageIndex>('cache-index-mode-min.json');
const cacheConfig = await fixture<unknown>('cache-config-mode-min.json');

const sha = (c: string) => `sha256:${c.repeat(64)}`;

/**
 * The final image's platform manifests of the mode=min build. Not captured, but mode=min exports
 * exactly the final image's layers, so they follow from the cache config's parent chains:
 * baac…(base) → 57a6… → empty, and 7033…(base) → a4e2… → empty.
 */
function finalManifest(layers: string[]): ImageManifest {
  return {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, digest: sha('c'), size: 1 },
    layers: layers.map((digest) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest, size: 1 })),
  };
}
const AMD64_LAYERS = [
  'sha256:baac51c4d91c0d7601ae4ae70a349cce87c58efed16ccaed9eafecde432ecf00',
  'sha256:57a6794946e982194cdfbeaaa28bd1f504b2f8029ec8e347b40bea471b61b075',
  EMPTY_LAYER,
];
const ARM64_LAYERS = [
  'sha256:7033c167655d9589f814aa6ccd74201e84189b0185a339968166a4000e36dbae',
  'sha256:a4e2882189d06b2c9f8fdeae3e690e637453f07c3f21cf2fbd8229b60f42dcd5',
  EMPTY_LAYER,
];
const finalImageLayers = imageLayersOf([finalManifest(AMD64_LAYERS), finalManifest(ARM64_LAYERS)]);

describe('platforms', () => {
  it('OCI index: amd64 and arm64, attestation manifests ignored', () => {
    assert.deepEqual(platformsOf(ociIndex), ['linux/amd64', 'linux/arm64']);
    assert.deepEqual(ociIndex.manifests.map(isAttestation), [false, false, true, true]);
    assert.deepEqual(platformEntriesOf(ociIndex).map((e) => e.digest), [
      'sha256:8c96c44828192a7acc2c69aa527ae03f1ce15094b5b7b80b21aa7536bc0f94a3',
      'sha256:596ef6de4e4f77622be0add753a2206ffae43a2ce864c9d52ab4140259eb6250',
    ]);
  });

  it('Docker manifest list: amd64 and arm64', () => {
    assert.deepEqual(platformsOf(dockerList), ['linux/amd64', 'linux/arm64']);
  });

  it('an attestation is recognised by its annotation alone', () => {
    assert.equal(isAttestation({ mediaType: MediaType.ociManifest, digest: sha('a'), size: 1, annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } }), true);
  });

  it('normalises variants, aliases and missing os, and dedupes', () => {
    const index: ImageIndex = {
      schemaVersion: 2,
      manifests: [
        { mediaType: MediaType.ociManifest, digest: sha('1'), size: 1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        { mediaType: MediaType.ociManifest, digest: sha('2'), size: 1, platform: { os: 'linux', architecture: 'arm64' } },
        { mediaType: MediaType.ociManifest, digest: sha('3'), size: 1 },
      ],
    };
    assert.deepEqual(platformsOf(index), ['linux/arm64']);
    const table: [string | { os: string; architecture: string; variant?: string }, string][] = [
      ['arm64/v8', 'linux/arm64'],
      ['linux/arm64/v8', 'linux/arm64'],
      ['Linux/AArch64', 'linux/arm64'],
      ['linux/x86_64', 'linux/amd64'],
      ['linux/amd64/v1', 'linux/amd64'],
      ['linux/amd64/v3', 'linux/amd64/v3'],
      ['linux/arm', 'linux/arm/v7'],
      ['linux/armhf', 'linux/arm/v7'],
      ['amd64', 'linux/amd64'],
      ['windows/amd64', 'windows/amd64'],
      [{ os: 'linux', architecture: 'arm', variant: 'v6' }, 'linux/arm/v6'],
    ];
    for (const [input, want] of table) assert.equal(normalizePlatform(input), want, JSON.stringify(input));
  });

  it('reads the platform of a single-platform image from its config', () => {
    assert.equal(platformOfConfig({ os: 'linux', architecture: 'arm64', variant: 'v8' }), 'linux/arm64');
    assert.equal(platformOfConfig({ os: 'linux' }), undefined);
  });

  it('compares found and required platforms', () => {
    const required = ['linux/amd64', 'linux/arm64'];
    assert.deepEqual(comparePlatforms(platformsOf(ociIndex), required), { missing: [], extra: [] });
    assert.deepEqual(comparePlatforms(['linux/amd64'], required), { missing: ['linux/arm64'], extra: [] });
    assert.deepEqual(comparePlatforms(['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7'], required), { missing: [], extra: ['linux/arm/v7'] });
    // Any CPU level of amd64 meets "linux/amd64"; a required variant must match exactly.
    assert.deepEqual(comparePlatforms(['linux/amd64/v2'], ['linux/amd64']), { missing: [], extra: [] });
    assert.deepEqual(comparePlatforms(['linux/arm/v6'], ['linux/arm/v7']), { missing: ['linux/arm/v7'], extra: ['linux/arm/v6'] });
    assert.deepEqual(comparePlatforms([], required), { missing: required, extra: [] });
  });
});

describe('classifyManifest', () => {
  const table: [string, unknown, string | undefined, string][] = [
    ['OCI index (header)', ociIndex, MediaType.ociIndex, 'index'],
    ['OCI index (body only)', ociIndex, undefined, 'index'],
    ['Docker list', dockerList, `${MediaType.dockerList}; charset=utf-8`, 'index'],
    ['single manifest', singleManifest, MediaType.dockerManifest, 'manifest'],
    ['single manifest (body only)', singleManifest, undefined, 'manifest'],
    ['shape only', { schemaVersion: 2, manifests: [] }, undefined, 'index'],
    ['cache index', cacheIndex, MediaType.ociIndex, 'buildkit-cache'],
    ['cache config blob', cacheConfig, undefined, 'other'],
    ['schema1', { schemaVersion: 1, fsLayers: [] }, 'application/vnd.docker.distribution.manifest.v1+prettyjws', 'other'],
    ['not an object', 'oops', undefined, 'other'],
  ];
  for (const [name, manifest, type, want] of table) {
    it(`${name} → ${want}`, () => assert.equal(classifyManifest(manifest, type), want));
  }

  it('an image-manifest cache (image-manifest=true) is a cache too', () => {
    const m = { ...finalManifest(AMD64_LAYERS), config: { mediaType: MediaType.buildkitCacheConfig, digest: sha('d'), size: 3 } };
    assert.equal(classifyManifest(m, MediaType.ociManifest), 'buildkit-cache');
    assert.deepEqual(cacheLayersOf(m), AMD64_LAYERS);
  });
});

describe('BuildKit cache', () => {
  it('recognises the cache index and finds its config', () => {
    assert.equal(isBuildkitCache(cacheIndex), true);
    assert.equal(isBuildkitCache(ociIndex), false);
    assert.equal(isBuildkitCache(singleManifest), false);
    assert.equal(cacheConfigDescriptorOf(cacheIndex)?.digest, 'sha256:58074ec2ad0079e9381c1f09e30197e96d6e94fbc9c3ae4de69b1dea1e9846e7');
  });

  it('lists the distinct layers, config left out', () => {
    const layers = cacheLayersOf(cacheIndex);
    assert.equal(layers.length, 5);
    assert.ok(!layers.includes('sha256:58074ec2ad0079e9381c1f09e30197e96d6e94fbc9c3ae4de69b1dea1e9846e7'));
    assert.deepEqual(new Set(layers), new Set([...AMD64_LAYERS, ...ARM64_LAYERS]));
  });

  it('summarises the cache config', () => {
    const parsed = parseCacheConfig(cacheConfig);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value, { layerCount: 6, blobs: parsed.value.blobs, recordCount: 19, recordsWithLayers: 4, longestChain: 3 });
    assert.deepEqual(new Set(parsed.value.blobs), new Set(cacheLayersOf(cacheIndex)));
  });

  it('reports a malformed cache config as a finding, not an exception', () => {
    assert.deepEqual(parseCacheConfig({ layers: [] }), { ok: false, reason: 'Konfiguracja cache nie ma list „layers” i „records” — to nie jest cache BuildKit.' });
    const badParent = parseCacheConfig({ layers: [{ blob: sha('a'), parent: 5 }], records: [] });
    assert.equal(badParent.ok, false);
    const badLink = parseCacheConfig({ layers: [], records: [{ digest: sha('b'), inputs: [[{ link: 3 }]] }] });
    assert.deepEqual(badLink, { ok: false, reason: 'Niepoprawny wpis records[0] w konfiguracji cache.' });
  });

  it('survives a parent cycle', () => {
    const parsed = parseCacheConfig({ layers: [{ blob: sha('a'), parent: 1 }, { blob: sha('b'), parent: 0 }], records: [] });
    assert.ok(parsed.ok);
    assert.equal(parsed.value.longestChain, 2);
  });
});

describe('cacheModeEvidence', () => {
  const cacheLayers = cacheLayersOf(cacheIndex);

  it('mode=min fixture on a two-stage build → min', () => {
    const e = cacheModeEvidence({ cacheLayers, finalImageLayers, stageCount: 2 });
    assert.equal(e.mode, 'min');
    assert.deepEqual(e.extraLayers, []);
    assert.match(e.reason, /Dockerfile ma 2 etapy/);
  });

  it('an intermediate-stage layer in the cache → max', () => {
    const e = cacheModeEvidence({ cacheLayers: [...cacheLayers, sha('e')], finalImageLayers, stageCount: 2 });
    assert.equal(e.mode, 'max');
    assert.deepEqual(e.extraLayers, [sha('e')]);
    assert.match(e.reason, /Cache zawiera 1 warstwę spoza obrazu końcowego/);
    // Extra layers prove max whatever the Dockerfile looks like.
    assert.equal(cacheModeEvidence({ cacheLayers: [...cacheLayers, sha('e'), sha('f')], finalImageLayers }).mode, 'max');
  });

  it('single-stage or unknown stage count → unknown, with a Polish reason', () => {
    const one = cacheModeEvidence({ cacheLayers, finalImageLayers, stageCount: 1 });
    assert.equal(one.mode, 'unknown');
    assert.match(one.reason, /Dockerfile ma jeden etap/);
    const unknown = cacheModeEvidence({ cacheLayers, finalImageLayers });
    assert.equal(unknown.mode, 'unknown');
    assert.match(unknown.reason, /nie znamy liczby etapów/);
  });

  it('the empty layer alone is no evidence of max', () => {
    const e = cacheModeEvidence({ cacheLayers: [AMD64_LAYERS[0]!, EMPTY_LAYER], finalImageLayers: [AMD64_LAYERS[0]!], stageCount: 2 });
    assert.equal(e.mode, 'min');
  });

  it('nothing to compare → unknown', () => {
    assert.equal(cacheModeEvidence({ cacheLayers: [], finalImageLayers, stageCount: 2 }).mode, 'unknown');
    assert.equal(cacheModeEvidence({ cacheLayers, finalImageLayers: [], stageCount: 2 }).mode, 'unknown');
  });

  it('a cache sharing no layer with the image belongs to another build → unknown', () => {
    const e = cacheModeEvidence({ cacheLayers: ARM64_LAYERS, finalImageLayers: imageLayersOf([singleManifest]), stageCount: 2 });
    assert.equal(e.mode, 'unknown');
    assert.deepEqual(e.extraLayers, ARM64_LAYERS.slice(0, 2));
    assert.match(e.reason, /z innego budowania/);
  });

});

describe('countStages', () => {
  const table: [string, string, number][] = [
    ['single stage', 'FROM alpine\nRUN echo hi\n', 1],
    ['two stages with --platform and AS', 'FROM --platform=$BUILDPLATFORM node:20 AS build\nRUN npm ci\nFROM nginx:alpine\nCOPY --from=build /app /usr/share/nginx/html\n', 2],
    ['lower case and indentation', '  from alpine as base\n\tFrOm base\n', 2],
    ['comments are ignored', '# FROM commented\nFROM alpine\n  # FROM also commented\n', 1],
    ['continuation lines', 'FROM alpine\nRUN echo \\\n  FROM not-an-instruction \\\n  && true\nFROM \\\n  busybox\n', 2],
    ['comment inside a continuation', 'RUN apk add \\\n# FROM x\n    curl\nFROM alpine\n', 1],
    ['escape directive', '# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir `\n  FROM x\n', 1],
    ['heredoc body is not parsed', 'FROM alpine\nRUN <<EOF\nFROM inside-heredoc\nEOF\nCOPY <<-"END" /x\n\tFROM y\n\tEND\nFROM busybox\n', 2],
    ['here-string is not a heredoc', 'FROM alpine\nRUN cat <<<hello\nFROM busybox\n', 2],
    ['CRLF line endings', 'FROM alpine AS a\r\nFROM a\r\n', 2],
    ['FROM as text in a RUN', 'FROM alpine\nRUN echo FROM x\n', 1],
    ['empty file', '', 0],
  ];
  for (const [name, text, want] of table) {
    it(`${name} → ${want}`, () => assert.equal(countStages(text), want));
  }

  it('returns stage names, bases and platforms', () => {
    assert.deepEqual(stagesOf('FROM --platform=$BUILDPLATFORM golang:1.22 AS Build\nFROM scratch\n'), [
      { base: 'golang:1.22', name: 'build', platform: '$BUILDPLATFORM' },
      { base: 'scratch' },
    ]);
  });

  it('counts the example submission Dockerfile', async () => {
    const text = await readFile(path.join(repoRoot, 'submissions', 'example', 'Dockerfile'), 'utf8');
    assert.ok(countStages(text) >= 1);
  });
});
