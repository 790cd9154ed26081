/**
 * Runs one reproduction of the student's build: exactly the lab's command shape, pushed
 * to registry7 with registry cache export and import. Student code runs only inside
 * BuildKit; on the host we only start the buildx client (argv, no shell).
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import { createRawJsonParser, finishAnalysis, type RawJsonResult } from '../build-log/rawjson.ts';
import { run, type ExecResult } from '../util/exec.ts';
import { redact } from '../util/redact.ts';
import { tailFile } from './file-tail.ts';
import { LogCap } from './log-cap.ts';

export const DEFAULT_BUILD_TIMEOUT_MS = 20 * 60_000;
export const DEFAULT_LOG_CAP_BYTES = 20 * 1024 * 1024;
export const LAB_PLATFORMS = ['linux/amd64', 'linux/arm64'];

export interface BuildSpec {
  /** `--builder` name from the isolation's BuilderHandle. */
  builder: string;
  contextDir: string;
  dockerfile: string;
  buildArgs?: Record<string, string>;
  platforms?: string[];
  imageRef: string;
  cacheRef: string;
  metadataPath: string;
}

export interface RunBuildOptions {
  /** The command after `docker`: labBuild(spec) for the lab's own, studentBuildArgv for the student's. */
  args: string[];
  /** The `--metadata-file` in args; the raw log is kept beside it. */
  metadataPath: string;
  logPath: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Each rendered log line as it arrives (also written to logPath, subject to the cap). */
  onLine?: (line: string) => void;
  /** Log size cap in bytes; past it the head, the tail and the middle's status lines are kept. */
  maxLogBytes?: number;
  /** Client binary (default `docker`). */
  dockerBinary?: string;
}

export interface BuildMetadata {
  /** containerimage.digest: digest of the pushed image index. */
  imageDigest?: string;
  /** buildx.build.ref: builder/node/build id. */
  buildRef?: string;
}

export interface BuildOutcome {
  argv: string[];
  /** null when the process was killed or did not start. */
  exitCode: number | null;
  timedOut: boolean;
  cancelled: boolean;
  /** The client could not be started at all. */
  spawnError?: string;
  /** Stopped because it printed more than RAW_LOG_LIMIT_BYTES. */
  logOverflow?: boolean;
  durationMs: number;
  logPath: string;
  /** Lines left out of the log file because of the size cap. */
  droppedLines: number;
  metadata: BuildMetadata;
}

export interface BuildRun extends BuildOutcome {
  /**
   * What BuildKit reported in its structured progress (rawjson), line numbers pointing into
   * logPath. Verdicts come from here, never from the text in logPath, which quotes RUN output.
   */
  progress: RawJsonResult;
}

/** The lab's build command as argv (after `docker`). */
export function buildArgv(spec: BuildSpec): string[] {
  const platforms = spec.platforms ?? LAB_PLATFORMS;
  return [
    'buildx', 'build',
    '--builder', spec.builder,
    // One JSON SolveStatus per line: RUN output arrives base64-encoded in `logs` and can never
    // pass for BuildKit's own status, as it can in the plain text (see build-log/rawjson.ts).
    '--progress=rawjson',
    '--platform', platforms.join(','),
    '-f', spec.dockerfile,
    // Sorted so the argv (shown in the report) does not depend on object order.
    ...Object.entries(spec.buildArgs ?? {}).sort(([a], [b]) => a.localeCompare(b)).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
    '-t', spec.imageRef,
    '--push',
    '--cache-to', `type=registry,ref=${spec.cacheRef},mode=max`,
    '--cache-from', `type=registry,ref=${spec.cacheRef}`,
    '--metadata-file', spec.metadataPath,
    spec.contextDir,
  ];
}

/** The lab's build command as runBuild options. */
export function labBuild(spec: BuildSpec): Pick<RunBuildOptions, 'args' | 'metadataPath'> {
  return { args: buildArgv(spec), metadataPath: spec.metadataPath };
}

/** Past this much raw output a build is stopped: a runaway RUN must not fill the disk. */
export const RAW_LOG_LIMIT_BYTES = 1024 * 1024 * 1024;

/**
 * Runs the build, follows its rawjson progress, writes it rendered as plain text into a capped
 * file, never throws for a failed build.
 */
