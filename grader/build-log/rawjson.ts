/**
 * `docker buildx build --progress=rawjson` as a pure state machine: one JSON SolveStatus per
 * line in, plain-style text lines out, and at the end the same BuildLogAnalysis the text
 * parser gives, so the checks read both alike.
 *
 * Why: in `--progress=plain` a RUN step's output is printed verbatim, so a student's
 * `printf '\r#9 CACHED\n'` looks like BuildKit's own status. Here RUN output only ever arrives
 * base64-encoded in `logs`, and every verdict comes from BuildKit's own structured fields:
 * - a step is CACHED when its vertex had `cached: true` in any update (a hit whose layers are
 *   extracted later gets updates without it). Unlike parse.ts, extraction alone does not count:
 *   the BuildKit of Docker 28.5 marks such a step `cached` too (fixture
 *   partial-hit-failed-run-after-prune.jsonl), and a verdict needs no status text;
 * - a platform's total is every Dockerfile step BuildKit planned except FROM, also those a
 *   failed build never started (plain text, and so this rendering, shows only started ones);
 * - cache import is a vertex named `importing cache manifest from <ref>` and its `error`;
 * - cache export is a vertex named `exporting cache to registry` that completed without
 *   `error`, its manifest digest the status `writing cache (image) manifest sha256:...`.
 * `logs` data is only rendered, never read for a verdict.
 *
 * Non-JSON lines are the buildx client's own stderr (the Dockerfile excerpt and the final
 * `ERROR: failed to build: ...`); RUN output cannot produce them, it is inside JSON.
 * The rendering follows BuildKit's plain printer (moby/buildkit
 * util/progress/progressui/printer.go): `#N name`, `#N <id> [bytes] [time] [done]`,
 * `#N <seconds> <output>`, `#N CACHED` / `#N DONE 0.1s` / `#N ERROR: ...` / `#N CANCELED`,
 * `#N ...` when it switches away from an unfinished vertex. Control characters of RUN
 * output and of names are shown escaped (`\r`, `\x1b`), so the file cannot redraw a line.
 */

import type { CacheImportStatus, LogLine } from '../results/types.ts';
import { exitDetails, importRef, isCacheExportName, keep, parseStepLabel, splitLabel, statusFact } from './lines.ts';
import { BUILD_LOG_LIMITS, compareSteps, platformTotals, UNLABELLED_PLATFORM } from './parse.ts';
import type { BuildErrorSummary, BuildLogAnalysis, BuildStep, CacheImportAttempt } from './types.ts';

/** The last state of one BuildKit vertex, from its fields only. */
export interface RawVertex {
  digest: string;
  /** `#N` of the rendering: order of first appearance, from 1. */
  index: number;
  name: string;
  started: string | null;
  completed: string | null;
  /** `cached: true` in any update. */
  cached: boolean;
  error: string | null;
}

export interface RawJsonStats {
  /** Lines that parsed as a SolveStatus object. */
  jsonLines: number;
  /** Lines that start like JSON but do not parse (a cut or garbled line); not rendered. */
  badJsonLines: number;
  /** Other lines: the client's own text (Dockerfile excerpt, final ERROR). */
  clientLines: number;
  warnings: number;
  /** More vertices than kept (BUILD_LOG_LIMITS.vertices): later ones are not analysed. */
  verticesTruncated: boolean;
}

export interface RawJsonResult {
  analysis: BuildLogAnalysis;
  vertices: RawVertex[];
  stats: RawJsonStats;
}

export interface RawJsonParser {
  /** One line of the raw file (without `\n`); returns the rendered lines it produced. */
  push(line: string): string[];
  /**
   * After the last line: renders the output line a vertex left unfinished (its last chunk had no
   * `\n`, the stream was cut) and returns it. result() counts only lines push() and end() returned.
   */
  end(): string[];
  result(): RawJsonResult;
}

const L = BUILD_LOG_LIMITS;
/** A RUN line longer than this without `\n` is rendered in pieces, so memory stays bounded. */
const PARTIAL_MAX_CHARS = 8 * 1024;
/** Distinct (vertex, status id) pairs remembered to render a status once when it starts. */
const STATUS_MEMORY = 20_000;
/** Last output lines kept per unfinished vertex, quoted when it fails. */
const ERROR_TAIL_LINES = 10;

