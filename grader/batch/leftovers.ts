/**
 * Finds and removes what killed grader runs left behind: objects labelled `buildx-grader.run`,
 * builders named `buildx-grader-*` (and their BuildKit containers and state volumes), registry7
 * containers `buildx-grader-r7-*`. Never the permanent base registry (`buildx-grader-base`,
 * label buildx-grader.role=base). Per-run objects come from run-resources.ts; this adds the
 * name-prefixed ones and the "every run" scope of `grader cleanup`.
 */
import { BUILDER_PREFIX, buildxRmArgs } from '../docker/container-isolation.ts';
import { DockerCli, parseBuildxLs, parseContainerLs } from '../docker/docker.ts';
import { RUN_LABEL } from '../docker/run-resources.ts';
import { REGISTRY7_PREFIX, ROLE_LABEL } from '../registry/registry7.ts';

export const BASE_NAME = 'buildx-grader-base';
const BUILDKIT_CONTAINER_PREFIX = `buildx_buildkit_${BUILDER_PREFIX}`;

export interface Leftovers {
  builders: string[];
  containers: string[];
  networks: string[];
  volumes: string[];
}

export const isEmpty = (l: Leftovers): boolean => !l.builders.length && !l.containers.length && !l.networks.length && !l.volumes.length;

/** Undefined run = every run. A run id also matches the per-student ids derived from it (`<run>-s3`). */
export function belongsToRun(value: string | undefined, run: string | undefined): boolean {
  if (value === undefined) return false;
  return run === undefined || value === run || value.startsWith(`${run}-`);
}

/** Whether an object name is one of ours, by prefix (and of the run, when one is given). Pure. */
export function isGraderName(name: string, run?: string): boolean {
  let rest: string | undefined;
  if (name.startsWith(REGISTRY7_PREFIX)) rest = name.slice(REGISTRY7_PREFIX.length);
  else if (name.startsWith(BUILDKIT_CONTAINER_PREFIX)) rest = name.slice(BUILDKIT_CONTAINER_PREFIX.length);
  else if (name.startsWith(BUILDER_PREFIX)) rest = name.slice(BUILDER_PREFIX.length);
  // The permanent base registry (and anything named like it) is never a leftover.
  if (!rest || name === BASE_NAME || rest.startsWith('base')) return false;
  return run === undefined || rest === run || rest.startsWith(`${run}-`) || rest.startsWith(`${run}_`);
}

export async function scanLeftovers(docker: DockerCli, run?: string): Promise<Leftovers> {
  const [allContainers, labelledNetworks, allVolumes, builders] = await Promise.all([
    docker.exec(['container', 'ls', '--all', '--no-trunc', '--format', 'json']).then((r) => parseContainerLs(r.stdout)),
    docker.exec(['network', 'ls', '--no-trunc', '--format', 'json', '--filter', `label=${RUN_LABEL}`]).then((r) => networkLabels(r.stdout)),
    docker.exec(['volume', 'ls', '--format', 'json']).then((r) => volumeRows(r.stdout)),
    docker.exec(['buildx', 'ls', '--format', 'json']).then((r) => (r.exitCode === 0 ? parseBuildxLs(r.stdout).map((b) => b.name) : [])),
  ]);
  const notBase = (name: string, labels: Record<string, string>) => name !== BASE_NAME && labels[ROLE_LABEL] !== 'base';
  return {
    builders: builders.filter((b) => b.startsWith(BUILDER_PREFIX) && b !== BASE_NAME && isGraderName(b, run)),
    containers: allContainers
      .filter((c) => notBase(c.name, c.labels))
      .filter((c) => (RUN_LABEL in c.labels ? belongsToRun(c.labels[RUN_LABEL], run) : isGraderName(c.name, run)))
      .map((c) => c.name),
    networks: labelledNetworks.filter((n) => belongsToRun(n.labels[RUN_LABEL], run)).map((n) => n.name),
    volumes: allVolumes
      .filter((v) => notBase(v.name, v.labels))
      .filter((v) => (RUN_LABEL in v.labels ? belongsToRun(v.labels[RUN_LABEL], run) : isGraderName(v.name, run)))
      .map((v) => v.name),
  };
}

/** Removes the scan's objects (builders first: buildx removes their containers and volumes). Returns what stayed. */
export async function removeLeftovers(docker: DockerCli, found: Leftovers): Promise<string[]> {
  const failed: string[] = [];
  for (const b of found.builders) {
    const r = await docker.exec(buildxRmArgs(b), { timeoutMs: 120_000 });
    if (r.exitCode !== 0 && !/not found|no builder/i.test(r.stderr)) failed.push(b);
  }
  const attempt = async (names: string[], rm: (n: string[]) => Promise<void>) => {
    for (const n of names) await rm([n]).catch(() => failed.push(n));
  };
  await attempt(found.containers, (n) => docker.removeContainers(n));
  await attempt(found.networks, (n) => docker.removeNetworks(n));
  await attempt(found.volumes, (n) => docker.removeVolumes(n));
  return failed;
}

interface Labelled {
  name: string;
  labels: Record<string, string>;
}

function networkLabels(stdout: string): Labelled[] {
  return rows(stdout).map((n) => ({ name: String(n.Name), labels: labelsOf(n.Labels) }));
}

function volumeRows(stdout: string): Labelled[] {
  return rows(stdout).map((v) => ({ name: String(v.Name), labels: labelsOf(v.Labels) }));
}

function rows(stdout: string): Record<string, unknown>[] {
  return stdout.split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

function labelsOf(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of String(value ?? '').split(',')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    out[eq < 0 ? part : part.slice(0, eq)] = eq < 0 ? '' : part.slice(eq + 1);
  }
  return out;
}
