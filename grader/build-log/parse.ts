/**
 * Streaming analysis of `docker buildx build` logs, in `--progress=plain` and in the tty
 * format students paste (ANSI, redrawn frames, lines cut at the terminal width, CRLF).
 *
 * Memory is bounded: the parser keeps per-step state and short excerpts, never the lines.
 * Only parseBuildLogFile does I/O.
 *
 * What counts as a step (platforms[].total): every Dockerfile command of the student's
 * stages, i.e. a vertex labelled `[<platform> <stage> i/n]`, except the stage's FROM
 * (command 1/n of a stage based on an image; a `FROM scratch` or `FROM <stage>` stage has
 * no FROM vertex and its 1/n is a real command). Not counted:
 * - `[internal] load ...`, `[linux/amd64 internal] load metadata for ...`, `[auth]`: buildx
 *   housekeeping, not the student's Dockerfile; they are never CACHED.
 * - FROM: buildx resolves the base image again on every build and never prints it as
 *   CACHED, even when everything else came from the registry cache; a later stage with the
 *   same base is merged into one vertex and printed once under either stage's name. Counting
 *   it would make a fully warm build look like 5/6 and make totals depend on that merge.
 * With the lab's two-stage Dockerfile that is 4 (build1 2/5..5/5) + 2 (prod 2/3, 3/3) = 6
 * steps per platform. `ARG` creates no vertex, so it is not counted either.
 *
 * A step is cached when buildx marked it CACHED at least once. In a partial hit buildx may
 * first print CACHED and later extract the layers for the next step (plain: `#11 CACHED`,
 * then `#11 extracting ... DONE`; tty: the last frame shows it without CACHED). It was a
 * cache hit either way, so "at least once" makes plain and tty logs of one build agree.
 * Such steps, and hits never marked CACHED, also have `extracted: true`; an extracted step
 * that did not fail counts as cached (a step that runs never extracts under its own vertex).
 */

import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

import type { CacheImportStatus, LogLine, PlatformSteps } from '../results/types.ts';
import {
  exitDetails,
  importRef,
  isCacheExportName,
  keep,
  normalizeLine,
  parseStepLabel,
  parseTtyHeader,
  parseTtyLine,
  splitLabel,
  statusFact,
  stripCiPrefix,
  type StatusFact,
  type TtyHeader,
  type TtyLine,
} from './lines.ts';
import { LineSplitter } from './split.ts';
import type {
  BuildErrorSummary,
  BuildLogAnalysis,
  BuildLogFormat,
  BuildProgress,
  BuildStep,
  CacheImportAttempt,
  PushInfo,
} from './types.ts';

export type * from './types.ts';
export { normalizeLine, stripAnsi } from './lines.ts';

/** Platform name used for the steps of a single-platform build (buildx prints no platform then). */
export const UNLABELLED_PLATFORM = 'default';

/** CACHED and total counted steps per platform (steps printed without one under `default`), sorted by platform. */
export function platformTotals(steps: readonly Pick<BuildStep, 'counted' | 'platform' | 'cached'>[]): PlatformSteps[] {
  const perPlatform = new Map<string, PlatformSteps>();
  for (const step of steps) {
    if (!step.counted) continue;
    const platform = step.platform ?? UNLABELLED_PLATFORM;
    const entry = perPlatform.get(platform) ?? { platform, cached: 0, total: 0 };
    entry.total++;
    if (step.cached) entry.cached++;
    perPlatform.set(platform, entry);
  }
  return [...perPlatform.values()].sort((a, b) => a.platform.localeCompare(b.platform));
}

/** Bounds that keep memory flat on huge or garbage logs. */
export const BUILD_LOG_LIMITS = {
  evidenceLines: 40,
  /** Cached steps per platform shown as evidence, so every platform is represented. */
  evidenceStepsPerPlatform: 8,
  steps: 1000,
  vertices: 5000,
  importAttempts: 8,
  sectionLines: 12,
  errorLines: 40,
  digests: 16,
} as const;

/**
 * Memo tables (raw tty line → its parse, vertex name → its label): a full table is
 * emptied and refilled, so memory stays bounded. A tty frame is at most a terminal height,
 * so 512 entries hold several frames. Small on purpose: entries that live long are moved
 * to V8's old space and freed only by full GCs; with 4096 entries a log whose lines never
 * repeat parsed ~40% slower, and logs that do repeat gained nothing.
 */
