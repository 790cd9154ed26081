/**
 * Streaming analysis of `docker buildx build` logs, in `--progress=plain` and in the tty
 * format students paste (ANSI, redrawn frames, lines cut at the terminal width, CRLF).
 *
 * Memory is bounded: the parser keeps per-step state and short excerpts, never the lines.
 * Only parseBuildLogFile does I/O.
 *
 * What counts as a step (platforms[].total): every Dockerfile command of the student's
 * stages, i.e. a vertex labelled `[<platform> <stage> i/n]`, except the stage's FROM
 * (command 1/n). Not counted:
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

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

import type { CacheImportStatus, LogLine, PlatformSteps } from '../results/types.ts';
import {
  exitDetails,
  importRef,
  isCacheExportName,
  normalizeLine,
  parseStepLabel,
  parseTtyHeader,
  parseTtyLine,
  splitLabel,
  statusFact,
  type StatusFact,
} from './build-log-lines.ts';
import type {
  BuildErrorSummary,
  BuildLogAnalysis,
  BuildLogFormat,
  BuildProgress,
  BuildStep,
  CacheImportAttempt,
  PushInfo,
} from './build-log-types.ts';

export type * from './build-log-types.ts';
export { normalizeLine, stripAnsi } from './build-log-lines.ts';

/** Platform name used for the steps of a single-platform build (buildx prints no platform then). */
export const UNLABELLED_PLATFORM = 'default';

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

/** A streaming build-log parser: push lines in order, then read result(). */
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
  /** The last header line (`#12 [linux/arm64 build1 4/5] ADD src ./`), for evidence. */
  header: LogLine;
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

