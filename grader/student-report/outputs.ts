/**
 * Pasted output → typed facts. A segment (consecutive output lines between commands, or a run
 * of output lines in prose) is cut where its strong lines change kind, and each part is read by
 * the parser of its kind: build logs by the project's log parser, the rest here. Pure.
 */
import { parseBuildLog } from '../build-log/parse.ts';
import type { BuildStep } from '../build-log/types.ts';
import { summarizeGcOutput } from '../bonus/gc-summary.ts';
import { isBuildkitCache, normalizePlatform } from '../registry/manifest-analysis.ts';
import { classifyOutputLine, editSign, type LineClass, type LineKind } from './output-lines.ts';
import type {
  BuildLogFacts, BuilderFact, ContainerFact, EvidenceLine, GcFacts, ManifestEntry, ManifestFacts, OutputBase, OutputKind, RegistryFacts, ReportOutput,
} from './types.ts';

export interface Segment {
  file: string;
  /** File line of lines[0]; the lines are consecutive. */
  start: number;
  lines: string[];
  /** What the command before it prints, when known (see hintOf). */
  hint: OutputKind | null;
}

/** The fields every output shares, filled in by the caller for a part of a segment. */
export type BaseOf = (line: number, endLine: number, excerpt: EvidenceLine[]) => OutputBase;

const EXCERPT_LINES = 6;
const EVIDENCE_LINES = 60;
/** JSON bodies longer than this are read line by line only. */
const MAX_JSON_CHARS = 1024 * 1024;
/** Bounds the list scans of whole-text patterns. */
const MAX_LIST_CHARS = 10_000;
/** Strong kinds in order of preference when a part has as many of one as of another. */
const PRIORITY: readonly LineKind[] = ['build-log', 'registry', 'gc', 'manifest', 'builders', 'containers', 'digest'];

export function outputsOfSegment(segment: Segment, baseOf: BaseOf): ReportOutput[] {
  const classes = segment.lines.map(classifyOutputLine);
  const outputs: ReportOutput[] = [];
  for (const [from, to] of parts(segment.lines, classes)) {
    const lines = segment.lines.slice(from, to + 1);
    const start = segment.start + from;
    const kind = kindOf(classes.slice(from, to + 1), segment.hint);
    const excerpt: EvidenceLine[] = [];
    for (let i = 0; i < lines.length && excerpt.length < EXCERPT_LINES; i++) {
      if (lines[i]!.trim() !== '') excerpt.push({ file: segment.file, line: start + i, text: lines[i]! });
    }
    const base = baseOf(start, start + lines.length - 1, excerpt);
    outputs.push(factsOf(kind, lines, start, segment.file, base));
  }
  return outputs;
}

/** [from, to] index ranges: cut before a strong line of another kind (at the last blank line before it, if any). */
function parts(lines: readonly string[], classes: readonly (LineClass | null)[]): [number, number][] {
  const out: [number, number][] = [];
  let from = 0;
  let kind: LineKind | null = null;
  let lastStrong = -1;
  let lastBlank = -1;
  for (let i = 0; i < lines.length; i++) {
    const c = classes[i];
    if (lines[i]!.trim() === '') lastBlank = i;
    if (!c?.strong || c.kind === null) continue;
    if (kind !== null && c.kind !== kind) {
      const cut = lastBlank > lastStrong ? lastBlank : i;
      out.push([from, cut - 1]);
      from = cut;
    }
    kind = c.kind;
    lastStrong = i;
  }
  out.push([from, lines.length - 1]);
  return out.map(([a, b]) => trimBlank(lines, a, b)).filter((r): r is [number, number] => r !== null);
}

function trimBlank(lines: readonly string[], from: number, to: number): [number, number] | null {
  while (from <= to && lines[from]!.trim() === '') from++;
  while (to >= from && lines[to]!.trim() === '') to--;
  return from <= to ? [from, to] : null;
}

