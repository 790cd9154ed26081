/**
 * Pure reading of a BuildKit registry cache's config blob (application/vnd.buildkit.cacheconfig.v0):
 * its export mode (--cache-to mode=min or mode=max), told from the cache alone, and whether the
 * cache holds a given image's layers. No I/O: read-published.ts fetches the blob.
 * Shape: https://github.com/moby/buildkit/blob/master/cache/remotecache/v1/spec.go
 */
import { plural } from '../submission/json-input.ts';
import type { CacheConfig } from './oci-types.ts';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Validates a cache config blob. It comes from a student's registry, so a bad shape is a finding
 * (Polish reason), not an exception: every index must point inside its list and the layer chains
 * must end (a parent cycle would make the chain endless).
 */
export function parseCacheConfig(json: unknown): ParseResult<CacheConfig> {
  if (!isRecord(json) || !Array.isArray(json.layers) || !Array.isArray(json.records)) {
    return { ok: false, reason: 'Konfiguracja cache nie ma list „layers” i „records” — to nie jest cache BuildKit.' };
  }
  const layers = json.layers as unknown[];
  const records = json.records as unknown[];
  const badLayer = layers.findIndex((l) => !isRecord(l) || typeof l.blob !== 'string' || (l.parent !== undefined && !isIndexIn(l.parent, layers.length, true)));
  if (badLayer >= 0) return { ok: false, reason: `Niepoprawny wpis layers[${badLayer}] w konfiguracji cache.` };
  const cyclic = layerInCycle(layers as CacheConfig['layers']);
  if (cyclic >= 0) return { ok: false, reason: `Wpis layers[${cyclic}] w konfiguracji cache jest swoim własnym przodkiem (cykl rodziców).` };
  const badRecord = records.findIndex((r) => !isRecord(r) || typeof r.digest !== 'string' || !recordRefsValid(r, layers.length, records.length));
  if (badRecord >= 0) return { ok: false, reason: `Niepoprawny wpis records[${badRecord}] w konfiguracji cache.` };
  return { ok: true, value: json as unknown as CacheConfig };
}

// ---------------------------------------------------------------------------------------------
// Export mode

export type CacheMode = 'max' | 'min' | 'unknown';

export interface CacheModeVerdict {
  mode: CacheMode;
  /** Records no other record takes as input and that carry layers: the build's final results. */
  finalResults: number;
  /** Other records with layers whose layer chain is no part of any final result's chain. */
  offChainResults: number;
  /** Records of build steps (they have inputs) stored without layers. */
  resultlessSteps: number;
  /** Polish explanation for the report. */
  reason: string;
}

/**
 * Export mode, from the records alone. In BuildKit's solver/exporter.go (ExportTo) a record of a
 * step (a cache key with inputs) gets its result's layers when the export reaches it; with
 * mode=min the export switches to CacheExportModeRemoteOnly below the final result, so a step's
 * record keeps layers only if blobs for its result already exist — in practice the steps whose
 * snapshot is part of the final image's layer chain (the image exporter made those blobs just
 * before). With mode=max ResolveRemotes makes blobs for every step. Hence, checked on real
 * caches built here (test/fixtures/registry/README.md):
 * - a record with layers off every final result's chain (a stage the final image only copies
 *   from) is exported only by mode=max;
 * - a step record without layers is a result mode=max would have exported: mode=min;
 * - otherwise every step lies on the final chain (one stage, or `FROM stage AS final` without
 *   COPY --from) and both modes write the same cache: the mode cannot be told.
 * A mode=min export whose intermediate results already have blobs carries them too: on a builder
 * that exported them before with mode=max, or after importing a mode=max cache with --cache-from
 * (also on an emptied builder: forky-copy-from-mode-min-after-{max,import}). Such a cache holds
 * what a max one does and is judged max.
 */