interface VertexState extends RawVertex {
  startedMs: number | null;
  step: StepState | null;
  kind: 'step' | 'import' | 'export-cache' | 'image' | 'other';
  /** A RUN line not ended yet (logs arrive in chunks). */
  partial: string;
  partialTs: string | null;
  /** Last rendered output lines while unfinished; kept on failure for the error evidence. */
  tail: LogLine[];
  header: LogLine | null;
}

interface StepState {
  platform: string | null;
  stage: string | null;
  index: string;
  instruction: string;
  from: boolean;
  extracted: boolean;
  canceled: boolean;
  firstLine: number;
  lastLine: number;
  evidenceTaken: boolean;
}

interface ImportState {
  ref: string;
  vertex: VertexState;
  firstLine: number;
}

const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;

/** Control characters as visible escapes (tab stays). */
function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => {
    if (c === '\r') return '\\r';
    if (c === '\n') return '\\n';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

const TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/;

/** RFC 3339 with nanoseconds to milliseconds (fractional); null when unreadable. */
function parseTime(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const m = TIME.exec(text);
  if (!m) return null;
  const base = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(base)) return null;
  return base + (m[2] ? Number(`0.${m[2]}`) * 1000 : 0);
}

/** github.com/tonistiigi/units Bytes with `%.2f`, as the plain printer shows transfer sizes. */
function formatUnits(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = n;
  let i = 0;
  while (Math.abs(value) >= 1000 && i < units.length - 1) {
    value /= 1000;
    i++;
  }
  return i === 0 ? `${Math.round(value)}${units[0]}` : `${value.toFixed(2)}${units[i]}`;
}