/** Creates a streaming parser. */
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
  const excerpt: LogLine[] = [];
  const errorLines: LogLine[] = [];
  let finalError: { message: string; line: LogLine } | null = null;

  function addBounded(list: LogLine[], line: LogLine, max: number): void {
    if (list.length >= max) return;
    if (list.some((l) => l.text === line.text)) return; // tty redraws repeat lines
    list.push(line);
  }

  function addEvidence(line: LogLine): boolean {
    if (evidence.has(line.n)) return true;
    if (evidence.size >= L.evidenceLines) return false;
    evidence.set(line.n, line);
    return true;
  }

  function upsertStep(name: string, vertex: number | null, cut: boolean): StepState | null {
    const split = splitLabel(name);
    if (!split) return null;
    const label = parseStepLabel(split.label);
    if (label.index === null) return null; // [internal], [auth], load metadata
    const key = `${label.platform ?? ''}|${label.stage ?? ''}|${label.index}`;
    let step = steps.get(key);
    if (!step) {
      if (steps.size >= L.steps) {
        stepsTruncated = true;
        return null;
      }
      const instruction = split.rest.trim();
      const from = label.indexNumber === 1 || /^FROM\b/i.test(instruction);
      step = {
        key,
        vertex,
        platform: label.platform,
        stage: label.stage,
        index: label.index,
        instruction,
        instructionCut: cut,
        from,
        counted: !from,
        cached: false,
        extracted: false,
        done: false,
        canceled: false,
        error: null,
        firstLine: n,
        lastLine: n,
        evidenceTaken: false,
      };
      steps.set(key, step);
    } else {
      step.lastLine = n;
      if (step.vertex === null && vertex !== null) step.vertex = vertex;
      // tty frames may cut the same instruction differently; keep the fullest text.
      const instruction = split.rest.trim();
      if (step.instructionCut && (!cut || instruction.length > step.instruction.length)) {
        step.instruction = instruction;
        step.instructionCut = cut;
      }
    }
    return step;
  }

  function markCached(step: StepState, lines: LogLine[]): void {
    step.cached = true;
    step.done = true;
    if (step.evidenceTaken || !step.counted) return;
    const platform = step.platform ?? UNLABELLED_PLATFORM;
    const taken = evidencePerPlatform.get(platform) ?? 0;
    if (taken >= L.evidenceStepsPerPlatform) return;
    if (evidence.size + lines.length > L.evidenceLines) return;
    for (const line of lines) addEvidence(line);
    step.evidenceTaken = true;
    evidencePerPlatform.set(platform, taken + 1);
  }

  function startImport(ref: string, cut: boolean, line: LogLine): number | undefined {
    let index = attempts.findIndex((a) => a.ref === ref);
    if (index < 0) {
      if (attempts.length >= L.importAttempts) return undefined;
      attempts.push({
        status: 'imported',
        ref,
        refCut: cut,
        message: null,
        firstLine: line.n,
        error: null,
        errored: false,
      });
      index = attempts.length - 1;
    }
    const highlighted = { ...line, highlight: true };
    addBounded(importLines, highlighted, L.sectionLines);
    if (attempts.length <= 2 && importLines.includes(highlighted)) addEvidence(highlighted);
    return index;
  }

  function importError(index: number | undefined, message: string | null, line: LogLine): void {
    if (index === undefined) return;
    const attempt = attempts[index];
    if (!attempt) return;
    attempt.errored = true;
    if (message !== null && message !== '') attempt.error = message;
    const highlighted = { ...line, highlight: true };
    addBounded(importLines, highlighted, L.sectionLines);
    if (importLines.includes(highlighted)) addEvidence(highlighted);
  }

  function applyFact(vertex: VertexState | null, fact: StatusFact, line: LogLine): void {
    switch (fact.kind) {
      case 'manifest-list':
        push.manifestList = fact.digest;
        return;
      case 'manifest':
        if (push.manifests.length < L.digests && !push.manifests.includes(fact.digest)) {
          push.manifests.push(fact.digest);
        }
        return;
      case 'pushed':
        if (
          push.pushed.length < L.digests &&
          !push.pushed.some((p) => p.ref === fact.ref && p.digest === fact.digest)
        ) {
          push.pushed.push({ ref: fact.ref, digest: fact.digest });
        }
        return;
      case 'cache-manifest':
        if (vertex?.kind === 'export-cache' || vertex === null) {
          exportWritten = true;
          if (fact.digest !== null) exportDigest = fact.digest;
          addBounded(exportLines, { ...line, highlight: true }, L.sectionLines);
        }
        return;
      case 'inferred-cache-type':
        if (vertex?.kind === 'import') {
          const highlighted = { ...line, highlight: true };
          addBounded(importLines, highlighted, L.sectionLines);
          if (importLines.includes(highlighted)) addEvidence(highlighted);
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

  /** A vertex name (plain header or tty `=>` line) → its state. */
  function vertexFor(name: string, number: number | null, line: LogLine, cut: boolean): VertexState {
    const step = upsertStep(name, number, cut);
    if (step) return { kind: 'step', stepKey: step.key, header: line };
    const ref = importRef(name);
    if (ref !== null) {
      const importIndex = startImport(ref, cut, line);
      return importIndex === undefined ? { kind: 'import', header: line } : { kind: 'import', importIndex, header: line };
    }
    if (isCacheExportName(name)) {
      exportAttempted = true;
      addBounded(exportLines, line, L.sectionLines);
      return { kind: 'export-cache', header: line };
    }
    return { kind: 'other', header: line };
  }

  function vertexError(vertex: VertexState, message: string, line: LogLine): void {
    if (vertex.kind === 'step' && vertex.stepKey !== undefined) {
      const step = steps.get(vertex.stepKey);
      if (step) {
        step.error = message;
        step.lastLine = line.n;
      }
    } else if (vertex.kind === 'import') {
      importError(vertex.importIndex, message, line);
    } else if (vertex.kind === 'export-cache') {
      exportError = message === '' ? (exportError ?? '') : message;
      addBounded(exportLines, { ...line, highlight: true }, L.sectionLines);
    }
  }

  function handlePlain(number: number, body: string, line: LogLine): void {
    plainLines++;
    if (number === 0) {
      const m = /^building with "([^"]+)" instance using (\S+) driver/.exec(body);
      if (m) builder = { name: m[1] ?? '', driver: m[2] ?? '' };
      return;
    }
    const known = vertices.get(number);
    // Headers: a labelled name, or the first line of a vertex we have not seen.
    const isHeader =
      body.startsWith('[') || importRef(body) !== null || isCacheExportName(body) || known === undefined;
    if (isHeader && !/^(CACHED|DONE\b|ERROR\b|CANCELED|\.\.\.)/.test(body)) {
      const state = vertexFor(body, number, line, false);
      if (known && known.kind === state.kind && known.stepKey === state.stepKey) {
        known.header = line;
      } else if (vertices.size < L.vertices || known) {
        vertices.set(number, state);
      }
      return;
    }
    const vertex = known ?? null;
    if (!vertex) return;
    if (body === 'CACHED') {
      if (vertex.kind === 'step' && vertex.stepKey !== undefined) {
        const step = steps.get(vertex.stepKey);
        if (step) {
          step.lastLine = n;
          markCached(step, [vertex.header, { ...line, highlight: true }]);
        }
      }
      return;
    }
    if (/^DONE\b/.test(body)) {
      if (vertex.kind === 'step' && vertex.stepKey !== undefined) {
        const step = steps.get(vertex.stepKey);
        if (step) {
          step.done = true;
          step.lastLine = n;
        }
      }
      return;
    }
    if (body === 'CANCELED') {
      if (vertex.kind === 'step' && vertex.stepKey !== undefined) {
        const step = steps.get(vertex.stepKey);
        if (step) step.canceled = true;
      }
      return;
    }
    const error = /^ERROR:? ?(.*)$/.exec(body);
    if (error) {
      vertexError(vertex, (error[1] ?? '').trim(), line);
      return;
    }
    // `#14 0.246 /bin/sh: npm: not found`: RUN output, never a status.
    if (/^\d+\.\d+ /.test(body)) return;
    const fact = statusFact(body);
    if (fact) applyFact(vertex, fact, line);
  }

  function handleTty(text: string, line: LogLine): boolean {
    const header = parseTtyHeader(text);
    if (header) {
      ttyLines++;
      progress = {
        seconds: header.seconds,
        completed: header.completed,
        total: header.total,
        finished: header.finished,
      };
      if (header.builder) {
        const [driver = '', name = ''] = header.builder.split(':');
        builder = { name, driver };
      }
      ttyCurrent = null;
      return true;
    }
    const tty = parseTtyLine(text);
    if (!tty) return false;
    ttyLines++;
    if (tty.output) return true;
    const plainText: LogLine = { n: line.n, text: line.text };
    if (tty.depth === 2) {
      const fact = statusFact(tty.text);
      if (fact) applyFact(ttyCurrent, fact, plainText);
      return true;
    }
    const vertex = vertexFor(tty.text, null, plainText, tty.cut);
    ttyCurrent = vertex;
    if (vertex.kind === 'step' && vertex.stepKey !== undefined) {
      const step = steps.get(vertex.stepKey);
      if (!step) return true;
      if (tty.state === 'CACHED') markCached(step, [{ ...plainText, highlight: true }]);
      else if (tty.state === 'ERROR') step.error = step.error ?? '';
      else if (tty.state === 'CANCELED') step.canceled = true;
    } else if (tty.state === 'ERROR') {
      // tty never prints the importer's message, only ERROR on the vertex.
      vertexError(vertex, '', plainText);
    }
    return true;
  }

  function handleSections(text: string, line: LogLine): boolean {
    if (text === '------') {
      if (box) {
        if (boxes.length < 4) boxes.push(box);
        closeBox(box);
        box = null;
      } else {
        box = { title: '', titleLine: line, lines: [], dropped: 0 };
      }
      return true;
    }
    if (box) {
      if (box.title === '' && /^ > .*:$/.test(text)) {
        box.title = text.slice(3, -1);
        box.titleLine = line;
      } else if (box.lines.length < L.sectionLines) {
        box.lines.push(line);
      } else {
        // Keep the first half and the latest lines: the end of RUN output has the error.
        box.lines.splice(L.sectionLines / 2, 1);
        box.lines.push(line);
        box.dropped++;
      }
      return true;
    }
    if (/^-{20}$/.test(text)) {
      if (inExcerpt) {
        inExcerpt = false;
        if (excerpt.length < L.sectionLines + 2) excerpt.push(line);
      } else if (locationCandidate && locationCandidate.logLine.n === n - 1) {
        location = locationCandidate;
        inExcerpt = true;
        excerpt.length = 0;
        excerpt.push(line);
      }
      return true;
    }
    if (inExcerpt) {
      if (excerpt.length < L.sectionLines + 1) excerpt.push(/^\s*\d+ \| >>>/.test(text) ? { ...line, highlight: true } : line);
      return true;
    }
    const loc = /^(\S+):(\d+)$/.exec(text);
    if (loc && !text.startsWith('#')) {
      locationCandidate = { file: loc[1] ?? '', line: Number(loc[2]), logLine: line };
      return false;
    }
    const error = /^ERROR: (.*)$/.exec(text);
    if (error) {
      const highlighted = { ...line, highlight: true };
      if (!finalError) finalError = { message: (error[1] ?? '').trim(), line: highlighted };
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

  function pushLine(raw: string): void {
    n++;
    const text = normalizeLine(raw);
    if (text === '') {
      locationCandidate = null;
      return;
    }
    const line: LogLine = { n, text };
    const plain = /^#(\d+) (.*)$/.exec(text);
    if (plain && !box && !inExcerpt) {
      handlePlain(Number(plain[1]), (plain[2] ?? '').trim(), line);
      return;
    }
    if (handleSections(text, line)) return;
    handleTty(text, line);
  }

  function attemptStatus(a: AttemptState): CacheImportAttempt['status'] {
    if (!a.errored) return 'imported';
    // `failed to configure registry cache importer: <ref>: not found`
    if (a.error !== null && /\bnot found\b/i.test(a.error)) return 'not-found';
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

    const perPlatform = new Map<string, PlatformSteps>();
    for (const step of stepList) {
      if (!step.counted) continue;
      const platform = step.platform ?? UNLABELLED_PLATFORM;
      const entry = perPlatform.get(platform) ?? { platform, cached: 0, total: 0 };
      entry.total++;
      if (step.cached) entry.cached++;
      perPlatform.set(platform, entry);
    }
    const platforms = [...perPlatform.values()].sort((a, b) => a.platform.localeCompare(b.platform));

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

function compareSteps(a: BuildStep, b: BuildStep): number {
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
  // Same line breaks as node:readline (parseBuildLogFile), so line numbers agree.
  const breaks = /\r\n|\n|\r/g;
  let start = 0;
  for (let m = breaks.exec(text); m !== null; m = breaks.exec(text)) {
    parser.push(text.slice(start, m.index));
    start = m.index + m[0].length;
  }
  if (start < text.length) parser.push(text.slice(start));
  return parser.result();
}

/** Streams a log file line by line; memory stays flat however big the file is. */
export async function parseBuildLogFile(path: string, options: { signal?: AbortSignal } = {}): Promise<BuildLogAnalysis> {
  const parser = createBuildLogParser();
  const stream = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity, ...(options.signal ? { signal: options.signal } : {}) });
  try {
    for await (const line of lines) parser.push(line);
  } finally {
    lines.close();
    stream.destroy();
  }
  return parser.result();
}
