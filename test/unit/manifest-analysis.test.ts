import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import {
  cacheConfigDescriptorOf,
  cacheLayersOf,
  classifyManifest,
  comparePlatforms,
  countStages,
  isAttestation,
  isBuildkitCache,
  normalizePlatform,
  platformEntriesOf,
  platformOfConfig,
  platformsOf,
  stagesOf,
} from '../../grader/registry/manifest-analysis.ts';
import { isIndex, MediaType, type ImageIndex, type ImageManifest } from '../../grader/registry/oci-types.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURES = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'registry');
const OWN_FIXTURES = path.resolve(repoRoot, 'test', 'fixtures', 'registry');

async function fixture<T>(name: string): Promise<T> {
  return JSON.parse(await readFile(path.join(FIXTURES, name), 'utf8')) as T;
}

const ociIndex = await fixture<ImageIndex>('image-index-oci-with-attestations.json');
const dockerList = await fixture<ImageIndex>('manifest-list-docker-schema2.json');
const singleManifest = await fixture<ImageManifest>('single-platform-manifest-docker-schema2.json');
const cacheIndex = await fixture<ImageIndex>('cache-index-mode-min.json');
const cacheConfig = await fixture<unknown>('cache-config-mode-min.json');

const sha = (c: string) => `sha256:${c.repeat(64)}`;
/** BuildKit's usual empty layer (gzipped empty tar). */
const EMPTY_LAYER = 'sha256:4f4fb700ef54461cfa02571ae0db9a0dc1e0cdb5577484a6d75e68dc38e8acc1';

/**
 * The final image's layers of the trixie mode=min build. Not captured, but mode=min exports
 * exactly the final image's layers, so they follow from the cache config's parent chains:
 * baac…(base) → 57a6… → empty, and 7033…(base) → a4e2… → empty.
 */
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
});

/** One build captured on forky (test/fixtures/registry/<dir>): raw bytes as served, so sha256 = digest. */
async function forkyBuild(dir: string) {
  const raw = async (name: string) => readFile(path.join(OWN_FIXTURES, dir, name));
  const parse = async <T>(name: string) => JSON.parse((await raw(name)).toString('utf8')) as T;
  return {
    cacheRaw: await raw('cache.json'),
    cache: await parse<ImageIndex | ImageManifest>('cache.json'),
    configRaw: await raw('cache-config.json'),
    config: await parse<unknown>('cache-config.json'),
    index: await parse<ImageIndex>('image-index.json'),
    platformRaw: [await raw('image-amd64.json'), await raw('image-arm64.json')],
    platforms: [await parse<ImageManifest>('image-amd64.json'), await parse<ImageManifest>('image-arm64.json')],
  };
}
const digestOf = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('BuildKit cache in both forms, captured on forky', () => {
  // BuildKit >= 0.21 stores the cache as an OCI image manifest (config = cacheconfig, layers = blobs);
  // `image-manifest=false` still gives the older OCI index.
  const table = [
    { dir: 'forky-image-manifest-mode-max', type: MediaType.ociManifest, entries: 14, blobs: 9 },
    { dir: 'forky-image-manifest-mode-min', type: MediaType.ociManifest, entries: 6, blobs: 5 },
    { dir: 'forky-index-mode-max', type: MediaType.ociIndex, entries: 14, blobs: 11 },
  ] as const;

  for (const row of table) {
    it(`${row.dir}: a cache, its config and its layers`, async () => {
      const b = await forkyBuild(row.dir);
      assert.equal(b.cache.mediaType, row.type);
      assert.equal(classifyManifest(b.cache, row.type), 'buildkit-cache');
      assert.equal(classifyManifest(b.cache, undefined), 'buildkit-cache');
      assert.equal(isBuildkitCache(b.cache), true);

      const configDescriptor = cacheConfigDescriptorOf(b.cache);
      assert.equal(configDescriptor?.mediaType, MediaType.buildkitCacheConfig);
      assert.equal(configDescriptor?.digest, digestOf(b.configRaw));
      assert.equal(configDescriptor?.size, b.configRaw.length);

      const entries = isIndex(b.cache) ? b.cache.manifests.filter((d) => d.mediaType !== MediaType.buildkitCacheConfig) : b.cache.layers;
      assert.equal(entries.length, row.entries, 'BuildKit lists a blob once per chain that uses it');
      const layers = cacheLayersOf(b.cache);
      assert.equal(layers.length, row.blobs);
      assert.ok(!layers.includes(configDescriptor.digest));

      // The manifest lists exactly the blobs of the config's layer chains.
      assert.deepEqual(new Set((b.config as { layers: { blob: string }[] }).layers.map((l) => l.blob)), new Set(layers));

      // The image the cache came from: both platforms, attestations ignored, manifests as its index names them.
      assert.equal(classifyManifest(b.index, MediaType.ociIndex), 'index');
      assert.deepEqual(platformsOf(b.index), ['linux/amd64', 'linux/arm64']);
      assert.deepEqual(platformEntriesOf(b.index).map((e) => e.digest), b.platformRaw.map(digestOf));
    });
  }

  it('both forms and both modes of the same build hold the same cache records', async () => {
    const builds = await Promise.all(table.map((row) => forkyBuild(row.dir)));
    assert.deepEqual(builds.map((b) => isIndex(b.cache)), [false, false, true]);
    // Same Dockerfile and inputs, same cache keys; the mode only decides which records carry layers.
    const records = (c: unknown) => (c as { records: { digest: string }[] }).records.map((r) => r.digest).sort();
    for (const b of builds.slice(1)) assert.deepEqual(records(b.config), records(builds[0]!.config));
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
