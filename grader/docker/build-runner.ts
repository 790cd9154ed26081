/**
 * Runs one reproduction of the student's build: exactly the lab's command shape, pushed
 * to registry7 with registry cache export and import. Student code runs only inside
 * BuildKit; on the host we only start the buildx client (argv, no shell).
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { run } from '../util/exec.ts';

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

export interface RunBuildOptions extends BuildSpec {
  logPath: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Each output line as it arrives (also written to logPath, subject to the cap). */
  onLine?: (line: string) => void;
  /** Log size cap in bytes; past it only the lines that matter are written. */
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
  durationMs: number;
  logPath: string;
  /** Lines left out of the log file because of the size cap. */
  droppedLines: number;
  metadata: BuildMetadata;
}

/** The lab's build command as argv (after `docker`). */
export function buildArgv(spec: BuildSpec): string[] {
  const platforms = spec.platforms ?? LAB_PLATFORMS;
  return [
    'buildx', 'build',
    '--builder', spec.builder,
    '--progress=plain',
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

/** Runs the build, streams its log to a capped file, never throws for a failed build. */
export async function runBuild(options: RunBuildOptions): Promise<BuildOutcome> {
  const binary = options.dockerBinary ?? 'docker';
  const args = buildArgv(options);
  const log = createCappedLog(options.logPath, options.maxLogBytes ?? DEFAULT_LOG_CAP_BYTES);
  const result = await run(binary, args, {
    timeoutMs: options.timeoutMs ?? DEFAULT_BUILD_TIMEOUT_MS,
    signal: options.signal,
    // With onLine the output is streamed to the capped log file, never buffered in memory.
    onLine: (line) => {
      log.write(line);
      options.onLine?.(line);
    },
  });
  if (result.timedOut) log.write(`[buildx-grader] przekroczono limit czasu budowania (${Math.round((options.timeoutMs ?? DEFAULT_BUILD_TIMEOUT_MS) / 1000)} s): przerwano`);
  else if (result.cancelled) log.write('[buildx-grader] budowanie przerwane przez użytkownika');
  else if (result.spawnError) log.write(`[buildx-grader] nie można uruchomić ${binary}: ${result.spawnError}`);
  const droppedLines = await log.close();
  return {
    argv: [binary, ...args],
    exitCode: result.timedOut || result.cancelled ? null : (result.exitCode ?? null),
    timedOut: result.timedOut,
    cancelled: result.cancelled,
    spawnError: result.spawnError,
    durationMs: result.durationMs,
    logPath: options.logPath,
    droppedLines,
    metadata: await readMetadata(options.metadataPath),
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

// Lines kept after the cap: they are the evidence the checks read (see grader/docker/build-log*.ts).
const KEY_LINE = new RegExp([
  String.raw`^#\d+ \[`, // step headers: "#7 [linux/arm64 build 2/3] RUN ..."
  String.raw`\bCACHED\b`,
  'importing cache manifest',
  'exporting cache',
  'writing cache manifest',
  'preparing build cache for export',
  'failed to configure registry cache importer',
  String.raw`\bERROR\b`,
  String.raw`^error:`,
  'pushing manifest',
  'pushing layers',
  'exporting manifest list',
  'naming to',
  String.raw`^#\d+ DONE\b`,
].join('|'));

/** A log line that must survive the size cap. */
export function isKeyLogLine(line: string): boolean {
  return KEY_LINE.test(line);
}

export interface CappedLog {
  write(line: string): void;
  /** Flushes, writes the one marker line if anything was dropped; returns the dropped line count. */
  close(): Promise<number>;
}

/** A line-oriented log file: the head up to maxBytes, then only key lines, plus one marker line. */
export function createCappedLog(filePath: string, maxBytes: number): CappedLog {
  const stream = createWriteStream(filePath, { encoding: 'utf8' });
  let bytes = 0;
  let lines = 0;
  let firstDroppedAt = 0;
  let droppedLines = 0;
  let droppedBytes = 0;
  let failed: Error | undefined;
  stream.on('error', (error) => (failed = error));
  return {
    write(line) {
      const size = Buffer.byteLength(line) + 1;
      if (bytes + size > maxBytes && !isKeyLogLine(line)) {
        if (droppedLines === 0) firstDroppedAt = lines + 1;
        droppedLines++;
        droppedBytes += size;
        return;
      }
      bytes += size;
      lines++;
      stream.write(line + '\n');
    },
    async close() {
      if (droppedLines > 0) {
        stream.write(
          `[buildx-grader] log przycięty do ${formatMiB(maxBytes)}: od linii ${firstDroppedAt} zapisywano tylko ważne linie ` +
          `(kroki, CACHED, cache, ERROR, push); pominięto ${droppedLines} linii (${formatMiB(droppedBytes)})\n`,
        );
      }
      stream.end();
      if (!stream.closed) await once(stream, 'close');
      if (failed) throw failed;
      return droppedLines;
    },
  };
}

function formatMiB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1).replace('.', ',')} MB`;
}