/** The most frequent kind of strong lines; without any, the command's hint, then the weak lines' kind. */
function kindOf(classes: readonly (LineClass | null)[], hint: OutputKind | null): OutputKind {
  const strong = majority(classes.filter((c) => c?.strong), hint);
  if (strong) return strong;
  return hint ?? majority(classes, null) ?? 'other';
}

function majority(classes: readonly (LineClass | null)[], hint: OutputKind | null): LineKind | null {
  const counts = new Map<LineKind, number>();
  for (const c of classes) if (c?.kind) counts.set(c.kind, (counts.get(c.kind) ?? 0) + 1);
  if (counts.size === 0) return null;
  const best = Math.max(...counts.values());
  const tied = PRIORITY.filter((k) => counts.get(k) === best);
  return tied.find((k) => k === hint) ?? tied[0]!;
}

function factsOf(kind: OutputKind, lines: string[], start: number, file: string, base: OutputBase): ReportOutput {
  switch (kind) {
    case 'build-log': return { ...base, kind, log: buildLogFacts(lines, start, file) };
    case 'manifest': return { ...base, kind, manifest: manifestFacts(lines, start) };
    case 'registry': return { ...base, kind, registry: registryFacts(lines, start) };
    case 'gc': return { ...base, kind, gc: gcFacts(lines, start) };
    case 'builders': return { ...base, kind, builders: builderFacts(lines, start) };
    case 'containers': return { ...base, kind, containers: containerFacts(lines, start) };
    case 'digest': {
      const digest = lines.map((l) => /sha256:[0-9a-f]{64}/.exec(l)?.[0]).find((d) => d !== undefined);
      return digest ? { ...base, kind, digest } : { ...base, kind: 'other' };
    }
    case 'other': return { ...base, kind };
  }
}

// ---------------------------------------------------------------------------------------------
// Build logs

function buildLogFacts(lines: string[], start: number, file: string): BuildLogFacts {
  const a = parseBuildLog(lines.join('\n'));
  const at = (n: number) => start + n - 1;
  const ev = (n: number, text: string): EvidenceLine => ({ file, line: at(n), text });
  const builder = a.builder
    ? { ...a.builder, line: lineWhere(lines, start, (l) => (l.includes('building with') && l.includes(`"${a.builder!.name}"`)) || l.includes(`${a.builder!.driver}:${a.builder!.name}`)) }
    : null;
  const attempt = a.cacheImport.attempts[0];
  const importLine = attempt ? at(attempt.firstLine) : a.cacheImport.lines[0] ? at(a.cacheImport.lines[0].n) : null;
  const exportLine = a.cacheExport.lines[0] ? at(a.cacheExport.lines[0].n) : null;
  const errorLine = a.error?.lines.find((l) => l.highlight) ?? a.error?.lines.at(-1);
  const seen = new Set<number>();
  const evidence: EvidenceLine[] = [];
  for (const l of [...a.evidence, ...a.cacheExport.lines, ...(a.error?.lines.filter((x) => x.highlight) ?? [])]) {
    if (seen.has(l.n)) continue;
    seen.add(l.n);
    evidence.push(ev(l.n, l.text));
  }
  if (builder?.line != null && !seen.has(builder.line - start + 1)) evidence.push({ file, line: builder.line, text: lines[builder.line - start]! });
  evidence.sort((x, y) => x.line - y.line);
  const edits: BuildLogFacts['edits'] = [];
  lines.forEach((text, i) => {
    const sign = editSign(text);
    if (sign) edits.push({ kind: sign, line: start + i, text });
  });
  return {
    format: a.format,
    builder,
    cacheImport: { status: a.cacheImport.status, ref: a.cacheImport.ref, refCut: a.cacheImport.refCut, message: a.cacheImport.message, line: importLine },
    cacheExport: { attempted: a.cacheExport.attempted, exported: a.cacheExport.exported, manifestDigest: a.cacheExport.manifestDigest, error: a.cacheExport.error, line: exportLine },
    platforms: a.platforms,
    instructions: instructionsOfLog(a.steps, at),
    totals: a.totals,
    failed: a.error !== null,
    error: a.error ? { message: a.error.message, step: a.error.step, line: errorLine ? at(errorLine.n) : null } : null,
    manifestList: a.push.manifestList,
    pushed: a.push.pushed,
    edits: edits.slice(0, EVIDENCE_LINES),
    evidence: evidence.slice(0, EVIDENCE_LINES),
  };
}

