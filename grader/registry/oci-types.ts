/**
 * OCI image-spec / distribution shapes the grader reads.
 * Mirrors https://github.com/opencontainers/image-spec/blob/main/specs-go/v1/ (descriptor.go, index.go, manifest.go)
 * and Docker's schema2 manifest list, which has the same fields.
 */

export const MediaType = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  /** Config of a BuildKit registry cache (--cache-to type=registry). */
  buildkitCacheConfig: 'application/vnd.buildkit.cacheconfig.v0',
} as const;

/** Accept list for manifest requests: indexes and lists first, so multi-platform tags resolve to the index. */
export const MANIFEST_ACCEPT = [
  MediaType.ociIndex,
  MediaType.dockerList,
  MediaType.ociManifest,
  MediaType.dockerManifest,
];

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
  urls?: string[];
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export type Manifest = ImageIndex | ImageManifest;

/** BuildKit cache config blob (application/vnd.buildkit.cacheconfig.v0). */
export interface CacheConfig {
  layers: { blob: string; parent?: number; annotations?: Record<string, string> }[];
  records: { digest: string; layers?: { layer: number }[]; inputs?: { selector?: string; link: number }[][] }[];
}

export function isIndex(m: Manifest): m is ImageIndex {
  return Array.isArray((m as ImageIndex).manifests);
}
