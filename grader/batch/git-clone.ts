/**
 * Fetches a student's repository for grading: shallow, one branch, no submodules, no hooks,
 * no credential prompts, only the usual transports. The checkout is data; nothing in it runs on the host.
 */
import { InfraError, InterruptedError } from '../errors.ts';
import { run } from '../util/exec.ts';
import { redact } from '../util/redact.ts';

export const CLONE_TIMEOUT_MS = 5 * 60_000;

/** argv of `git` for the clone (the URL comes after `--`, so it can never be read as an option). */
export function cloneArgs(url: string, dest: string): string[] {
  return [
    // Hooks could run code from a template or the repo's config; ext:: runs commands.
    '-c', 'core.hooksPath=/dev/null',
    '-c', 'protocol.ext.allow=never',
    '-c', 'core.symlinks=true',
    'clone', '--depth', '1', '--single-branch', '--no-recurse-submodules', '--quiet',
    '--', url, dest,
  ];
}

export async function cloneShallow(url: string, dest: string, o: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<void> {
  const result = await run('git', cloneArgs(url, dest), {
    timeoutMs: o.timeoutMs ?? CLONE_TIMEOUT_MS,
    signal: o.signal,
    // Never wait for a password on a terminal nobody watches.
    env: { GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true', SSH_ASKPASS: 'true', GIT_SSH_COMMAND: 'ssh -o BatchMode=yes' },
  });
  if (result.cancelled) throw new InterruptedError('Przerwano pobieranie repozytorium.');
  if (result.spawnError) throw new InfraError(`Nie można uruchomić git: ${result.spawnError}. Zainstaluj git.`);
  if (result.timedOut) throw new InfraError(`git clone ${redact(url)}: przekroczono limit czasu (${Math.round((o.timeoutMs ?? CLONE_TIMEOUT_MS) / 1000)} s).`);
  if (result.exitCode !== 0) {
    const why = result.stderr.split('\n').map((l) => l.trim()).filter(Boolean).slice(-3).join(' | ').slice(0, 500);
    throw new InfraError(`git clone ${redact(url)} nie powiodło się (kod ${result.exitCode ?? '?'}): ${redact(why)}`);
  }
}