function instructionsOfLog(steps: readonly BuildStep[], at: (n: number) => number): BuildLogFacts['instructions'] {
  const seen = new Map<string, BuildLogFacts['instructions'][number]>();
  for (const s of steps) {
    if (s.from || !s.counted) continue;
    const known = seen.get(s.instruction);
    if (!known || at(s.firstLine) < known.line) seen.set(s.instruction, { line: at(s.firstLine), text: s.instruction, cut: s.instructionCut });
  }
  return [...seen.values()].sort((x, y) => x.line - y.line);
}

function lineWhere(lines: readonly string[], start: number, test: (line: string) => boolean): number | null {
  const i = lines.findIndex(test);
  return i < 0 ? null : start + i;
}

// ---------------------------------------------------------------------------------------------
// Manifests

const JSON_HINT = /^\s*[{[]|"(?:mediaType|architecture|schemaVersion)"\s*:/;

function manifestFacts(lines: string[], start: number): ManifestFacts {
  return lines.some((l) => JSON_HINT.test(l)) ? jsonManifest(lines, start) : imagetoolsManifest(lines, start);
}

const KEY_VALUE = /^\s*(Name|MediaType|Digest|Platform|Manifests|Annotations):\s*(.*?)\s*$/;
const DIGEST = /sha256:[0-9a-f]{64}/;

/** `docker buildx imagetools inspect` text: the index's Name/MediaType/Digest, then one block per manifest. */
function imagetoolsManifest(lines: string[], start: number): ManifestFacts {
  const facts: ManifestFacts = { form: 'imagetools', name: null, mediaType: null, digest: null, platforms: [], manifests: [], buildkitCache: false, validJson: null };
  let inManifests = false;
  let entry: ManifestEntry | null = null;
  const newEntry = (line: number): ManifestEntry => {
    entry = { line, platform: null, digest: null, mediaType: null, attestation: false };
    facts.manifests.push(entry);
    return entry;
  };
  lines.forEach((text, i) => {
    const line = start + i;
    if (/vnd\.docker\.reference\.type:\s*attestation-manifest/.test(text) && entry) entry.attestation = true;
    const m = KEY_VALUE.exec(text);
    if (!m) return;
    const [, key, value = ''] = m;
    if (key === 'Manifests') {
      inManifests = true;
    } else if (!inManifests && key !== 'Platform') {
      if (key === 'Name') facts.name = value || null;
      if (key === 'MediaType') facts.mediaType = value || null;
      if (key === 'Digest') facts.digest = DIGEST.exec(value)?.[0] ?? null;
    } else if (key === 'Name') {
      newEntry(line).digest = DIGEST.exec(value)?.[0] ?? null;
    } else if (key === 'MediaType') {
      (entry ?? newEntry(line)).mediaType = value || null;
    } else if (key === 'Platform') {
      // Entries cut out of the listing (no Name line) still count, one per Platform line.
      const e: ManifestEntry = entry && entry.platform === null ? entry : newEntry(line);
      e.line = line;
      e.platform = value ? normalizePlatform(value) : null;
      if (e.platform === 'unknown/unknown') e.attestation = true;
    }
  });
  facts.platforms = platformsOf(facts.manifests);
  return facts;
}

const PLATFORM_OBJECT = /"platform"\s*:\s*\{([^{}]*)\}/g;
const DIGEST_FIELD = /"digest"\s*:\s*"(sha256:[0-9a-f]{64})"/g;
const MEDIA_TYPE_FIELD = /"mediaType"\s*:\s*"([^"]{1,200})"/;

