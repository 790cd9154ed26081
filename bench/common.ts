/** Shared helpers of the benchmarks: result rows, timing, child processes, flags. */
import { spawn } from 'node:child_process';
import { access, mkdir, mkdtemp } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root (bench/..). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * A new temporary directory for benchmark files, under bench/.work/ (git-ignored;
 * BENCH_TMPDIR overrides). Not under /tmp or /var/tmp: on this shared machine both have
 * been emptied by other work in the middle of a run.
 */
export async function benchTempDir(prefix: string): Promise<string> {
  const base = process.env.BENCH_TMPDIR ?? join(ROOT, 'bench/.work');
  await mkdir(base, { recursive: true });
  return mkdtemp(join(base, prefix));
}

/** One line of the summary table. `pass: null`: skipped, or measured without a pass/fail target. */
export interface Figure {
  figure: string;
  measured: string;
  target: string;
  pass: boolean | null;
  /** Extra lines printed under the table: where the time goes, why a figure was skipped. */
  notes: string[];
}

/** A figure that could not be measured, with the reason in `measured`. */
export function skipped(figure: string, target: string, reason: string, notes: string[] = []): Figure {
  return { figure, measured: `skipped: ${reason}`, target, pass: null, notes };
}

/** True when the module is the process's entry script (run directly, not imported by run.ts). */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(entry).href === moduleUrl;
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export interface ChildResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** ms from spawn until `marker` first appeared on stderr (undefined when it never did). */
  markerMs?: number;
  /** stderr lines with the ms since spawn at which each arrived (first 2000 lines). */
  stderrLines: Array<{ ms: number; text: string }>;
}

/**
 * Runs a command and waits for it, keeping its output (bounded: the tail is kept).
 * Output is echoed to our stderr when `echo` is set, so long runs show progress.
 */
export function runChild(
  command: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; echo?: boolean; timeoutMs?: number; marker?: string } = {},
): Promise<ChildResult> {
  const started = performance.now();
  const max = 4 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd ?? ROOT,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let markerMs: number | undefined;
    const stderrLines: ChildResult['stderrLines'] = [];
    let partial = '';
    const keep = (acc: string, chunk: string): string => {
      const next = acc + chunk;
      return next.length > max ? next.slice(next.length - max) : next;
    };
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout = keep(stdout, c);
      if (opts.echo) process.stderr.write(c);
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr = keep(stderr, c);
      const at = performance.now() - started;
      if (markerMs === undefined && opts.marker !== undefined && stderr.includes(opts.marker)) markerMs = at;
      const parts = (partial + c).split('\n');
      partial = parts.pop() ?? '';
      for (const text of parts) if (stderrLines.length < 2000) stderrLines.push({ ms: at, text });
      if (opts.echo) process.stderr.write(c);
    });
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            child.kill('SIGTERM');
          }, opts.timeoutMs);
    child.on('error', (error) => {
      if (timer) clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ exitCode: code, stdout, stderr, ms: performance.now() - started, stderrLines, ...(markerMs === undefined ? {} : { markerMs }) });
    });
  });
}

/** Shared lock of hand-run Docker work on this machine (others prune the build cache). */
export const DOCKER_LOCK = '/tmp/bg-docker.lock';
const LOCKED_MARKER = 'BENCH_LOCK_ACQUIRED';

/** Time this process spent waiting for DOCKER_LOCK (other people's Docker work), ms. */
export const lockWait = { ms: 0 };

/**
 * Runs a command under `flock DOCKER_LOCK` and times it from the moment the lock is held,
 * so waiting for other people's Docker work is not counted.
 */
export async function runLocked(command: string, args: string[], opts: { env?: NodeJS.ProcessEnv; echo?: boolean } = {}): Promise<ChildResult & { lockedMs: number }> {
  const script = `echo ${LOCKED_MARKER} >&2; exec "$@"`;
  const result = await runChild('flock', [DOCKER_LOCK, 'bash', '-c', script, 'bench', command, ...args], { ...opts, marker: LOCKED_MARKER });
  const locked = result.markerMs ?? 0;
  lockWait.ms += locked;
  return {
    ...result,
    stderr: result.stderr.replace(`${LOCKED_MARKER}\n`, ''),
    // Line times from the moment the lock was held, like lockedMs.
    stderrLines: result.stderrLines.filter((l) => l.text !== LOCKED_MARKER).map((l) => ({ ms: l.ms - locked, text: l.text })),
    lockedMs: result.ms - locked,
  };
}

/** `node --import tsx <script> ...args`: runs one of our .ts files in a fresh process. */
export function tsxArgs(script: string, args: string[] = []): string[] {
  return ['--import', 'tsx', script, ...args];
}

/** Reads an integer flag such as `--runs 2` or `--runs=2` from argv. */
export function intFlag(argv: string[], name: string, fallback: number): number {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    let value: string | undefined;
    if (arg === `--${name}`) value = argv[i + 1];
    else if (arg.startsWith(`--${name}=`)) value = arg.slice(name.length + 3);
    if (value === undefined) continue;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: expected a positive integer, got "${value}"`);
    return n;
  }
  return fallback;
}

/** True when the grader's sub-command is registered in grader/cli/commands.ts. */
export async function hasGraderCommand(name: string): Promise<boolean> {
  try {
    const { COMMANDS } = (await import('../grader/cli/commands.ts')) as { COMMANDS: Record<string, unknown> };
    return Object.hasOwn(COMMANDS, name);
  } catch {
    return false;
  }
}

/** The summary table in Markdown: figure | measured | target | pass/fail. */
export function formatTable(figures: Figure[]): string {
  const verdict = (f: Figure): string => {
    if (f.pass === null) return f.measured.startsWith('skipped') ? 'skipped' : 'n/a';
    return f.pass ? 'pass' : 'FAIL';
  };
  const rows = figures.map((f) => [f.figure, f.measured, f.target, verdict(f)]);
  const header = ['figure', 'measured', 'target', 'pass/fail'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** Prints one figure (used when a bench file runs on its own). */
export function printFigures(figures: Figure[]): void {
  console.log(formatTable(figures));
  for (const f of figures) for (const note of f.notes) console.log(`- ${f.figure}: ${note}`);
}
