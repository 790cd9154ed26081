/**
 * Pure analysis of what a registry returned: platforms of an image index, whether a manifest is a
 * BuildKit cache, the cache's layers and config, and evidence of --cache-to mode=max.
 * No I/O: callers fetch manifests and blobs (client.ts) and pass the parsed JSON in.
 */
import { MediaType, type CacheConfig, type Descriptor, type ImageIndex, type ImageManifest, type Platform } from './oci-types.ts';

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
 * A BuildKit registry cache: an index listing a cacheconfig.v0 descriptor (the default), or an
 * image manifest whose config is one (`--cache-to type=registry,image-manifest=true`).
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
  const descriptors = 'manifests' in cache && Array.isArray(cache.manifests)
    ? cache.manifests
    : (cache as ImageManifest).layers ?? [];
  return unique(descriptors.filter((d) => d.mediaType !== MediaType.buildkitCacheConfig).map((d) => d.digest));
}

/** Union of the layers of all platform manifests of the final image (unique, in order). */
export function imageLayersOf(manifests: readonly ImageManifest[]): string[] {
  return unique(manifests.flatMap((m) => m.layers.map((l) => l.digest)));
}

export interface CacheConfigSummary {
  /** Entries in `layers` (BuildKit repeats a blob when several chains share it). */
  layerCount: number;
  /** Distinct layer blobs. */
  blobs: string[];
  /** Cache records (build steps with a cache key). */
  recordCount: number;
  /** Records that point at a stored result (a layer chain); the others are only keys. */
  recordsWithLayers: number;
  /** Longest chain of layers (parent links): roughly the layer count of the deepest stored snapshot. */
  longestChain: number;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Reads a cache config blob (application/vnd.buildkit.cacheconfig.v0). The blob comes from a
 * student's registry, so a bad shape is a finding (Polish reason), not an exception.
 * Shape: https://github.com/moby/buildkit/blob/master/cache/remotecache/v1/spec.go
 */
export function parseCacheConfig(json: unknown): ParseResult<CacheConfigSummary> {
  if (!isRecord(json) || !Array.isArray(json.layers) || !Array.isArray(json.records)) {
    return { ok: false, reason: 'Konfiguracja cache nie ma list „layers” i „records” — to nie jest cache BuildKit.' };
  }
  const layers = json.layers as unknown[];
  const records = json.records as unknown[];
  const badLayer = layers.findIndex((l) => !isRecord(l) || typeof l.blob !== 'string' || (l.parent !== undefined && !isIndexIn(l.parent, layers.length, true)));
  if (badLayer >= 0) return { ok: false, reason: `Niepoprawny wpis layers[${badLayer}] w konfiguracji cache.` };
  const badRecord = records.findIndex((r) => !isRecord(r) || typeof r.digest !== 'string' || !recordRefsValid(r, layers.length, records.length));
  if (badRecord >= 0) return { ok: false, reason: `Niepoprawny wpis records[${badRecord}] w konfiguracji cache.` };

  const config = json as unknown as CacheConfig;
  return {
    ok: true,
    value: {
      layerCount: config.layers.length,
      blobs: unique(config.layers.map((l) => l.blob)),
      recordCount: config.records.length,
      recordsWithLayers: config.records.filter((r) => (r.layers?.length ?? 0) > 0).length,
      longestChain: longestChain(config.layers),
    },
  };
}

function recordRefsValid(r: Record<string, unknown>, layerCount: number, recordCount: number): boolean {
  if (r.layers !== undefined) {
    if (!Array.isArray(r.layers) || !r.layers.every((l) => isRecord(l) && isIndexIn(l.layer, layerCount, false))) return false;
  }
  if (r.inputs !== undefined) {
    if (!Array.isArray(r.inputs)) return false;
    for (const group of r.inputs as unknown[]) {
      if (!Array.isArray(group) || !group.every((i) => isRecord(i) && isIndexIn(i.link, recordCount, false))) return false;
    }
  }
  return true;
}

/** Index into a list of `length`; BuildKit uses parent -1 for a base layer. */
function isIndexIn(value: unknown, length: number, allowMinusOne: boolean): boolean {
  return Number.isInteger(value) && ((value as number) < length) && ((value as number) >= 0 || (allowMinusOne && value === -1));
}

function longestChain(layers: CacheConfig['layers']): number {
  const depth = new Map<number, number>();
  const depthOf = (i: number, seen: Set<number>): number => {
    const known = depth.get(i);
    if (known !== undefined) return known;
    const parent = layers[i]?.parent ?? -1;
    // A cycle would be a corrupt config; stop instead of recursing forever.
    const d = parent < 0 || seen.has(parent) ? 1 : 1 + depthOf(parent, new Set(seen).add(i));
    depth.set(i, d);
    return d;
  };
  return layers.reduce((best, _, i) => Math.max(best, depthOf(i, new Set([i]))), 0);
}

// ---------------------------------------------------------------------------------------------
// mode=max evidence

/**
 * The empty tar layer (32 bytes gzipped) BuildKit emits for steps that change no files (WORKDIR...).
 * Any image may contain it, so it proves nothing about which stages the cache holds.
 */
export const EMPTY_LAYER = 'sha256:4f4fb700ef54461cfa02571ae0db9a0dc1e0cdb5577484a6d75e68dc38e8acc1';

export interface CacheModeInput {
  cacheLayers: readonly string[];
  /** Union of the layers of all platform manifests of the final image. */
  finalImageLayers: readonly string[];
  /** FROM count of the Dockerfile (countStages); unknown when the Dockerfile was not read. */
  stageCount?: number;
}

export interface CacheModeEvidence {
  mode: 'max' | 'min' | 'unknown';
  /** Cache layers found in no final image manifest (layers of intermediate stages). */
  extraLayers: string[];
  /** Polish explanation for the report. */
  reason: string;
}

/**
 * What the registry says about --cache-to mode. mode=min exports only the final image's layers;
 * mode=max also exports every intermediate stage's layers. So extra layers prove max, while "no
 * extra layers" proves min only when there are intermediate stages that max would have exported.
 */
export function cacheModeEvidence({ cacheLayers, finalImageLayers, stageCount }: CacheModeInput): CacheModeEvidence {
  const image = new Set(finalImageLayers);
  const cache = unique(cacheLayers);
  const extraLayers = cache.filter((l) => !image.has(l) && l !== EMPTY_LAYER);
  if (cache.length === 0) {
    return { mode: 'unknown', extraLayers, reason: 'Obraz cache nie zawiera żadnych warstw, więc nie da się ustalić trybu eksportu cache.' };
  }
  if (image.size === 0) {
    return { mode: 'unknown', extraLayers: [], reason: 'Nie znamy warstw obrazu końcowego, więc nie da się porównać z nimi warstw cache.' };
  }
  // Both modes export the final image's own layers, so a cache sharing none of them belongs to another build.
  if (!cache.some((l) => image.has(l) && l !== EMPTY_LAYER)) {
    return {
      mode: 'unknown',
      extraLayers,
      reason: 'Cache nie ma żadnej warstwy wspólnej z obrazem końcowym, więc pochodzi najpewniej z innego budowania; nie da się z niego ustalić trybu eksportu.',
    };
  }
  if (extraLayers.length > 0) {
    const n = extraLayers.length;
    return {
      mode: 'max',
      extraLayers,
      reason:
        `Cache zawiera ${n} ${layerWord(n)} spoza obrazu końcowego (nie ma ich w żadnym manifeście platformy) — ` +
        'to warstwy etapów pośrednich, które eksportuje tylko tryb mode=max.',
    };
  }
  const inImage = cache.filter((l) => image.has(l)).length;
  if (stageCount !== undefined && stageCount > 1) {
    return {
      mode: 'min',
      extraLayers,
      reason:
        `Wszystkie warstwy cache (${inImage}) występują w obrazie końcowym, choć Dockerfile ma ${stageCount} ${stageWord(stageCount)}: ` +
        'w trybie mode=max cache zawierałby też warstwy etapów pośrednich, więc cache wyeksportowano najpewniej w trybie min (domyślnym).',
    };
  }
  const why = stageCount === 1
    ? 'Dockerfile ma jeden etap, a wtedy tryby min i max eksportują te same warstwy'
    : 'nie znamy liczby etapów w Dockerfile, a przy budowaniu jednoetapowym tryby min i max eksportują te same warstwy';
  return {
    mode: 'unknown',
    extraLayers,
    reason: `Wszystkie warstwy cache występują w obrazie końcowym; ${why}, więc z zawartości rejestru nie da się ich odróżnić. Rozstrzyga parametr mode=max w --cache-to.`,
  };
}

function layerWord(n: number): string {
  return plural(n, 'warstwę', 'warstwy', 'warstw');
}

function stageWord(n: number): string {
  return plural(n, 'etap', 'etapy', 'etapów');
}

function plural(n: number, one: string, few: string, many: string): string {
  if (n === 1) return one;
  const last = n % 10;
  const lastTwo = n % 100;
  return last >= 2 && last <= 4 && (lastTwo < 12 || lastTwo > 14) ? few : many;
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
 * Build stages of a Dockerfile (its FROM instructions). Follows the Dockerfile syntax closely
 * enough not to be fooled: the escape directive, line continuations, comment lines, and heredoc
 * bodies (`RUN <<EOF ... EOF`), whose lines are text, not instructions.
 */
export function stagesOf(dockerfile: string): Stage[] {
  const lines = dockerfile.replace(/\r\n?/g, '\n').split('\n');
  const escape = escapeCharOf(lines);
  const stages: Stage[] = [];
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
    const stage = parseFrom(instruction);
    if (stage) stages.push(stage);
    heredocs = heredocsOf(instruction);
    instruction = '';
  }
  if (instruction.trim()) {
    const stage = parseFrom(instruction);
    if (stage) stages.push(stage);
  }
  return stages;
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