/** Log time as the plain printer writes it: 3 decimals under 10 s, 2 under 100 s, else 1. */
function logSeconds(ms: number): string {
  const s = Math.max(0, ms / 1000);
  return s.toFixed(s < 10 ? 3 : s < 100 ? 2 : 1);
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const NOT_FOUND = /\bnot found\b/i;
const CANCELED = /context canceled$/;
const LOCATION = /^(\S+):(\d+)$/;
const DASHES = /^-{20}$/;
const EXTRACTING_STATUS = /^extracting sha256:/;

export function createRawJsonParser(): RawJsonParser {
  const vertices = new Map<string, VertexState>();
  const stats: RawJsonStats = { jsonLines: 0, badJsonLines: 0, clientLines: 0, warnings: 0, verticesTruncated: false };
  const statusSeen = new Set<string>();
  const imports: ImportState[] = [];
  const importLines: LogLine[] = [];
  const exportLines: LogLine[] = [];
  const evidence = new Map<number, LogLine>();
  const evidencePerPlatform = new Map<string, number>();
  const push = { manifestList: null as string | null, manifests: [] as string[], pushed: [] as { ref: string; digest: string }[] };
  let exportVertex: VertexState | null = null;
  let exportDigest: string | null = null;
  let stepCount = 0;
  let stepsTruncated = false;
  let current: VertexState | null = null;
  let n = 0;
  let out: string[] = [];

  // Client trailer (non-JSON): Dockerfile location, excerpt, final ERROR.
  let finalError: { message: string; line: LogLine } | null = null;
  let location: { file: string; line: number; logLine: LogLine } | null = null;
  const excerpt: LogLine[] = [];
  let inExcerpt = false;

  const emit = (text: string): LogLine => {
    n++;
    out.push(text);
    return { n, text };
  };
  const bounded = (list: LogLine[], line: LogLine, highlight: boolean): void => {
    if (list.length < L.sectionLines) list.push(highlight ? { ...line, highlight: true } : line);
  };
  const addEvidence = (line: LogLine): boolean => {
    if (evidence.has(line.n)) return true;
    if (evidence.size >= L.evidenceLines) return false;
    evidence.set(line.n, line);
    return true;
  };

  function vertexFor(digest: string, name: string): VertexState | null {
    const known = vertices.get(digest);
    if (known) return known;
    if (vertices.size >= L.vertices) {
      stats.verticesTruncated = true;
      return null;
    }
    const v: VertexState = {
      digest: keep(digest),
      index: vertices.size + 1,
      name: keep(name),
      started: null,
      completed: null,
      cached: false,
      error: null,
      startedMs: null,
      step: null,
      kind: 'other',
      partial: '',
      partialTs: null,
      tail: [],
      header: null,
    };
    classify(v);
    vertices.set(v.digest, v);
    return v;
  }

  function classify(v: VertexState): void {
    if (importRef(v.name) !== null) {
      v.kind = 'import';
      return;
    }
    if (isCacheExportName(v.name)) {
      v.kind = 'export-cache';
      exportVertex ??= v;
      return;
    }
    if (v.name === 'exporting to image') {
      v.kind = 'image';
      return;
    }
    const split = splitLabel(v.name);
    if (!split) return;
    const label = parseStepLabel(split.label);
    // `[internal] ...`, `[auth] ...`, `[linux/amd64 internal] load metadata`: not Dockerfile steps.
    if (label.index === null || label.stage === 'internal') return;
    if (stepCount >= L.steps) {
      stepsTruncated = true;
      return;
    }
    stepCount++;
    v.kind = 'step';
    v.step = {
      platform: label.platform,
      stage: label.stage,
      index: label.index,
      instruction: keep(split.rest),
      from: label.indexNumber === 1,
      extracted: false,
      canceled: false,
      firstLine: 0,
      lastLine: 0,
      evidenceTaken: false,
    };
  }

  /** Makes `v` the vertex being printed: `#old ...` for an unfinished one, a blank line, `#N name`. */
  function focus(v: VertexState): void {
    if (current === v) return;
    if (current !== null) {
      flushPartial(current);
      if (current.completed === null) touch(current, emit(`#${current.index} ...`));
    }
    if (n > 0) emit('');
    v.header = emit(`#${v.index} ${escapeControls(v.name)}`);
    touch(v, v.header);
    if (v.kind === 'import') {
      const ref = importRef(v.name) as string;
      if (!imports.some((i) => i.vertex === v) && imports.length < L.importAttempts) imports.push({ ref, vertex: v, firstLine: v.header.n });
      bounded(importLines, v.header, false);
    } else if (v.kind === 'export-cache') {
      bounded(exportLines, v.header, false);
    }
    current = v;
  }

  function touch(v: VertexState, line: LogLine): void {
    if (!v.step) return;
    if (v.step.firstLine === 0) v.step.firstLine = line.n;
    v.step.lastLine = line.n;
  }

  function outputLine(v: VertexState, text: string, ts: string | null): void {
    const at = parseTime(ts);
    const seconds = at !== null && v.startedMs !== null ? logSeconds(at - v.startedMs) : logSeconds(0);
    const line = emit(`#${v.index} ${seconds} ${escapeControls(text)}`);
    touch(v, line);
    v.tail.push(line);
    if (v.tail.length > ERROR_TAIL_LINES) v.tail.shift();
  }

  function flushPartial(v: VertexState): void {
    if (v.partial === '') return;
    outputLine(v, v.partial, v.partialTs);
    v.partial = '';
    v.partialTs = null;
  }

  function onLog(v: VertexState, data: string, ts: string | null): void {
    focus(v);
    const text = v.partial + Buffer.from(data, 'base64').toString('utf8');
    // The first line continues the pending one: its time is when that one began.
    let lineTs = v.partial === '' ? ts : v.partialTs;
    v.partial = '';
    let start = 0;
    for (let lf = text.indexOf('\n'); lf >= 0; lf = text.indexOf('\n', start)) {
      outputLine(v, text.slice(start, lf), lineTs);
      lineTs = ts;
      start = lf + 1;
    }
    while (text.length - start > PARTIAL_MAX_CHARS) {
      outputLine(v, text.slice(start, start + PARTIAL_MAX_CHARS), lineTs);
      lineTs = ts;
      start += PARTIAL_MAX_CHARS;
    }
    v.partial = keep(text.slice(start));
    v.partialTs = v.partial === '' ? null : lineTs;
  }

  function onStatus(v: VertexState, s: Record<string, unknown>): void {
    const id = str(s.id);
    if (id === null) return;
    const completed = str(s.completed);
    const key = `${v.index}|${id}`;
    const first = !statusSeen.has(key);
    // Like the plain printer, which rate-limits progress: a status when it starts and when it ends.
    if (!first && completed === null) return;
    if (first && statusSeen.size < STATUS_MEMORY) statusSeen.add(key);
    focus(v);
    const current = typeof s.current === 'number' ? s.current : 0;
    const total = typeof s.total === 'number' ? s.total : 0;
    let bytes = '';
    if (total !== 0) bytes = ` ${formatUnits(current)} / ${formatUnits(total)}`;
    else if (current !== 0) bytes = ` ${formatUnits(current)}`;
    let tm = '';
    const start = parseTime(s.started);
    const end = parseTime(completed ?? s.timestamp);
    if (start !== null && end !== null && (end - start) / 1000 > 0.01) tm = ` ${((end - start) / 1000).toFixed(1)}s`;
    if (completed !== null) tm += ' done';
    const line = emit(`#${v.index} ${escapeControls(id)}${bytes}${tm}`);
    touch(v, line);
    if (v.step && EXTRACTING_STATUS.test(id)) v.step.extracted = true;
    const fact = statusFact(id);
    if (!fact) return;
    if (v.kind === 'export-cache' && fact.kind === 'cache-manifest') {
      if (fact.digest !== null) exportDigest = keep(fact.digest);
      bounded(exportLines, line, true);
    } else if (v.kind === 'image') {
      if (fact.kind === 'manifest-list') push.manifestList = keep(fact.digest);
      else if (fact.kind === 'manifest' && !push.manifests.includes(fact.digest) && push.manifests.length < L.digests) push.manifests.push(keep(fact.digest));
      else if (fact.kind === 'pushed' && push.pushed.length < L.digests && !push.pushed.some((p) => p.digest === fact.digest && p.ref === fact.ref)) {
        push.pushed.push({ ref: keep(fact.ref), digest: keep(fact.digest) });
      }
    }
  }

  /** The completion line, as the plain printer ends every print of a completed vertex. */
  function complete(v: VertexState): void {
    if (v.completed === null) return;
    flushPartial(v);
    let line: LogLine;
    if (v.error !== null && CANCELED.test(v.error)) {
      line = emit(`#${v.index} CANCELED`);
      if (v.step) v.step.canceled = true;
    } else if (v.error !== null) {
      line = { ...emit(`#${v.index} ERROR: ${escapeControls(v.error)}`), highlight: true };
    } else if (v.cached) {
      line = { ...emit(`#${v.index} CACHED`), highlight: true };
    } else {
      const start = v.startedMs;
      const end = parseTime(v.completed);
      line = emit(`#${v.index} DONE${start !== null && end !== null ? ` ${((end - start) / 1000).toFixed(1)}s` : ''}`);
    }
    touch(v, line);
    current = null;
    if (v.kind === 'import') bounded(importLines, line, v.error !== null);
    else if (v.kind === 'export-cache') bounded(exportLines, line, v.error !== null);
    if (v.cached && v.error === null) markCached(v, line);
    // Output is kept only to quote the failure itself.
    if (v.error === null || CANCELED.test(v.error)) v.tail = [];
  }

  function markCached(v: VertexState, line: LogLine): void {
    const step = v.step;
    if (!step || step.from || step.evidenceTaken) return;
    const platform = step.platform ?? UNLABELLED_PLATFORM;
    const taken = evidencePerPlatform.get(platform) ?? 0;
    if (taken >= L.evidenceStepsPerPlatform || evidence.size + 2 > L.evidenceLines) return;
    if (v.header) addEvidence(v.header);
    addEvidence(line);
    step.evidenceTaken = true;
    evidencePerPlatform.set(platform, taken + 1);
  }

  function onVertex(raw: Record<string, unknown>): VertexState | null {
    const digest = str(raw.digest);
    if (digest === null) return null;
    const v = vertexFor(digest, str(raw.name) ?? '');
    if (!v) return null;
    const started = str(raw.started);
    if (started !== null && started !== v.started) {
      v.started = keep(started);
      v.startedMs = parseTime(started);
    }
    v.completed = str(raw.completed);
    if (raw.cached === true) v.cached = true;
    const error = str(raw.error);
    if (error !== null && error !== '') v.error = keep(error);
    return v;
  }

  function onJson(status: Record<string, unknown>): void {
    const touched: VertexState[] = [];
    const note = (v: VertexState | null | undefined) => {
      if (v && !touched.includes(v)) touched.push(v);
    };
    // A vertex's updates first; then, per vertex as the plain printer does: statuses, output, completion.
    for (const raw of arrayOf(status.vertexes)) note(onVertex(raw));
    const statuses = arrayOf(status.statuses);
    const logs = arrayOf(status.logs);
    for (const s of statuses) note(vertices.get(str(s.vertex) ?? ''));
    for (const l of logs) note(vertices.get(str(l.vertex) ?? ''));
    stats.warnings += arrayOf(status.warnings).length;
    for (const v of touched) {
      // The plain printer shows a vertex once it starts; a solve plan of a hundred names is noise.
      if (v.started === null && v.completed === null && !statuses.some((s) => s.vertex === v.digest) && !logs.some((l) => l.vertex === v.digest)) continue;
      focus(v);
      for (const s of statuses) if (s.vertex === v.digest) onStatus(v, s);
      for (const l of logs) if (l.vertex === v.digest && typeof l.data === 'string') onLog(v, l.data, str(l.timestamp));
      complete(v);
    }
  }

  function onClientLine(text: string): void {
    const shown = escapeControls(text);
    if (inExcerpt) {
      const line = emit(shown);
      if (DASHES.test(text) && excerpt.length > 0) inExcerpt = false;
      else if (!DASHES.test(text) && excerpt.length < L.errorLines) excerpt.push(text.includes('>>>') ? { ...line, highlight: true } : line);
      return;
    }
    if (current !== null) {
      flushPartial(current);
      current = null;
    }
    const line = emit(shown);
    const loc = LOCATION.exec(text);
    if (loc && !text.startsWith('ERROR')) {
      location = { file: keep(loc[1] ?? ''), line: Number(loc[2]), logLine: line };
      inExcerpt = true;
      excerpt.length = 0;
      return;
    }
    if (text.startsWith('ERROR: ')) finalError = { message: keep(text.slice('ERROR: '.length)), line: { ...line, highlight: true } };
  }

  function pushLine(raw: string): string[] {
    out = [];
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.startsWith('{')) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        value = undefined;
      }
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        stats.jsonLines++;
        onJson(value as Record<string, unknown>);
      } else {
        stats.badJsonLines++;
      }
    } else if (text !== '') {
      stats.clientLines++;
      onClientLine(text);
    }
    return out;
  }

  function buildError(): BuildErrorSummary | null {
    if (!finalError) return null;
    const all = [...vertices.values()];
    const failing = all.find((v) => v.step && v.error !== null && !v.step.canceled) ?? all.find((v) => v.error !== null && !CANCELED.test(v.error));
    let { exitCode, command } = exitDetails(finalError.message);
    if (exitCode === null && failing?.error) ({ exitCode, command } = exitDetails(failing.error));
    const lines: LogLine[] = [];
    const add = (line: LogLine) => {
      if (lines.length < L.errorLines && !lines.some((l) => l.n === line.n)) lines.push(line);
    };
    if (failing?.header) add(failing.header);
    for (const l of failing?.tail ?? []) add(l);
    if (location) add(location.logLine);
    for (const l of excerpt) add(l);
    add(finalError.line);
    lines.sort((a, b) => a.n - b.n);
    return {
      message: finalError.message,
      exitCode,
      command,
      step: failing ? failing.name : null,
      dockerfile: location ? { file: location.file, line: location.line } : null,
      excerpt: [...excerpt],
      lines,
    };
  }

  function end(): string[] {
    out = [];
    // focus() flushes a vertex it leaves, so only the current one can hold a partial line.
    if (current !== null) flushPartial(current);
    return out;
  }

  function result(): RawJsonResult {
    const all = [...vertices.values()];
    const steps: BuildStep[] = [];
    for (const v of all) {
      const s = v.step;
      if (!s) continue;
      steps.push({
        key: `${s.platform ?? ''}|${s.stage ?? ''}|${s.index}`,
        vertex: v.index,
        platform: s.platform,
        stage: s.stage,
        index: s.index,
        instruction: s.instruction,
        instructionCut: false,
        from: s.from,
        counted: !s.from,
        cached: v.cached,
        extracted: s.extracted,
        done: v.completed !== null && v.error === null,
        canceled: s.canceled,
        error: v.error !== null && !s.canceled ? v.error : null,
        firstLine: s.firstLine,
        lastLine: s.lastLine,
      });
    }
    steps.sort(compareSteps);
    const platforms = platformTotals(steps);

    const attempts: CacheImportAttempt[] = imports.map((i) => ({
      status: i.vertex.error === null ? 'imported' : NOT_FOUND.test(i.vertex.error) ? 'not-found' : 'failed',
      ref: i.ref,
      refCut: false,
      message: i.vertex.error,
      firstLine: i.firstLine,
    }));
    // Several --cache-from refs: one that imported is enough for a cache hit.
    const chosen = attempts.find((a) => a.status === 'imported') ?? attempts.find((a) => a.status === 'not-found') ?? attempts[0];
    const status: CacheImportStatus = chosen ? chosen.status : 'not-requested';
    const exportError = exportVertex?.error ?? null;

    return {
      analysis: {
        format: 'plain',
        lineCount: n,
        builder: null,
        progress: null,
        steps,
        stepsTruncated,
        platforms,
        totals: { cached: platforms.reduce((a, p) => a + p.cached, 0), total: platforms.reduce((a, p) => a + p.total, 0) },
        cacheImport: {
          status,
          ref: chosen?.ref ?? null,
          refCut: false,
          message: chosen?.message ?? null,
          attempts,
          lines: [...importLines],
        },
        cacheExport: {
          exported: exportVertex !== null && exportVertex.completed !== null && exportError === null,
          attempted: exportVertex !== null,
          manifestDigest: exportDigest,
          error: exportError,
          lines: [...exportLines],
        },
        push: { manifestList: push.manifestList, manifests: [...push.manifests], pushed: [...push.pushed] },
        error: buildError(),
        evidence: [...evidence.values()].sort((a, b) => a.n - b.n),
      },
      vertices: all.map((v) => ({
        digest: v.digest,
        index: v.index,
        name: v.name,
        started: v.started,
        completed: v.completed,
        cached: v.cached,
        error: v.error,
      })),
      stats: { ...stats },
    };
  }

  return { push: pushLine, end, result };
}