const MEMO_ENTRIES = 512;
/** Longer raw lines are parsed every time: a memo key is a copy of the line. */
const MEMO_MAX_RAW_CHARS = 1024;
/** parseBuildLogFile reads this much at a time... */
const READ_BYTES = 1024 * 1024;
/** ...and decodes it to strings this long (see there why not longer). */
const DECODE_BYTES = 64 * 1024;

const HASH = 0x23; // '#'
const DASH = 0x2d; // '-'
const UPPER_E = 0x45; // 'E', of `ERROR: `
const LOWER_E = 0x65; // 'e', of `error: `
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

const PLAIN_LINE = /^#(\d+) (.*)$/;
const PLAIN_BUILDER = /^building with "([^"]+)" instance using (\S+) driver/;
const PLAIN_NOT_HEADER = /^(CACHED|DONE\b|ERROR\b|CANCELED|\.\.\.)/;
const PLAIN_DONE = /^DONE\b/;
const PLAIN_ERROR = /^ERROR:? ?(.*)$/;
const RUN_OUTPUT = /^\d+\.\d+ /;
const FROM_INSTRUCTION = /^FROM\b/i;
const BOX_TITLE = /^ > .*:$/;
const EXCERPT_RULE = /^-{20}$/;
const EXCERPT_FAILING_LINE = /^\s*\d+ \| >>>/;
const LOCATION = /^(\S+):(\d+)$/;
// buildx <= 0.9 printed the final error in lower case: `error: failed to solve: ...`.
const FINAL_ERROR = /^(?:ERROR: (.*)|error: (failed to solve.*))$/;
const NOT_FOUND = /\bnot found\b/i;

/** A streaming parser: push lines in order, then read result(). */
export interface BuildLogParser {
  /** One line of the log, with or without its line terminator. */
  push(line: string): void;
  result(): BuildLogAnalysis;
}

type VertexKind = 'step' | 'import' | 'export-cache' | 'other';

interface VertexState {
  kind: VertexKind;
  stepKey?: string;
  importIndex?: number;
  /**
   * The last header line (`#12 [linux/arm64 build1 4/5] ADD src ./`), for evidence.
   * Plain logs only: tty CACHED evidence is the `=> CACHED` line itself.
   */
  header: LogLine | null;
}

/** What a vertex name says by itself (a pure function of the name, so memoised). */
interface VertexName {
  /** A Dockerfile step (`[platform stage i/n] instruction`); null for anything else. */
  step: {
    key: string;
    platform: string | null;
    stage: string | null;
    index: string;
    instruction: string;
    from: boolean;
  } | null;
  importRef: string | null;
  cacheExport: boolean;
}

/**
 * What is known about one raw line that does not start with `#`: in tty logs the same
 * raw line comes back in every redrawn frame, so it is cleaned and parsed once. The
 * parses are filled in on first use (undefined: not computed yet).
 */
interface LineMemo {
  text: string;
  header: TtyHeader | null | undefined;
  tty: TtyLine | null | undefined;
  /** statusFact of a `=> =>` line's text. */
  fact: StatusFact | null | undefined;
  /** The vertex name of a `=>` line. */
  name: VertexName | undefined;
}

interface StepState extends BuildStep {
  evidenceTaken: boolean;
}

interface AttemptState extends CacheImportAttempt {
  error: string | null;
  errored: boolean;
}

interface Box {
  title: string;
  titleLine: LogLine;
  lines: LogLine[];
  /** Lines dropped from the middle of a long box (the first and last are kept). */
  dropped: number;
}

function describeVertexName(name: string): VertexName {
  const split = splitLabel(name);
  const label = split ? parseStepLabel(split.label) : null;
  let step: VertexName['step'] = null;
  // No index: [internal], [auth], load metadata.
  if (split && label && label.index !== null) {
    const instruction = split.rest.trim();
    step = {
      key: `${label.platform ?? ''}|${label.stage ?? ''}|${label.index}`,
      platform: label.platform,
      stage: label.stage,
      index: label.index,
      instruction,
      // Only the instruction says it: a `FROM scratch` or `FROM <stage>` stage has no FROM
      // vertex, so its first real command is `[1/n]` (`[1/1] COPY missing /`).
      from: FROM_INSTRUCTION.test(instruction),
    };
  }
  return { step, importRef: importRef(name), cacheExport: isCacheExportName(name) };
}

