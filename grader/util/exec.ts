import { execa } from 'execa';

/** Outcome of one external command; failures are data, not exceptions. */
export interface ExecResult {
  command: string;
  args: string[];
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Killed because the caller's AbortSignal fired. */
  cancelled: boolean;
  /** Could not be started at all (e.g. binary missing). */
  spawnError?: string;
  durationMs: number;
}

export interface ExecOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  input?: string;
  env?: Record<string, string>;
  /** false: the command sees only `env`, not this process's environment (default true). */
  extendEnv?: boolean;
  cwd?: string;
  /**
   * Called for each stdout+stderr line as it arrives (build logs, progress). The output is then
   * not kept in memory: stdout/stderr of the result are empty, the caller owns the record.
   */
  onLine?: (line: string) => void;
  /** Largest stdout/stderr kept in memory; execa kills a command that exceeds it. */
  maxBuffer?: number;
  /** stdout and stderr go straight to this open file descriptor (the command never waits for us). */
  outputFd?: number;
}

/** Runs a command without a shell and never throws for a non-zero exit. */
export async function run(command: string, args: string[], options: ExecOptions = {}): Promise<ExecResult> {
  const started = performance.now();
  const child = execa(command, args, {
    reject: false,
    timeout: options.timeoutMs,
    cancelSignal: options.signal,
    input: options.input,
    env: options.env,
    extendEnv: options.extendEnv ?? true,
    cwd: options.cwd,
    maxBuffer: options.maxBuffer ?? 64 * 1024 * 1024,
    stripFinalNewline: true,
    buffer: options.onLine === undefined && options.outputFd === undefined,
    // SIGTERM first; buildx forwards it and cancels the build cleanly.
    forceKillAfterDelay: 5_000,
    stdin: options.input === undefined ? 'ignore' : 'pipe',
    // Any open fd goes straight to spawn (execa lib/stdio/native.js); its types name only 1 and 2.
    ...(options.outputFd === undefined ? {} : { stdout: options.outputFd as 1, stderr: options.outputFd as 1 }),
  });
  if (options.onLine) {
    const onLine = options.onLine;
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const parts = (rest + chunk).split('\n');
        rest = parts.pop() ?? '';
        for (const line of parts) onLine(line);
      });
      stream?.on('end', () => rest && onLine(rest));
    }
  }
  const result = await child;
  const spawnError = result.failed && result.exitCode === undefined && !result.timedOut && !result.isCanceled
    ? result.cause instanceof Error ? result.cause.message : String(result.cause)
    : undefined;
  return {
    command,
    args,
    exitCode: result.exitCode,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    timedOut: result.timedOut,
    cancelled: result.isCanceled,
    spawnError,
    durationMs: Math.round(performance.now() - started),
  };
}
