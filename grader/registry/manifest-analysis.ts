/**
 * Pure analysis of what a registry returned: platforms of an image index, whether a manifest is a
 * BuildKit cache and where its layers and config blob are (reading that blob: cache-config.ts).
 * No I/O: callers fetch manifests and blobs (client.ts) and pass the parsed JSON in.
 */
import { MediaType, type Descriptor, type ImageIndex, type ImageManifest, type Platform } from './oci-types.ts';

// ---------------------------------------------------------------------------------------------
// Platforms

/** Annotation BuildKit puts on provenance/SBOM manifests inside an image index. */
const REFERENCE_TYPE = 'vnd.docker.reference.type';

/** An attestation manifest (provenance, SBOM) rather than an image for some platform. */
export function isAttestation(d: Descriptor): boolean {
  if (d.annotations?.[REFERENCE_TYPE] === 'attestation-manifest') return true;
  return d.platform?.os === 'unknown' && d.platform.architecture === 'unknown';
}

// Aliases as containerd's platforms.Normalize resolves them:
// https://github.com/containerd/platforms/blob/main/database.go (normalizeArch)
const ARCH_ALIASES: Record<string, { arch: string; variant?: string }> = {
  x86_64: { arch: 'amd64' },
  'x86-64': { arch: 'amd64' },
  aarch64: { arch: 'arm64' },
  armhf: { arch: 'arm', variant: 'v7' },
  armel: { arch: 'arm', variant: 'v6' },
  i386: { arch: '386' },
  i686: { arch: '386' },
  x86: { arch: '386' },
};

/**
 * Canonical "os/arch[/variant]": lower case, aliases resolved, and the variants that mean the
 * baseline dropped (arm64/v8 → linux/arm64, amd64/v1 → linux/amd64), as containerd does.
 * A string without an os ("arm64/v8") is taken as linux.
 */
export function normalizePlatform(p: Platform | string): string {
  let os: string;
  let arch: string;
  let variant: string | undefined;
  if (typeof p === 'string') {
    const parts = p.trim().toLowerCase().split('/');
    // "arm64", "arm64/v8": no os part. Known os names decide whether the first part is an os.
    if (parts.length === 1 || (parts.length === 2 && !KNOWN_OS.has(parts[0] ?? ''))) parts.unshift('linux');
    [os = '', arch = '', variant] = parts;
  } else {
    os = p.os.toLowerCase();
    arch = p.architecture.toLowerCase();
    variant = p.variant?.toLowerCase();
  }
  const alias = ARCH_ALIASES[arch];
  if (alias) {
    arch = alias.arch;
    variant = variant || alias.variant;
  }
  if (arch === 'arm64' && (variant === 'v8' || variant === '8')) variant = undefined;
  if (arch === 'amd64' && variant === 'v1') variant = undefined;
  if (arch === 'arm' && !variant) variant = 'v7';
  return variant ? `${os}/${arch}/${variant}` : `${os}/${arch}`;
}

const KNOWN_OS = new Set(['linux', 'windows', 'darwin', 'freebsd', 'netbsd', 'openbsd', 'solaris', 'illumos', 'wasip1', 'js', 'unknown']);

export interface PlatformEntry {
  /** Normalised "os/arch[/variant]". */
  platform: string;
  digest: string;
  mediaType: string;
}

/** Image manifests of an index with their platforms, attestations left out, in index order. */
export function platformEntriesOf(index: ImageIndex): PlatformEntry[] {
  return index.manifests
    .filter((d) => d.platform && !isAttestation(d))
    .map((d) => ({ platform: normalizePlatform(d.platform!), digest: d.digest, mediaType: d.mediaType }));
}

/** Platforms an index provides, e.g. ['linux/amd64', 'linux/arm64'] (unique, index order, no attestations). */
export function platformsOf(index: ImageIndex): string[] {
  return [...new Set(platformEntriesOf(index).map((e) => e.platform))];
}

