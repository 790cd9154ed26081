/**
 * Docker objects of one grader run. Everything a run creates (registry7, bonus sandboxes and
 * registry copies, helper containers) carries the label `buildx-grader.run=<runId>`, so cleanup
 * (at the end, after Ctrl-C, `grader cleanup`) removes exactly those objects and nothing else,
 * even after a crash halfway.
 */
import { InfraError } from '../errors.ts';
import { DockerCli, assertRunId } from './docker.ts';

export const RUN_LABEL = 'buildx-grader.run';

/** The labels that mark an object as the run's own. */
export const runLabels = (runId: string): Record<string, string> => ({ [RUN_LABEL]: runId });

export interface RunLeftovers {
  containers: string[];
  networks: string[];
  volumes: string[];
}

/** Cleanup must work after an abort too, so its client carries no abort signal. */
const cleanupDocker = (): DockerCli => new DockerCli({ timeoutMs: 60_000 });

/** What is left with the run's label: containers, networks, volumes (names). */
export async function leftovers(runId: string, docker: DockerCli = cleanupDocker()): Promise<RunLeftovers> {
  // An empty id would filter on the label alone and match every run's objects.
  assertRunId(runId);
  const labels = runLabels(runId);
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers(labels).then((list) => list.map((c) => c.name)),
    docker.listNetworks(labels),
    docker.listVolumes(labels),
  ]);
  return { containers, networks, volumes };
}

/**
 * Removes everything labelled with the run id: containers first (they hold the networks and
 * volumes), then networks and volumes. Give it a client without an abort signal: it runs in
 * `finally`, also after an abort. Returns what could not be removed; throws InfraError only
 * when the engine cannot even list the run's objects.
 */
export async function removeRun(runId: string, docker: DockerCli = cleanupDocker()): Promise<string[]> {
  const left = await leftovers(runId, docker);
  let failed = false;
  const remove = async (names: string[], rm: (names: string[]) => Promise<void>): Promise<void> => {
    try {
      await rm(names);
    } catch (error) {
      if (!(error instanceof InfraError)) throw error;
      failed = true;
    }
  };
  await remove(left.containers, (names) => docker.removeContainers(names));
  await remove(left.networks, (names) => docker.removeNetworks(names));
  await remove(left.volumes, (names) => docker.removeVolumes(names));
  if (!failed) return [];
  const still = await leftovers(runId, docker);
  return [...still.containers, ...still.networks, ...still.volumes];
}