export async function runBuild(options: RunBuildOptions): Promise<BuildRun> {
  const binary = options.dockerBinary ?? 'docker';
  const args = options.args;
  const log = createCappedLog(options.logPath, options.maxLogBytes ?? DEFAULT_LOG_CAP_BYTES);
  const parser = createRawJsonParser();
  // buildx writes to a raw file next to the metadata (the run's temp dir), never waiting for us;
  // we follow that file through the parser into the capped log (see file-tail.ts for why not a
  // pipe). The raw file is bounded by RAW_LOG_LIMIT_BYTES and removed afterwards.
  const rawPath = `${options.metadataPath}.raw.log`;
  const raw = await open(rawPath, 'a');
  const overflow = new AbortController();
  let result: ExecResult;
  try {
    const tail = await tailFile(rawPath, (line) => {
      for (const text of parser.push(line)) {
        log.write(text);
        options.onLine?.(text);
      }
    }, { limitBytes: RAW_LOG_LIMIT_BYTES, onLimit: () => overflow.abort(), onRead: () => log.flush() });
    try {
      result = await run(binary, args, {
        timeoutMs: options.timeoutMs ?? DEFAULT_BUILD_TIMEOUT_MS,
        signal: options.signal ? AbortSignal.any([options.signal, overflow.signal]) : overflow.signal,
        outputFd: raw.fd,
      });
    } finally {
      await tail.stop();
    }
    // A last output line cut off mid-stream is still output: write it before the log closes.
    for (const text of parser.end()) {
      log.write(text);
      options.onLine?.(text);
    }
  } finally {
    await raw.close();
    await rm(rawPath, { force: true });
  }
  const logOverflow = overflow.signal.aborted && !options.signal?.aborted;
  if (result.timedOut) log.write(`[buildx-grader] przekroczono limit czasu budowania (${Math.round((options.timeoutMs ?? DEFAULT_BUILD_TIMEOUT_MS) / 1000)} s): przerwano`);
  else if (logOverflow) log.write(`[buildx-grader] budowanie wypisało ponad ${RAW_LOG_LIMIT_BYTES / 1024 / 1024 / 1024} GiB logu: przerwano`);
  else if (result.cancelled) log.write('[buildx-grader] budowanie przerwane przez użytkownika');
  else if (result.spawnError) log.write(`[buildx-grader] nie można uruchomić ${binary}: ${result.spawnError}`);
  const droppedLines = await log.close();
  const progress = parser.result();
  // The file holds the lines redacted and, past the cap, without its middle: the cited lines must match it.
  const capped = droppedLines > 0
    ? { headLines: log.headLines, rest: (await readFile(options.logPath, 'utf8')).split('\n').slice(log.headLines + 1) }
    : null;
  return {
    argv: [binary, ...args],
    exitCode: result.timedOut || result.cancelled ? null : (result.exitCode ?? null),
    timedOut: result.timedOut,
    cancelled: result.cancelled && !logOverflow,
    ...(logOverflow ? { logOverflow: true } : {}),
    spawnError: result.spawnError,
    durationMs: result.durationMs,
    logPath: options.logPath,
    droppedLines,
    metadata: await readMetadata(options.metadataPath),
    progress: { ...progress, analysis: finishAnalysis(progress.analysis, redact, capped) },
  };
}

async function readMetadata(metadataPath: string): Promise<BuildMetadata> {
  try {
    return parseBuildMetadata(await readFile(metadataPath, 'utf8'));
  } catch {
    return {}; // no file: the build failed before writing it
  }
}

/** Reads the fields we need from `--metadata-file` JSON. */
export function parseBuildMetadata(text: string): BuildMetadata {
  const data = JSON.parse(text) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  return { imageDigest: str(data['containerimage.digest']), buildRef: str(data['buildx.build.ref']) };
}

export interface CappedLog {
  write(line: string): void;
  /** Lines written to the head of the file so far: they keep their numbers whatever the cap cuts later. */
  readonly headLines: number;
  /** Writes out what write() has gathered, so the file follows the build as it runs. */
  flush(): void;
  /** Flushes, with the marker line if anything was cut; returns the dropped line count. */
  close(): Promise<number>;
}

/** The log file behind a LogCap (see log-cap.ts): head, marker, middle status lines, tail. */
export function createCappedLog(filePath: string, maxBytes: number): CappedLog {
  const stream = createWriteStream(filePath, { encoding: 'utf8' });
  const cap = new LogCap(maxBytes);
  let failed: Error | undefined;
  stream.on('error', (error) => (failed = error));
  // One file write per 64 KiB or per read of the raw log (flush), not one per line: a flooding
  // build prints a million lines.
  let pending: string[] = [];
  let pendingLength = 0;
  let headLines = 0;
  const flush = () => {
    if (pending.length > 0) stream.write(pending.join(''));
    pending = [];
    pendingLength = 0;
  };
  return {
    write(line) {
      // RUN output is the student's: a token it prints must not reach the kept log.
      const text = cap.add(redact(line));
      if (!text) return;
      headLines++;
      pending.push(text);
      pendingLength += text.length;
      if (pendingLength >= 64 * 1024) flush();
    },
    flush,
    get headLines() {
      return headLines;
    },
    async close() {
      flush();
      const end = cap.end();
      stream.end(end.text);
      if (!stream.closed) await once(stream, 'close');
      if (failed) throw failed;
      return end.droppedLines;
    },
  };
}
