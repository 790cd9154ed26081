// Runs a command line as a user would, output piped and kept: the grader's CLI from the repo root
// through tsx, or any other binary (an installed package). Killed with SIGKILL past killAfterMs.
import { spawn, type ChildProcess } from 'node:child_process';
import { withTestIsolation } from './stack.ts';

export const ROOT = new URL('../..', import.meta.url).pathname;

export interface CliOutput {
  stdout: string;
  stderr: string;
}

export interface CliRun extends CliOutput {
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
  pid: number;
}

export interface CliOptions {
  cwd?: string;
  /** The whole environment of the child (default: this process's). */
  env?: NodeJS.ProcessEnv;
  killAfterMs?: number;
  /** Called once the child runs; `out` fills as it prints (a test may signal the child). */
  onStart?: (child: ChildProcess, out: CliOutput) => void;
}

export interface StartedCli {
  child: ChildProcess;
  out: CliOutput;
  done: Promise<CliRun>;
}

export function startCli(command: string, args: string[], options: CliOptions = {}): StartedCli {
  const started = Date.now();
  const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: CliOutput = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out.stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (out.stderr += s));
  options.onStart?.(child, out);
  const done = new Promise<CliRun>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 240_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ...out, ms: Date.now() - started, pid: child.pid ?? 0 });
    });
  });
  return { child, out, done };
}

/** `grader ARGS` through tsx, with the test stack's isolation (see withTestIsolation). */
export function startGrader(args: string[], options: CliOptions = {}): StartedCli {
  return startCli(process.execPath, ['--import', 'tsx', 'grader/cli/main.ts', ...withTestIsolation(args)], options);
}

export const grader = (args: string[], options: CliOptions = {}): Promise<CliRun> => startGrader(args, options).done;

export const describeRun = (r: CliRun): string =>
  `exit ${r.code}${r.signal ? ` (${r.signal})` : ''} after ${r.ms} ms\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`;