export function cacheModeOf(config: CacheConfig): CacheModeVerdict {
  const linked = new Set(config.records.flatMap((r) => (r.inputs ?? []).flat().map((i) => i.link)));
  const chain = chainIds(config.layers);
  const chainsOf = (r: CacheConfig['records'][number]) => (r.layers ?? []).map((l) => chain[l.layer]!);
  const finals = new Set(config.records.filter((r, i) => !linked.has(i) && (r.layers?.length ?? 0) > 0));
  // Every prefix of a final result's chain is the chain of one of its layer's ancestors. A walk
  // stops at a chain already marked: the prefixes of that one are marked too.
  const onFinalChain = new Set<number>();
  for (const r of finals) {
    for (const l of r.layers!) {
      for (let i = l.layer; i >= 0 && !onFinalChain.has(chain[i]!); i = parentOf(config.layers[i]!)) onFinalChain.add(chain[i]!);
    }
  }
  const offChainResults = config.records.filter((r) => !finals.has(r) && (r.layers?.length ?? 0) > 0 && !chainsOf(r).some((c) => onFinalChain.has(c))).length;
  const resultlessSteps = config.records.filter((r) => (r.inputs?.length ?? 0) > 0 && (r.layers?.length ?? 0) === 0).length;
  const counts = { finalResults: finals.size, offChainResults, resultlessSteps };

  if (finals.size === 0) {
    return { mode: 'unknown', ...counts, reason: 'Konfiguracja cache nie zawiera żadnego wyniku budowania z warstwami, więc nie da się ustalić trybu eksportu.' };
  }
  if (offChainResults > 0) {
    return {
      mode: 'max',
      ...counts,
      reason: `Cache zawiera ${offChainResults} ${plural(offChainResults, 'wynik', 'wyniki', 'wyników')} ${plural(offChainResults, 'kroku', 'kroków', 'kroków')} ` +
        'spoza łańcucha warstw obrazu końcowego (etapy pośrednie), a takie wyniki eksportuje tylko tryb mode=max.',
    };
  }
  if (resultlessSteps > 0) {
    return {
      mode: 'min',
      ...counts,
      reason: `${resultlessSteps} ${plural(resultlessSteps, 'krok budowania jest zapisany', 'kroki budowania są zapisane', 'kroków budowania jest zapisanych')} ` +
        `w cache bez warstw: tryb mode=max zapisałby ${resultlessSteps === 1 ? 'jego wynik' : 'ich wyniki'}, więc cache wyeksportowano w trybie min (domyślnym).`,
    };
  }
  return {
    mode: 'unknown',
    ...counts,
    reason: 'Wszystkie kroki zapisane w cache leżą na łańcuchu warstw obrazu końcowego (jeden etap albo „FROM etap AS …” bez COPY --from), ' +
      'a wtedy tryby min i max zapisują ten sam cache, więc z zawartości rejestru nie da się ich odróżnić.',
  };
}

/**
 * Chain of each layer entry, as a number: entries with the same blobs from the base up get the
 * same one. Iterative, each entry numbered once, as a student's cache may chain thousands of layers.
 */
function chainIds(layers: CacheConfig['layers']): number[] {
  const ids = new Array<number>(layers.length).fill(-1);
  // `<parent's chain> <blob>` → chain.
  const chains = new Map<string, number>();
  for (let start = 0; start < layers.length; start++) {
    // The entries up to the first one numbered or a base; parseCacheConfig rejected cycles, so the walk ends.
    const path: number[] = [];
    for (let i = start; i >= 0 && ids[i] === -1; i = parentOf(layers[i]!)) path.push(i);
    for (const i of path.reverse()) {
      const parent = parentOf(layers[i]!);
      const key = `${parent < 0 ? -1 : ids[parent]} ${layers[i]!.blob}`;
      let id = chains.get(key);
      if (id === undefined) {
        id = chains.size;
        chains.set(key, id);
      }
      ids[i] = id;
    }
  }
  return ids;
}

// ---------------------------------------------------------------------------------------------
// Whether the cache belongs to an image

/**
 * Gzipped empty tar archives (1024 zero bytes), the layer of steps that change no files (WORKDIR):
 * any two builds may share them, so they prove nothing. Each was checked by decompressing it.
 * - 4f4fb700…: BuildKit's usual one (32 bytes);
 * - a3ed95ca…: Docker's legacy empty layer (32 bytes, other gzip header);
 * - 9addb4c7…: what BuildKit writes on Debian forky (29 bytes, a newer Go compress/flate).
 */
