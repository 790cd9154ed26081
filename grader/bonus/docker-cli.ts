/** The few docker CLI calls the bonus needs, through the one exec wrapper; failures become InfraError. */
import { InfraError, InterruptedError } from '../errors.ts';
import { run, type ExecResult } from '../util/exec.ts';
import { redact } from '../util/redact.ts';

export interface DockerCallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Runs `docker ...`; never throws (the caller reads exitCode). */
export function docker(args: string[], options: DockerCallOptions = {}): Promise<ExecResult> {
  return run('docker', args, { timeoutMs: options.timeoutMs ?? 120_000, signal: options.signal });
}

/** Runs `docker ...` and returns trimmed stdout; throws InfraError (or InterruptedError) when it fails. */
export async function dockerOk(args: string[], options: DockerCallOptions = {}): Promise<string> {
  const r = await docker(args, options);
  if (r.cancelled) throw new InterruptedError(`docker ${args[0] ?? ''} przerwane`);
  if (r.exitCode !== 0) {
    const why = r.spawnError ?? (r.timedOut ? 'przekroczony czas' : redact(r.stderr.trim().split('\n').slice(-3).join(' ')));
    throw new InfraError(`Polecenie docker ${args.slice(0, 2).join(' ')} nie powiodło się: ${why}`);
  }
  return r.stdout.trim();
}