/** Map.set that empties a full map first: a memo, not a store. */
function remember<V>(memo: Map<string, V>, key: string, value: V): V {
  if (memo.size >= MEMO_ENTRIES) memo.clear();
  memo.set(key, value);
  return value;
}

/**
 * Creates a streaming parser.
 *
 * Speed: most lines of a big log are tty redraws and RUN output, so the per-line path
 * avoids work for them: tty lines are memoised by their raw text (LineMemo), plain lines
 * are dispatched on their first characters before any regex, and a LogLine is allocated
 * only when a line is kept. Every string kept beyond the current line goes through keep().
 */
export function createBuildLogParser(): BuildLogParser {
  const L = BUILD_LOG_LIMITS;
  let n = 0;
  let plainLines = 0;
  let ttyLines = 0;
  let builder: BuildLogAnalysis['builder'] = null;
  let progress: BuildProgress | null = null;

  const steps = new Map<string, StepState>();
  let stepsTruncated = false;
  const vertices = new Map<number, VertexState>();
  // tty prints no vertex numbers: `=> =>` lines belong to the last `=>` line above them.
  let ttyCurrent: VertexState | null = null;

  const attempts: AttemptState[] = [];
  const importLines: LogLine[] = [];
  const exportLines: LogLine[] = [];
  let exportAttempted = false;
  let exportDigest: string | null = null;
  let exportWritten = false;
  let exportError: string | null = null;

  const push: PushInfo = { manifestList: null, manifests: [], pushed: [] };

  const evidence = new Map<number, LogLine>();
  const evidencePerPlatform = new Map<string, number>();

  // Error section state: `------` boxes, `Dockerfile:6` + `----...` excerpt, `ERROR:` lines.
  let box: Box | null = null;
  const boxes: Box[] = [];
  let locationCandidate: { file: string; line: number; logLine: LogLine } | null = null;
  let location: { file: string; line: number; logLine: LogLine } | null = null;
  let inExcerpt = false;
  // buildx prints the error summary (`------` boxes, excerpt, `ERROR:`) after all progress.
  // A vertex or tty line after it is a failed step's output that ended its box early with a
  // `------` of its own (buildx 0.13.1 printed box lines without timestamps), so it counts for
  // nothing until the next build of a concatenated log starts (`#0 building with`, `[+] Building`).
  let inSummary = false;
  const excerpt: LogLine[] = [];
  const errorLines: LogLine[] = [];
  let finalError: { message: string; line: LogLine } | null = null;

  const lineMemos = new Map<string, LineMemo>();
  const vertexNames = new Map<string, VertexName>();

  /** The current line as a LogLine that may be kept. */
  function logLine(text: string, highlight = false): LogLine {
    return highlight ? { n, text: keep(text), highlight: true } : { n, text: keep(text) };
  }

  /** Adds the current line unless the list is full or has the same text; returns what was added. */
  function addBounded(list: LogLine[], text: string, highlight: boolean, max: number): LogLine | null {
    if (list.length >= max) return null;
    if (list.some((l) => l.text === text)) return null; // tty redraws repeat lines
    const line = logLine(text, highlight);
    list.push(line);
    return line;
  }

  function addEvidence(line: LogLine): boolean {
    if (evidence.has(line.n)) return true;
    if (evidence.size >= L.evidenceLines) return false;
    evidence.set(line.n, line);
    return true;
  }

  function vertexName(name: string): VertexName {
    const known = vertexNames.get(name);
    if (known) return known;
    const own = keep(name);
    return remember(vertexNames, own, describeVertexName(own));
  }

  function upsertStep(info: VertexName, vertex: number | null, cut: boolean): StepState | null {
    const label = info.step;
    if (!label) return null;
    let step = steps.get(label.key);
    if (!step) {
      if (steps.size >= L.steps) {
        stepsTruncated = true;
        return null;
      }
      step = {
        key: label.key,
        vertex,
        platform: label.platform,
        stage: label.stage,
        index: label.index,
        instruction: label.instruction,
        instructionCut: cut,
        from: label.from,
        counted: !label.from,
        cached: false,
        extracted: false,
        done: false,
        canceled: false,
        error: null,
        firstLine: n,
        lastLine: n,
        evidenceTaken: false,
      };
      steps.set(label.key, step);
    } else {
      step.lastLine = n;
      if (step.vertex === null && vertex !== null) step.vertex = vertex;
      // tty frames may cut the same instruction differently; keep the fullest text.
      if (step.instructionCut && (!cut || label.instruction.length > step.instruction.length)) {
        step.instruction = label.instruction;
        step.instructionCut = cut;
      }
    }
    return step;
  }

  /** `header` is the plain vertex header shown above the current (CACHED) line; null in tty. */
  function markCached(step: StepState, header: LogLine | null, text: string): void {
    step.cached = true;
    step.done = true;
    if (step.evidenceTaken || !step.counted) return;
    const platform = step.platform ?? UNLABELLED_PLATFORM;
    const taken = evidencePerPlatform.get(platform) ?? 0;
    if (taken >= L.evidenceStepsPerPlatform) return;
    if (evidence.size + (header ? 2 : 1) > L.evidenceLines) return;
    if (header) addEvidence(header);
    addEvidence(logLine(text, true));
    step.evidenceTaken = true;
    evidencePerPlatform.set(platform, taken + 1);
  }

  function startImport(ref: string, cut: boolean, text: string): number | undefined {
    let index = attempts.findIndex((a) => a.ref === ref);
    if (index < 0) {
      if (attempts.length >= L.importAttempts) return undefined;
      attempts.push({
        status: 'imported',
        ref: keep(ref),
        refCut: cut,
        message: null,
        firstLine: n,
        error: null,
        errored: false,
      });
      index = attempts.length - 1;
    }
    const added = addBounded(importLines, text, true, L.sectionLines);
    if (added && attempts.length <= 2) addEvidence(added);
    return index;
  }

  function importError(index: number | undefined, message: string | null, text: string): void {
    if (index === undefined) return;
    const attempt = attempts[index];
    if (!attempt) return;
    attempt.errored = true;
    if (message !== null && message !== '') attempt.error = keep(message);
    const added = addBounded(importLines, text, true, L.sectionLines);
    if (added) addEvidence(added);
  }

  function applyFact(vertex: VertexState | null, fact: StatusFact, text: string): void {
    switch (fact.kind) {
      case 'manifest-list':
        if (push.manifestList !== fact.digest) push.manifestList = keep(fact.digest);
        return;
      case 'manifest':
        if (push.manifests.length < L.digests && !push.manifests.includes(fact.digest)) {
          push.manifests.push(keep(fact.digest));
        }
        return;
      case 'pushed':
        if (
          push.pushed.length < L.digests &&
          !push.pushed.some((p) => p.ref === fact.ref && p.digest === fact.digest)
        ) {
          push.pushed.push({ ref: keep(fact.ref), digest: keep(fact.digest) });
        }
        return;
      case 'manifest-written':
      case 'cache-manifest':
        // The generic wording is a cache fact only under the cache export vertex.
        if (vertex?.kind === 'export-cache' || (vertex === null && fact.kind === 'cache-manifest')) {
          exportWritten = true;
          if (fact.digest !== null && exportDigest !== fact.digest) exportDigest = keep(fact.digest);
          addBounded(exportLines, text, true, L.sectionLines);
        }
        return;
      case 'inferred-cache-type':
        if (vertex?.kind === 'import') {
          const added = addBounded(importLines, text, true, L.sectionLines);
          if (added) addEvidence(added);
        }
        return;
      case 'extracting':
        if (vertex?.kind === 'step' && vertex.stepKey !== undefined) {
          const step = steps.get(vertex.stepKey);
          if (step) step.extracted = true;
        }
        return;
    }
  }

  /**
   * A vertex name (plain header or tty `=>` line) → its state. `header` is the LogLine a
   * plain vertex keeps for evidence; tty vertices keep none.
   */
  function vertexFor(info: VertexName, number: number | null, text: string, cut: boolean, header: LogLine | null): VertexState {
    const step = upsertStep(info, number, cut);
    if (step) return { kind: 'step', stepKey: step.key, header };
    if (info.importRef !== null) {
      const importIndex = startImport(info.importRef, cut, text);
      return importIndex === undefined ? { kind: 'import', header } : { kind: 'import', importIndex, header };
    }
    if (info.cacheExport) {
      exportAttempted = true;
      addBounded(exportLines, text, false, L.sectionLines);
      return { kind: 'export-cache', header };
    }
    return { kind: 'other', header };
  }

  function vertexError(vertex: VertexState, message: string, text: string): void {
    if (vertex.kind === 'step' && vertex.stepKey !== undefined) {
      const step = steps.get(vertex.stepKey);
      if (step) {
        step.error = keep(message);
        step.lastLine = n;
      }
    } else if (vertex.kind === 'import') {
      importError(vertex.importIndex, message, text);
    } else if (vertex.kind === 'export-cache') {
      exportError = message === '' ? (exportError ?? '') : keep(message);
      addBounded(exportLines, text, true, L.sectionLines);
    }
  }

  function stepOf(vertex: VertexState): StepState | undefined {
    return vertex.kind === 'step' && vertex.stepKey !== undefined ? steps.get(vertex.stepKey) : undefined;
  }

  /** `#N body`: `text` is the whole (cleaned) line. */
  function handlePlain(number: number, body: string, text: string): void {
    plainLines++;
    if (number === 0) {
      const m = PLAIN_BUILDER.exec(body);
      if (m) {
        // The first builder line is the build's own; a later one belongs to a concatenated
        // build (or to step output that escaped an old buildx error box).
        builder ??= { name: keep(m[1] ?? ''), driver: keep(m[2] ?? '') };
        startBuild();
      }
      return;
    }
    if (inSummary) return;
    const known = vertices.get(number);
    const first = body.charCodeAt(0);
    // `#14 0.246 /bin/sh: npm: not found`: RUN output, the bulk of a plain log. A body that
    // starts with a digit is never a header of a known vertex nor a status, so it ends here.
    if (known !== undefined && first >= DIGIT_0 && first <= DIGIT_9) return;
    // Headers: a labelled name, or the first line of a vertex we have not seen.
    const isHeader =
      first === 0x5b /* [ */ || known === undefined || importRef(body) !== null || isCacheExportName(body);
    if (isHeader && !PLAIN_NOT_HEADER.test(body)) {
      const state = vertexFor(vertexName(body), number, text, false, logLine(text));
      if (known && known.kind === state.kind && known.stepKey === state.stepKey) {
        known.header = state.header;
      } else if (vertices.size < L.vertices || known) {
        vertices.set(number, state);
      }
      return;
    }
    if (!known) return;
    plainStatus(known, body, text);
  }

  /** A non-header line of a known plain vertex: CACHED, DONE, ERROR, a digest... */
  function plainStatus(vertex: VertexState, body: string, text: string): void {
    if (body === 'CACHED') {
      const step = stepOf(vertex);
      if (step) {
        step.lastLine = n;
        markCached(step, vertex.header, text);
      }
      return;
    }
    if (PLAIN_DONE.test(body)) {
      const step = stepOf(vertex);
      if (step) {
        step.done = true;
        step.lastLine = n;
      }
      return;
    }
    if (body === 'CANCELED') {
      const step = stepOf(vertex);
      if (step) step.canceled = true;
      return;
    }
    const error = PLAIN_ERROR.exec(body);
    if (error) {
      vertexError(vertex, (error[1] ?? '').trim(), text);
      return;
    }
    if (RUN_OUTPUT.test(body)) return;
    const fact = statusFact(body);
    if (fact) applyFact(vertex, fact, text);
  }

  /** `memo` caches the parses of a repeated raw line; null: parse `text` now. */
  function handleTty(text: string, memo: LineMemo | null): void {
    const header = memo ? (memo.header === undefined ? (memo.header = parseTtyHeader(text)) : memo.header) : parseTtyHeader(text);
    if (header) {
      ttyHeader(header);
      return;
    }
    if (inSummary) return;
    const tty = memo ? (memo.tty === undefined ? (memo.tty = parseTtyLine(text)) : memo.tty) : parseTtyLine(text);
    if (!tty) return;
    ttyLines++;
    if (tty.output) return;
    if (tty.depth === 2) {
      const fact = memo ? (memo.fact === undefined ? (memo.fact = statusFact(tty.text)) : memo.fact) : statusFact(tty.text);
      if (fact) applyFact(ttyCurrent, fact, text);
      return;
    }
    const name = memo ? (memo.name ??= vertexName(tty.text)) : vertexName(tty.text);
    const vertex = vertexFor(name, null, text, tty.cut, null);
    ttyCurrent = vertex;
    if (vertex.kind === 'step') {
      const step = stepOf(vertex);
      if (!step) return;
      if (tty.state === 'CACHED') markCached(step, null, text);
      else if (tty.state === 'ERROR') step.error = step.error ?? '';
      else if (tty.state === 'CANCELED') step.canceled = true;
    } else if (tty.state === 'ERROR') {
      // tty never prints the importer's message, only ERROR on the vertex.
      vertexError(vertex, '', text);
    }
  }

  function ttyHeader(header: TtyHeader): void {
    ttyLines++;
    progress = {
      seconds: header.seconds,
      completed: header.completed,
      total: header.total,
      finished: header.finished,
    };
    if (header.builder) {
      const [driver = '', name = ''] = header.builder.split(':');
      builder ??= { name: keep(name), driver: keep(driver) };
    }
    ttyCurrent = null;
    if (inSummary) startBuild();
  }

  /** A new build in a concatenated log: its vertex numbers start again. */
  function startBuild(): void {
    inSummary = false;
    vertices.clear();
    ttyCurrent = null;
  }

  /**
   * Cheap test that a line outside any box or excerpt can be one of the section lines
   * below: `------` and `--------------------` start with `-`, `ERROR: ` with `E`, and a
   * `Dockerfile:6` location ends with a digit.
   */
  function maySection(text: string): boolean {
    const first = text.charCodeAt(0);
    if (first === DASH || first === UPPER_E || first === LOWER_E) return true;
    const last = text.charCodeAt(text.length - 1);
    return last >= DIGIT_0 && last <= DIGIT_9;
  }

  function handleSections(text: string): boolean {
    if (!box && !inExcerpt && !maySection(text)) return false;
    if (text === '------') {
      if (box) {
        if (boxes.length < 4) boxes.push(box);
        closeBox(box);
        box = null;
      } else {
        box = { title: '', titleLine: logLine(text), lines: [], dropped: 0 };
        inSummary = true;
      }
      return true;
    }
    // Every box buildx prints starts with its ` > title:` line. A `------` followed by
    // anything else did not open a box: it was the end of a box that a failed step's output
    // closed early with its own `------`, and the summary goes on after it.
    if (box && box.title === '' && box.lines.length === 0 && !BOX_TITLE.test(text)) box = null;
    if (box) {
      if (box.title === '' && BOX_TITLE.test(text)) {
        box.title = keep(text.slice(3, -1));
        box.titleLine = logLine(text);
      } else if (box.lines.length < L.sectionLines) {
        box.lines.push(logLine(text));
      } else {
        // Keep the first half and the latest lines: the end of RUN output has the error.
        box.lines.splice(L.sectionLines / 2, 1);
        box.lines.push(logLine(text));
        box.dropped++;
      }
      return true;
    }
    if (EXCERPT_RULE.test(text)) {
      if (inExcerpt) {
        inExcerpt = false;
        if (excerpt.length < L.sectionLines + 2) excerpt.push(logLine(text));
      } else if (locationCandidate && locationCandidate.logLine.n === n - 1) {
        location = locationCandidate;
        inExcerpt = true;
        excerpt.length = 0;
        excerpt.push(logLine(text));
      }
      return true;
    }
    if (inExcerpt) {
      if (excerpt.length < L.sectionLines + 1) excerpt.push(logLine(text, EXCERPT_FAILING_LINE.test(text)));
      return true;
    }
    const loc = LOCATION.exec(text);
    if (loc && !text.startsWith('#')) {
      locationCandidate = { file: keep(loc[1] ?? ''), line: Number(loc[2]), logLine: logLine(text) };
      return false;
    }
    const error = FINAL_ERROR.exec(text);
    if (error) {
      const highlighted = logLine(text, true);
      if (!finalError) finalError = { message: keep((error[1] ?? error[2] ?? '').trim()), line: highlighted };
      if (errorLines.length < 4) errorLines.push(highlighted);
      return true;
    }
    return false;
  }

  function closeBox(closed: Box): void {
    const ref = importRef(closed.title);
    if (ref === null) {
      // tty prints `=> ERROR [..]` without a message; the box holds the step's output.
      const split = splitLabel(closed.title);
      const label = split ? parseStepLabel(split.label) : null;
      const step = label ? steps.get(`${label.platform ?? ''}|${label.stage ?? ''}|${label.index}`) : undefined;
      if (step && step.error === '') step.error = closed.lines.map((l) => l.text.trim()).join(' ').trim();
      return;
    }
    // The box prints the whole ref, which the tty line may have cut.
    const index = attempts.findIndex((a) => a.ref === ref || (a.refCut && ref.startsWith(a.ref)));
    const attempt = attempts[index];
    if (!attempt) return;
    attempt.ref = ref;
    attempt.refCut = false;
    attempt.errored = true;
    const message = closed.lines.map((l) => l.text.trim()).filter((t) => t !== '').join(' ');
    if (message !== '' && attempt.error === null) attempt.error = message;
  }

  /**
   * Cleans and classifies a raw line that does not start with `#` once per distinct raw
   * text: a tty log redraws the same lines in every frame.
   */
  function lineMemo(raw: string): LineMemo | null {
    if (raw.length > MEMO_MAX_RAW_CHARS) return null;
    const known = lineMemos.get(raw);
    if (known) return known;
    const memo: LineMemo = {
      text: keep(stripCiPrefix(normalizeLine(raw))),
      header: undefined,
      tty: undefined,
      fact: undefined,
      name: undefined,
    };
    remember(lineMemos, keep(raw), memo);
    return memo;
  }

  function pushLine(raw: string): void {
    n++;
    // Plain lines (`#N ...`) are mostly unique RUN output: parsing them directly is cheaper
    // than a memo lookup. Everything else (tty frames) repeats and goes through the memo.
    const memo = raw.charCodeAt(0) === HASH ? null : lineMemo(raw);
    const text = memo ? memo.text : stripCiPrefix(normalizeLine(raw));
    if (text === '') {
      locationCandidate = null;
      return;
    }
    if (!box && !inExcerpt && text.charCodeAt(0) === HASH) {
      const plain = PLAIN_LINE.exec(text);
      if (plain) {
        handlePlain(Number(plain[1]), (plain[2] ?? '').trim(), text);
        return;
      }
    }
    if (handleSections(text)) return;
    handleTty(text, memo);
  }

  function attemptStatus(a: AttemptState): CacheImportAttempt['status'] {
    if (!a.errored) return 'imported';
    // `failed to configure registry cache importer: <ref>: not found`
    if (a.error !== null && NOT_FOUND.test(a.error)) return 'not-found';
    return 'failed';
  }

  function buildError(): BuildErrorSummary | null {
    if (!finalError) return null;
    const failing = [...steps.values()].find((s) => s.error !== null && s.error !== '') ?? [...steps.values()].find((s) => s.error !== null);
    const stepBox = boxes.find((b) => b.title !== '' && importRef(b.title) === null);
    let { exitCode, command } = exitDetails(finalError.message);
    if (exitCode === null && failing?.error) ({ exitCode, command } = exitDetails(failing.error));
    const lines: LogLine[] = [];
    const add = (line: LogLine): void => {
      if (lines.length < L.errorLines && !lines.some((l) => l.n === line.n)) lines.push(line);
    };
    if (stepBox) {
      add(stepBox.titleLine);
      for (const l of stepBox.lines) add(l);
    }
    if (location) add(location.logLine);
    for (const l of excerpt) add(l);
    for (const l of errorLines) add(l);
    lines.sort((a, b) => a.n - b.n);
    const stepTitle =
      stepBox?.title ??
      (failing ? `[${[failing.platform, failing.stage, failing.index].filter(Boolean).join(' ')}] ${failing.instruction}` : null);
    return {
      message: finalError.message,
      exitCode,
      command,
      step: stepTitle,
      dockerfile: location ? { file: location.file, line: location.line } : null,
      excerpt: excerpt.filter((l) => !/^-{20}$/.test(l.text)),
      lines,
    };
  }

  function result(): BuildLogAnalysis {
    const stepList = [...steps.values()]
      .map(({ evidenceTaken: _taken, ...step }) => {
        const failed = finalError !== null;
        // tty has no DONE lines: a step that did not fail finished if the build did.
        if (step.vertex === null && !step.done && step.error === null && !step.canceled) {
          step.done = (progress?.finished ?? false) || failed;
        }
        // Layers extracted under a step's own vertex were loaded from cache: the step did not run.
        // buildx sometimes shows such a hit only as the extraction, never as CACHED.
        if (step.extracted && step.error === null) step.cached = true;
        return step;
      })
      .sort(compareSteps);

    const platforms = platformTotals(stepList);

    const attemptList: CacheImportAttempt[] = attempts.map((a) => ({
      status: attemptStatus(a),
      ref: a.ref,
      refCut: a.refCut,
      message: a.error,
      firstLine: a.firstLine,
    }));
    // Several --cache-from refs: one that imported is enough for a cache hit.
    const chosen =
      attemptList.find((a) => a.status === 'imported') ??
      attemptList.find((a) => a.status === 'not-found') ??
      attemptList[0];
    const status: CacheImportStatus = chosen ? chosen.status : 'not-requested';

    let format: BuildLogFormat = 'unknown';
    if (plainLines > 0 && ttyLines > 0) format = 'mixed';
    else if (plainLines > 0) format = 'plain';
    else if (ttyLines > 0) format = 'tty';

    return {
      format,
      lineCount: n,
      builder,
      progress,
      steps: stepList,
      stepsTruncated,
      platforms,
      totals: {
        cached: platforms.reduce((sum, p) => sum + p.cached, 0),
        total: platforms.reduce((sum, p) => sum + p.total, 0),
      },
      cacheImport: {
        status,
        ref: chosen?.ref ?? null,
        refCut: chosen?.refCut ?? false,
        message: chosen?.message ?? null,
        attempts: attemptList,
        lines: [...importLines].sort((a, b) => a.n - b.n),
      },
      cacheExport: {
        exported: exportWritten && exportError === null,
        attempted: exportAttempted,
        manifestDigest: exportDigest,
        error: exportError,
        lines: [...exportLines].sort((a, b) => a.n - b.n),
      },
      push: { manifestList: push.manifestList, manifests: [...push.manifests], pushed: [...push.pushed] },
      error: buildError(),
      evidence: [...evidence.values()].sort((a, b) => a.n - b.n),
    };
  }

  return { push: pushLine, result };
}