function arrayOf(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value)) return [];
  return value.filter((x): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x));
}

/** A whole raw file held in memory (tests): the rendered text and the result. */
export function parseRawJson(text: string): { rendered: string[]; result: RawJsonResult } {
  const parser = createRawJsonParser();
  const rendered: string[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) for (const r of parser.push(line)) rendered.push(r);
  rendered.push(...parser.end());
  return { rendered, result: parser.result() };
}

/**
 * The analysis with every quoted text through `fix` (redaction), as the log file holds it,
 * and its line numbers moved into the capped file: lines of the head keep their number; a
 * later line is looked up by its text in what the cap kept after the marker (its middle and
 * tail keep the original order); a line the cap dropped is left out of the evidence.
 */
export function finishAnalysis(
  analysis: BuildLogAnalysis,
  fix: (text: string) => string,
  capped: { headLines: number; rest: string[] } | null,
): BuildLogAnalysis {
  const locate = capped ? locator(capped.headLines, capped.rest) : (n: number) => n;
  const lines = (list: LogLine[]): LogLine[] => {
    const outList: LogLine[] = [];
    for (const l of list) {
      const text = fix(l.text);
      const n = locate(l.n, text);
      if (n !== null) outList.push({ ...l, n, text });
    }
    return outList;
  };
  const error = analysis.error;
  return {
    ...analysis,
    steps: analysis.steps.map((s) => ({ ...s, instruction: fix(s.instruction), error: s.error === null ? null : fix(s.error) })),
    cacheImport: {
      ...analysis.cacheImport,
      message: analysis.cacheImport.message === null ? null : fix(analysis.cacheImport.message),
      attempts: analysis.cacheImport.attempts.map((a) => ({ ...a, message: a.message === null ? null : fix(a.message) })),
      lines: lines(analysis.cacheImport.lines),
    },
    cacheExport: { ...analysis.cacheExport, error: analysis.cacheExport.error === null ? null : fix(analysis.cacheExport.error), lines: lines(analysis.cacheExport.lines) },
    error: error && {
      ...error,
      message: fix(error.message),
      command: error.command === null ? null : fix(error.command),
      step: error.step === null ? null : fix(error.step),
      excerpt: lines(error.excerpt),
      lines: lines(error.lines),
    },
    evidence: lines(analysis.evidence),
  };
}

function locator(headLines: number, rest: string[]): (n: number, text: string) => number | null {
  // A text the cap kept twice (a header printed again) cites its first copy: the same line.
  const positions = new Map<string, number[]>();
  rest.forEach((text, i) => {
    const list = positions.get(text);
    if (list) list.push(i);
    else positions.set(text, [i]);
  });
  return (n, text) => {
    if (n <= headLines) return n;
    const found = positions.get(text);
    // The marker line sits between the head and the rest.
    return found && found.length > 0 ? headLines + 2 + (found[0] as number) : null;
  };
}
