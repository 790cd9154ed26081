/** Reads what a tag holds in a registry: the image index and its platforms, or a BuildKit cache. */
import { InfraError } from '../errors.ts';
import type { RegistryClient } from '../registry/client.ts';
import { isIndex, type Descriptor, type ImageManifest } from '../registry/oci-types.ts';
import { parseReference, withDigest } from '../registry/reference.ts';
import { parseCacheConfig, type ParseResult } from '../registry/cache-config.ts';
import { cacheConfigDescriptorOf, cacheLayersOf, classifyManifest, platformEntriesOf, platformOfConfig, platformsOf } from '../registry/manifest-analysis.ts';
import type { CacheConfig } from '../registry/oci-types.ts';

export interface ManifestRow {
  platform: string;
  digest: string;
  mediaType: string;
  size: number;
}

export type ImageFacts =
  | { found: false; ref: string }
  | {
      found: true;
      ref: string;
      digest: string;
      mediaType: string;
      kind: ReturnType<typeof classifyManifest>;
      platforms: string[];
      rows: ManifestRow[];
      /** Layer digests of every platform manifest: what "the final image" is made of. */
      layers: string[];
    };

export type CacheFacts =
  | { found: false; ref: string }
  | {
      found: true;
      ref: string;
      digest: string;
      mediaType: string;
      isCache: boolean;
      layers: string[];
      /** The cache config blob (records and layer chains) of a cache; a Polish reason when it is missing or malformed. */
      config?: ParseResult<CacheConfig>;
    };

/** Either facts, or the infrastructure fault that kept us from reading them (not gradable). */
export type Read<T> = { ok: true; facts: T } | { ok: false; error: InfraError };

async function guard<T>(work: () => Promise<T>): Promise<Read<T>> {
  try {
    return { ok: true, facts: await work() };
  } catch (error) {
    if (error instanceof InfraError) return { ok: false, error };
    throw error;
  }
}

function describe(d: Descriptor): string {
  const p = d.platform;
  if (!p) return 'unknown/unknown';
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** Reads an image tag: the index (or single manifest), its platform rows and layers. */
export function readImage(client: RegistryClient, input: string): Promise<Read<ImageFacts>> {
  return guard(async (): Promise<ImageFacts> => {
    const ref = parseReference(input);
    const got = await client.getManifest(ref);
    if (!got) return { found: false, ref: input };
    const kind = classifyManifest(got.manifest, got.mediaType);
    const base = { found: true as const, ref: input, digest: got.digest, mediaType: got.mediaType, kind };
    // A cache tag given as the image: no platforms, whichever form the cache has (index or image manifest).
    if (kind === 'buildkit-cache') {
      return { ...base, platforms: [], rows: [{ platform: 'unknown/unknown', digest: got.digest, mediaType: got.mediaType, size: got.size }], layers: [] };
    }
    if (isIndex(got.manifest)) {
      const rows = got.manifest.manifests.map((d) => ({ platform: describe(d), digest: d.digest, mediaType: d.mediaType, size: d.size }));
      const entries = platformEntriesOf(got.manifest);
      const platforms = platformsOf(got.manifest);
      // The final image is what the platform manifests hold (attestations left out); read them together.
      const children = await Promise.all(entries.map((e) => client.getManifest(withDigest(ref, e.digest))));
      const layers = new Set(children.flatMap((c) => layerDigests((c?.manifest as ImageManifest | undefined)?.layers)));
      return { ...base, platforms, rows, layers: [...layers] };
    }
    // A single manifest: its platform lives in the config blob.
    const manifest = got.manifest as ImageManifest;
    const config = await client.getBlobJson<{ os?: string; architecture?: string; variant?: string }>(ref, manifest.config.digest);
    const platform = config ? platformOfConfig(config) : undefined;
    return {
      ...base,
      platforms: platform ? [platform] : [],
      rows: [{ platform: platform ?? 'unknown/unknown', digest: got.digest, mediaType: got.mediaType, size: got.size }],
      layers: layerDigests(manifest.layers),
    };
  });
}

/** Reads a cache tag, tells whether it is a BuildKit registry cache and reads its cache config blob. */
export function readCache(client: RegistryClient, input: string): Promise<Read<CacheFacts>> {
  return guard(async (): Promise<CacheFacts> => {
    const ref = parseReference(input);
    const got = await client.getManifest(ref);
    if (!got) return { found: false, ref: input };
    const base = { found: true as const, ref: input, digest: got.digest, mediaType: got.mediaType };
    // Either form: the config of an image manifest (BuildKit >= 0.21) or a descriptor in an index (older).
    const descriptor = cacheConfigDescriptorOf(got.manifest);
    if (!descriptor) return { ...base, isCache: false, layers: [] };
    const layers = cacheLayersOf(got.manifest);
    const blob = await client.getBlob(ref, descriptor.digest);
    if (!blob) {
      return { ...base, isCache: true, layers, config: { ok: false, reason: `Rejestr nie ma blobu konfiguracji cache ${descriptor.digest} (HTTP 404).` } };
    }
    let json: unknown;
    try {
      json = JSON.parse(blob.toString('utf8'));
    } catch {
      return { ...base, isCache: true, layers, config: { ok: false, reason: `Blob konfiguracji cache ${descriptor.digest} nie jest poprawnym JSON-em.` } };
    }
    return { ...base, isCache: true, layers, config: parseCacheConfig(json) };
  });
}

/** Layer digests of a manifest from any registry: entries that are not descriptors are skipped, not thrown on. */
function layerDigests(layers: unknown): string[] {
  if (!Array.isArray(layers)) return [];
  return layers.flatMap((l: unknown) => (typeof (l as { digest?: unknown } | null)?.digest === 'string' ? [(l as { digest: string }).digest] : []));
}
