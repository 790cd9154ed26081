/**
 * Docker objects one bonus run creates, all labelled `buildx-grader.run=<runId>`, so cleanup
 * removes exactly them (never anything else) even after a crash halfway.
 */
import { randomBytes } from 'node:crypto';
import { docker } from './docker-cli.ts';

export const RUN_LABEL = 'buildx-grader.run';

/** A fresh run id: lower-case, usable in container, network and volume names. */
export function newRunId(prefix = 'bonus'): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export function labelArgs(runId: string): string[] {
  return ['--label', `${RUN_LABEL}=${runId}`];
}

/** What is left with the run's label: containers, networks, volumes (names). */
export async function leftovers(runId: string): Promise<{ containers: string[]; networks: string[]; volumes: string[] }> {
  const filter = `label=${RUN_LABEL}=${runId}`;
  const lines = async (args: string[]): Promise<string[]> => {
    const r = await docker(args, { timeoutMs: 30_000 });
    return r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  };
  const [containers, networks, volumes] = await Promise.all([
    lines(['ps', '-a', '--filter', filter, '--format', '{{.Names}}']),
    lines(['network', 'ls', '--filter', filter, '--format', '{{.Name}}']),
    lines(['volume', 'ls', '--filter', filter, '--format', '{{.Name}}']),
  ]);
  return { containers, networks, volumes };
}

/**
 * Removes everything labelled with the run id: containers first (they hold the networks and
 * volumes), then networks and volumes. Not cancellable on purpose: it runs in `finally`,
 * also after an abort. Returns what could not be removed.
 */
export async function removeRun(runId: string): Promise<string[]> {
  const left = await leftovers(runId);
  const failed: string[] = [];
  const rm = async (args: string[], names: string[]): Promise<void> => {
    if (!names.length) return;
    const r = await docker([...args, ...names], { timeoutMs: 60_000 });
    if (r.exitCode !== 0) failed.push(...names);
  };
  await rm(['rm', '-f', '-v'], left.containers);
  await rm(['network', 'rm'], left.networks);
  await rm(['volume', 'rm', '-f'], left.volumes);
  if (!failed.length) return [];
  const still = await leftovers(runId);
  return [...still.containers, ...still.networks, ...still.volumes];
}