/**
 * Manifest JSON (`--raw`, `docker manifest inspect`, a registry body). Platforms are read from
 * the text, so a body cut short or edited by hand still shows them; JSON.parse only adds what
 * the whole document says (its media type, whether it is a BuildKit cache).
 */
function jsonManifest(lines: string[], start: number): ManifestFacts {
  const text = lines.join('\n');
  const lineAt = lineLocator(text, start);
  let parsed: unknown;
  let validJson = false;
  if (text.length <= MAX_JSON_CHARS) {
    try {
      parsed = JSON.parse(text);
      validJson = true;
    } catch {
      validJson = false;
    }
  }
  const top = isRecord(parsed) ? parsed : undefined;
  const manifests: ManifestEntry[] = [];
  const digests = [...text.matchAll(DIGEST_FIELD)];
  let d = 0;
  let previousEnd = 0;
  for (const m of text.matchAll(PLATFORM_OBJECT)) {
    const body = m[1] ?? '';
    const arch = /"architecture"\s*:\s*"([^"]*)"/.exec(body)?.[1];
    const os = /"os"\s*:\s*"([^"]*)"/.exec(body)?.[1];
    const variant = /"variant"\s*:\s*"([^"]*)"/.exec(body)?.[1];
    // A descriptor lists its digest before its platform (docker and OCI both): the last one since the previous platform.
    let digest: string | null = null;
    while (d < digests.length && digests[d]!.index! < m.index!) {
      if (digests[d]!.index! >= previousEnd) digest = digests[d]![1]!;
      d++;
    }
    previousEnd = m.index! + m[0].length;
    const platform = arch && os ? normalizePlatform({ architecture: arch, os, ...(variant ? { variant } : {}) }) : null;
    manifests.push({ line: lineAt(m.index!), platform, digest, mediaType: null, attestation: platform === 'unknown/unknown' });
  }
  return {
    form: 'json',
    name: null,
    mediaType: typeof top?.mediaType === 'string' ? top.mediaType : (MEDIA_TYPE_FIELD.exec(text)?.[1] ?? null),
    digest: null,
    platforms: platformsOf(manifests),
    manifests,
    buildkitCache: top ? isBuildkitCache(top) : text.includes('application/vnd.buildkit.cacheconfig.v0'),
    validJson,
  };
}

function platformsOf(entries: readonly ManifestEntry[]): string[] {
  return [...new Set(entries.filter((e) => !e.attestation && e.platform).map((e) => e.platform!))];
}

// ---------------------------------------------------------------------------------------------
// Registry answers

const STATUS = /^(?:< )?HTTP\/\d(?:\.\d)? (\d{3})(?: (.*))?$/;
const PS_STATUS = /^\s*StatusCode\s*:\s*(\d{3})\s*$/;
const PS_DESCRIPTION = /^\s*StatusDescription\s*:\s*(.*?)\s*$/;
const REQUEST = /^> (GET|HEAD|DELETE|PUT|POST|PATCH) (\S+) HTTP\/\d/;
const CONTENT_DIGEST = /docker-content-digest:\s*(sha256:[0-9a-f]{64})/i;
const ERROR_CODE = /"code"\s*:\s*"([A-Z][A-Z_]{1,40})"/g;
// `[^[\]]`: a scan stops at the next bracket, so many unclosed lists cost linear time, not quadratic.
const TAG_LIST = new RegExp(`"name"\\s*:\\s*"([^"]{0,300})"\\s*,\\s*"tags"\\s*:\\s*(null|\\[[^[\\]]{0,${MAX_LIST_CHARS}}\\])`, 'g');
const CATALOG = new RegExp(`"repositories"\\s*:\\s*(\\[[^[\\]]{0,${MAX_LIST_CHARS}}\\])`, 'g');