/** Platform of a single-platform image, from its config blob ({os, architecture, variant}). */
export function platformOfConfig(config: { os?: unknown; architecture?: unknown; variant?: unknown }): string | undefined {
  if (typeof config.os !== 'string' || typeof config.architecture !== 'string') return undefined;
  const p: Platform = { os: config.os, architecture: config.architecture };
  if (typeof config.variant === 'string') p.variant = config.variant;
  return normalizePlatform(p);
}

export interface PlatformComparison {
  /** Required platforms the image does not provide. */
  missing: string[];
  /** Platforms the image provides beyond the required ones. */
  extra: string[];
}

/**
 * Compares found platforms with required ones after normalisation. A required platform without a
 * variant is met by any variant of its architecture (the lab asks for "amd64 and arm64", not a CPU level).
 */
export function comparePlatforms(found: readonly string[], required: readonly string[]): PlatformComparison {
  const f = [...new Set(found.map(normalizePlatform))];
  const r = [...new Set(required.map(normalizePlatform))];
  const meets = (have: string, want: string) => have === want || (want.split('/').length === 2 && have.startsWith(`${want}/`));
  return {
    missing: r.filter((want) => !f.some((have) => meets(have, want))),
    extra: f.filter((have) => !r.some((want) => meets(have, want))),
  };
}

// ---------------------------------------------------------------------------------------------
// Manifest kinds and BuildKit cache

export type ManifestKind = 'index' | 'manifest' | 'buildkit-cache' | 'other';

const INDEX_TYPES = new Set<string>([MediaType.ociIndex, MediaType.dockerList]);
const MANIFEST_TYPES = new Set<string>([MediaType.ociManifest, MediaType.dockerManifest]);

/**
 * What a manifest is. `mediaType` is the Content-Type the registry answered with; the body's own
 * mediaType field and finally its shape are used when it is missing (the field is optional in OCI).
 */
export function classifyManifest(manifest: unknown, mediaType?: string): ManifestKind {
  if (!isRecord(manifest)) return 'other';
  if (isBuildkitCache(manifest)) return 'buildkit-cache';
  const type = stripParams(mediaType) || (typeof manifest.mediaType === 'string' ? manifest.mediaType : '');
  if (INDEX_TYPES.has(type)) return 'index';
  if (MANIFEST_TYPES.has(type)) return 'manifest';
  if (type) return 'other';
  if (Array.isArray(manifest.manifests)) return 'index';
  if (isRecord(manifest.config) && Array.isArray(manifest.layers)) return 'manifest';
  return 'other';
}

/**
 * A BuildKit registry cache in either form: an image manifest whose config is a cacheconfig.v0
 * (BuildKit >= 0.21, `image-manifest=true` by default), or an index listing a cacheconfig.v0
 * descriptor among its layers (older BuildKit, or `image-manifest=false`).
 */
export function isBuildkitCache(manifest: unknown): boolean {
  return cacheConfigDescriptorOf(manifest) !== undefined;
}

/** The descriptor of the cache config blob, to fetch it; undefined when this is not a cache. */
export function cacheConfigDescriptorOf(manifest: unknown): Descriptor | undefined {
  if (!isRecord(manifest)) return undefined;
  if (Array.isArray(manifest.manifests)) {
    return (manifest.manifests as unknown[]).find(
      (d): d is Descriptor => isRecord(d) && d.mediaType === MediaType.buildkitCacheConfig,
    );
  }
  if (isRecord(manifest.config) && manifest.config.mediaType === MediaType.buildkitCacheConfig) {
    return manifest.config as unknown as Descriptor;
  }
  return undefined;
}

/** Layer blob digests a cache manifest references (unique, in order), its config left out. */
export function cacheLayersOf(cache: ImageIndex | ImageManifest): string[] {
  const listed: unknown = 'manifests' in cache && Array.isArray(cache.manifests) ? cache.manifests : (cache as ImageManifest).layers;
  // The manifest is a student's registry's JSON: an entry that is no descriptor names no layer.
  const descriptors = (Array.isArray(listed) ? listed : []).filter((d): d is Descriptor => isRecord(d) && typeof d.digest === 'string');
  return unique(descriptors.filter((d) => d.mediaType !== MediaType.buildkitCacheConfig).map((d) => d.digest));
}