/** Steps in report order: platform, stage, step number, then where they first appeared. */
export function compareSteps(a: BuildStep, b: BuildStep): number {
  const [ai = 0] = a.index.split('/').map(Number);
  const [bi = 0] = b.index.split('/').map(Number);
  return (
    (a.platform ?? '').localeCompare(b.platform ?? '') ||
    (a.stage ?? '').localeCompare(b.stage ?? '') ||
    ai - bi ||
    a.firstLine - b.firstLine
  );
}

/** Parses a whole log held in memory (tests, pasted text). */
export function parseBuildLog(text: string): BuildLogAnalysis {
  const parser = createBuildLogParser();
  // The same splitter as parseBuildLogFile, so line numbers agree.
  const splitter = new LineSplitter((line) => parser.push(line));
  splitter.write(text);
  splitter.end();
  return parser.result();
}

/**
 * Streams a log file; memory stays flat however big the file is. An abort stops reading
 * and returns what was parsed so far (as the readline version did).
 *
 * Reads 1 MiB at a time into two reused buffers (the next read runs while this one is
 * parsed) and decodes each in 64 KiB pieces: a string over ~128 KB would live in V8's
 * large-object space, which only a full GC frees, and peak RSS grows by tens of MB.
 */
export async function parseBuildLogFile(path: string, options: { signal?: AbortSignal } = {}): Promise<BuildLogAnalysis> {
  const parser = createBuildLogParser();
  const splitter = new LineSplitter((line) => parser.push(line));
  const decoder = new StringDecoder('utf8');
  const buffers = [Buffer.allocUnsafe(READ_BYTES), Buffer.allocUnsafe(READ_BYTES)] as const;
  const file = await open(path, 'r');
  let pending: Promise<{ bytesRead: number; buffer: Buffer }> | null = file.read(buffers[0], 0, READ_BYTES, null);
  try {
    for (let turn = 1; ; turn++) {
      const { bytesRead, buffer } = await pending;
      pending = null;
      if (options.signal?.aborted) return parser.result();
      if (bytesRead === 0) break;
      // Reads are sequential (position null): this one starts where the last one ended.
      pending = file.read(buffers[turn % 2]!, 0, READ_BYTES, null);
      for (let at = 0; at < bytesRead; at += DECODE_BYTES) {
        splitter.write(decoder.write(buffer.subarray(at, Math.min(at + DECODE_BYTES, bytesRead))));
      }
    }
    splitter.write(decoder.end());
    splitter.end();
  } finally {
    // A read still in flight writes into our buffer: let it finish before closing.
    if (pending) await pending.catch(() => undefined);
    await file.close();
  }
  return parser.result();
}