function registryFacts(lines: string[], start: number): RegistryFacts {
  const facts: RegistryFacts = { statuses: [], requests: [], digests: [], errorCodes: [], tagLists: [], repositories: [] };
  lines.forEach((text, i) => {
    const line = start + i;
    const status = STATUS.exec(text);
    if (status) facts.statuses.push({ line, code: Number(status[1]), text: (status[2] ?? '').trim() });
    const ps = PS_STATUS.exec(text);
    if (ps) facts.statuses.push({ line, code: Number(ps[1]), text: PS_DESCRIPTION.exec(lines[i + 1] ?? '')?.[1] ?? '' });
    const request = REQUEST.exec(text);
    if (request) facts.requests.push({ line, method: request[1]!, path: request[2]! });
    const digest = CONTENT_DIGEST.exec(text);
    if (digest) facts.digests.push({ line, digest: digest[1]! });
    for (const m of text.matchAll(ERROR_CODE)) facts.errorCodes.push({ line, code: m[1]! });
  });
  const text = lines.join('\n');
  const lineAt = lineLocator(text, start);
  for (const m of text.matchAll(TAG_LIST)) {
    const tags = m[2] === 'null' ? null : stringList(m[2]!);
    facts.tagLists.push({ line: lineAt(m.index!), name: m[1]!, tags });
  }
  for (const m of text.matchAll(CATALOG)) facts.repositories.push({ line: lineAt(m.index!), names: stringList(m[1]!) ?? [] });
  return facts;
}

function stringList(json: string): string[] | null {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : null;
  } catch {
    return [...json.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
  }
}

// ---------------------------------------------------------------------------------------------
// registry garbage-collect

function gcFacts(lines: string[], start: number): GcFacts {
  const count = (re: RegExp) => lines.filter((l) => re.test(l)).length;
  const summaryIndex = lines.findIndex((l) => /\d+ blobs marked, \d+ blobs/.test(l));
  return {
    markedManifests: count(/: marking manifest sha256:/),
    eligibleBlobs: count(/^blob eligible for deletion: /),
    deletedBlobs: count(/Deleting blob: /),
    summary: summarizeGcOutput(lines.join('\n')),
    summaryLine: summaryIndex < 0 ? null : start + summaryIndex,
  };
}

// ---------------------------------------------------------------------------------------------
// Builders and containers

const LS_ROW = /^([\w.-]+)(\s*\*)?\s+(docker-container|kubernetes|remote|docker)\b/;

/** `docker buildx ls` rows and `docker buildx inspect` Name/Driver pairs. */
function builderFacts(lines: string[], start: number): BuilderFact[] {
  const out: BuilderFact[] = [];
  let name: string | null = null;
  lines.forEach((text, i) => {
    const line = start + i;
    const row = LS_ROW.exec(text);
    if (row && row[1] !== 'Driver') {
      out.push({ line, name: row[1]!, driver: row[3]!, current: row[2] !== undefined });
      return;
    }
    const n = /^Name:\s+(\S+)/.exec(text);
    if (n) name ??= n[1]!;
    const d = /^Driver:\s+(\S+)/.exec(text);
    if (d && name) {
      out.push({ line, name, driver: d[1]!, current: false });
      name = null;
    }
  });
  return out;
}

/** `docker ps` rows: the id, the image, and NAMES (the last column). */
function containerFacts(lines: string[], start: number): ContainerFact[] {
  const out: ContainerFact[] = [];
  lines.forEach((text, i) => {
    if (!/^[0-9a-f]{12}\b/.test(text)) return;
    const columns = text.trim().split(/\t+|\s{2,}/);
    if (columns.length < 3) return;
    out.push({ line: start + i, id: columns[0]!, image: columns[1]!, names: columns.at(-1)! });
  });
  return out;
}

// ---------------------------------------------------------------------------------------------

/** Maps an offset in `text` to a file line, for offsets visited in increasing order or not. */
function lineLocator(text: string, start: number): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return start + lo;
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