// ---------------------------------------------------------------------------------------------
// Dockerfile stages

export interface Stage {
  /** Image or earlier stage it starts from, as written. */
  base: string;
  /** Name after AS, lower-cased (stage names are case-insensitive). */
  name?: string;
  /** Value of --platform=..., as written. */
  platform?: string;
}

/**
 * The instructions of a Dockerfile, continuations joined. Follows the Dockerfile syntax closely
 * enough not to be fooled: the escape directive, line continuations, comment lines, and heredoc
 * bodies (`RUN <<EOF ... EOF`), whose lines are text, not instructions.
 */
export function instructionsOf(dockerfile: string): string[] {
  const lines = dockerfile.replace(/\r\n?/g, '\n').split('\n');
  const escape = escapeCharOf(lines);
  const out: string[] = [];
  let instruction = '';
  let heredocs: { word: string; stripTabs: boolean }[] = [];
  for (const line of lines) {
    if (heredocs.length > 0) {
      const current = heredocs[0]!;
      const candidate = current.stripTabs ? line.replace(/^\t+/, '') : line;
      if (candidate === current.word) heredocs = heredocs.slice(1);
      continue;
    }
    const trimmed = line.trim();
    // Comment and empty lines are dropped, even in the middle of a continued instruction.
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (trimmed.endsWith(escape)) {
      instruction += trimmed.slice(0, -1) + ' ';
      continue;
    }
    instruction += trimmed;
    out.push(instruction);
    heredocs = heredocsOf(instruction);
    instruction = '';
  }
  if (instruction.trim()) out.push(instruction);
  return out;
}

/** Build stages of a Dockerfile (its FROM instructions). */
export function stagesOf(dockerfile: string): Stage[] {
  return instructionsOf(dockerfile).flatMap((i) => parseFrom(i) ?? []);
}

/** Number of build stages (FROM instructions). */
export function countStages(dockerfile: string): number {
  return stagesOf(dockerfile).length;
}

/** `# escape=`` parser directive (must come before any instruction or other comment). */
function escapeCharOf(lines: string[]): string {
  for (const line of lines) {
    const m = /^\s*#\s*([a-z]+)\s*=\s*(\S+)\s*$/i.exec(line);
    if (!m) return '\\';
    if (m[1]!.toLowerCase() === 'escape' && (m[2] === '`' || m[2] === '\\')) return m[2];
  }
  return '\\';
}

function parseFrom(instruction: string): Stage | undefined {
  const words = instruction.trim().split(/\s+/);
  if (words[0]?.toUpperCase() !== 'FROM') return undefined;
  const flags = words.slice(1).filter((w) => w.startsWith('--'));
  const rest = words.slice(1).filter((w) => !w.startsWith('--'));
  if (rest.length === 0) return undefined;
  const stage: Stage = { base: rest[0]! };
  if (rest[1]?.toUpperCase() === 'AS' && rest[2]) stage.name = rest[2].toLowerCase();
  const platform = flags.find((f) => f.toLowerCase().startsWith('--platform='));
  if (platform) stage.platform = platform.slice('--platform='.length);
  return stage;
}

/** Heredoc words opened by an instruction, in order: `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'`. */
function heredocsOf(instruction: string): { word: string; stripTabs: boolean }[] {
  const out: { word: string; stripTabs: boolean }[] = [];
  // Only these instructions take heredocs; `<<<` (a shell here-string) is not one.
  if (!/^(RUN|COPY|ADD)\s/i.test(instruction.trim())) return out;
  for (const m of instruction.matchAll(/(?<!<)<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g)) {
    out.push({ word: m[3]!, stripTabs: m[1] === '-' });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stripParams(mediaType: string | undefined): string {
  return (mediaType ?? '').split(';')[0]!.trim().toLowerCase();
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