export const EMPTY_LAYERS: ReadonlySet<string> = new Set([
  'sha256:4f4fb700ef54461cfa02571ae0db9a0dc1e0cdb5577484a6d75e68dc38e8acc1',
  'sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4',
  'sha256:9addb4c7f3afa99b03f24f9e05cb87d274a63ae9ba30c94f02c75e85d133e9de',
]);

export type MembershipVerdict =
  /** Every non-empty layer of the image is in the cache. */
  | 'belongs'
  /** Some are, some are not (a cache of another build on the same base, or an older build). */
  | 'partial'
  /** None is: the cache cannot come from building this image. */
  | 'foreign'
  /** No image layers to compare with. */
  | 'unknown';

export interface CacheMembership {
  verdict: MembershipVerdict;
  /** Non-empty layers of the image. */
  imageLayers: number;
  /** Of those, the ones the cache lacks. */
  missing: string[];
  /** Polish explanation for the report. */
  reason: string;
}

/**
 * Whether the cache is the one of this image's build. Both modes export the final result, so the
 * cache of the build that pushed the image holds every layer of every platform manifest.
 */
export function cacheMembership(cacheLayers: readonly string[], imageLayers: readonly string[]): CacheMembership {
  const cache = new Set(cacheLayers);
  const image = [...new Set(imageLayers)].filter((l) => !EMPTY_LAYERS.has(l));
  const missing = image.filter((l) => !cache.has(l));
  const n = image.length;
  if (n === 0) {
    return { verdict: 'unknown', imageLayers: 0, missing, reason: 'Nie znamy warstw obrazu, więc nie sprawdzono, czy cache pochodzi z jego budowania.' };
  }
  const layers = `${n} ${plural(n, 'niepustej warstwy', 'niepustych warstw', 'niepustych warstw')}`;
  if (missing.length === 0) {
    return { verdict: 'belongs', imageLayers: n, missing, reason: `Cache zawiera wszystkie ${layers} obrazu, więc pochodzi z jego budowania.` };
  }
  if (missing.length === n) {
    return {
      verdict: 'foreign',
      imageLayers: n,
      missing,
      reason: `Cache nie zawiera żadnej z ${layers} obrazu, więc nie pochodzi z budowania tego obrazu.`,
    };
  }
  return {
    verdict: 'partial',
    imageLayers: n,
    missing,
    reason: `Cache nie zawiera ${missing.length} z ${layers} obrazu: pochodzi z innego budowania ` +
      '(np. innej wersji kodu na tym samym obrazie bazowym), a nie z tego, które opublikowało obraz.',
  };
}

// ---------------------------------------------------------------------------------------------

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

/**
 * A layer's parent index. BuildKit writes the field with Go's omitempty, so a missing parent is
 * layer 0, and a base layer says -1 (forky fixtures: c5ff… is the layer on top of layers[0]).
 */
function parentOf(layer: CacheConfig['layers'][number]): number {
  return layer.parent ?? 0;
}

/** Index into a list of `length`; BuildKit uses parent -1 for a base layer. */
function isIndexIn(value: unknown, length: number, allowMinusOne: boolean): boolean {
  return Number.isInteger(value) && ((value as number) < length) && ((value as number) >= 0 || (allowMinusOne && value === -1));
}

/** A layer that is its own ancestor, or -1. Each entry is walked once: a chain seen to end is remembered. */
function layerInCycle(layers: CacheConfig['layers']): number {
  const ON_WALK = 1;
  const ENDS = 2;
  const state = new Uint8Array(layers.length);
  for (let start = 0; start < layers.length; start++) {
    const walk: number[] = [];
    let i = start;
    for (; i >= 0 && state[i] === 0; i = parentOf(layers[i]!)) {
      state[i] = ON_WALK;
      walk.push(i);
    }
    if (i >= 0 && state[i] === ON_WALK) return i;
    for (const j of walk) state[j] = ENDS;
  }
  return -1;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
