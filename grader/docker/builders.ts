/**
 * The `prune` isolation strategy (see isolation.ts); the lock that serialises its builds
 * across the process and across grader processes is in daemon-lock.ts.
 */
import type { Registry7 } from '../registry/registry7.ts';
import { acquireDaemonLock } from './daemon-lock.ts';
import { assertRunId, type DockerCli } from './docker.ts';
import type { BuilderHandle, Isolation, PrepareOptions } from './isolation.ts';

interface PruneOptions {
  docker: DockerCli;
  runId: string;
  reason: string;
  /** registry7, possibly still starting: the docker driver pushes to its loopback address. */
  registry7: Promise<Registry7> | Registry7;
  signal?: AbortSignal;
  lockPath?: string;
}

// ---------------------------------------------------------------- prune

/** argv emptying the build cache of a builder (all records, internal ones included). */
export const buildxPruneArgs = (builder: string): string[] => ['buildx', 'prune', '--builder', builder, '--all', '--force'];

/**
 * The `default` builder (docker driver, containerd store), emptied before each build.
 * The daemon's cache is shared, so builds are serialised: in-process and across processes.
 */
export function createPruneIsolation(options: PruneOptions): Isolation {
  assertRunId(options.runId);
  const { docker } = options;
  const builderName = 'default';
  return {
    kind: 'prune',
    reason: options.reason,
    // BuildKit runs inside dockerd here, which reaches the host's loopback (and allows plain HTTP there).
    registryHost: async () => (await options.registry7).host,
    close: async () => undefined,
    async prepare(prepare: PrepareOptions = {}): Promise<BuilderHandle> {
      const images = prepare.imageRefs ?? [];
      const release = await acquireDaemonLock({ lockPath: options.lockPath, signal: options.signal });
      let released = false;
      const dispose = async () => {
        if (released) return;
        released = true;
        try {
          await docker.removeImages(images);
        } finally {
          await release();
        }
      };
      try {
        await docker.removeImages(images);
        await docker.ok(buildxPruneArgs(builderName), 'wyczyścić cache budowania (docker buildx prune)', { timeoutMs: 10 * 60_000 });
      } catch (error) {
        await dispose().catch(() => undefined);
        throw error;
      }
      return { builderName, dispose };
    },
  };
}
