/**
 * The two isolation strategies (see isolation.ts) and the lock that serialises
 * builds on the docker driver across the process and across grader processes.
 */
import { open, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InfraError, InterruptedError } from '../errors.ts';
import { makeTempDir } from '../util/temp-dir.ts';
import { assertRunId, compareVersions, type DockerCli } from './docker.ts';
import type { BuilderHandle, Isolation, PrepareOptions } from './isolation.ts';
import { processAlive } from '../util/process-alive.ts';

/** Image buildx runs for docker-container builders by default. */
export const BUILDKIT_IMAGE = 'moby/buildkit:buildx-stable-1';
export const BUILDER_PREFIX = 'buildx-grader-';
export const DEFAULT_LOCK_PATH = path.join(tmpdir(), 'buildx-grader-docker-driver.lock');

interface StrategyOptions {
  docker: DockerCli;
  runId: string;
  reason: string;
  /** May still be pending (registry7 starting) when the strategy is chosen; read on prepare(). */
  insecureRegistries: string[] | Promise<string[]>;
  signal?: AbortSignal;
  lockPath?: string;
}

// ---------------------------------------------------------------- container

/** buildkitd.toml letting BuildKit push to and pull from loopback registries over HTTP. */
export function buildkitdConfig(insecureRegistries: string[]): string {
  // https://docs.docker.com/build/buildkit/toml-configuration/ ([registry."host"] http/insecure)
  return [...new Set(insecureRegistries)]
    .map((host) => `[registry.${JSON.stringify(host)}]\n  http = true\n  insecure = true\n`)
    .join('\n');
}

/** argv of `docker buildx create` for one throw-away docker-container builder. */
export function buildxCreateArgs(options: { name: string; configPath: string; image?: string; buildxVersion?: string }): string[] {
  // buildx 0.13 renamed --config to --buildkitd-config (the old name still works but is hidden/deprecated).
  const configFlag = options.buildxVersion && compareVersions(options.buildxVersion, '0.13.0') < 0 ? '--config' : '--buildkitd-config';
  return [
    'buildx', 'create',
    '--name', options.name,
    '--driver', 'docker-container',
    // Host network: 127.0.0.1 inside BuildKit is the host's loopback, where registry7 listens.
    '--driver-opt', 'network=host',
    '--driver-opt', `image=${options.image ?? BUILDKIT_IMAGE}`,
    configFlag, options.configPath,
    '--bootstrap',
  ];
}

/** argv removing a builder with its container and state volume (no --keep-state/--keep-daemon). */
export const buildxRmArgs = (name: string): string[] => ['buildx', 'rm', '--force', name];

/** A fresh docker-container builder per build, removed with its state afterwards. */
export function createContainerIsolation(options: StrategyOptions & { image?: string }): Isolation {
  assertRunId(options.runId);
  const { docker } = options;
  let n = 0;
  return {
    kind: 'container',
    reason: options.reason,
    async prepare(): Promise<BuilderHandle> {
      const name = `${BUILDER_PREFIX}${options.runId}-${++n}`;
      const dir = await makeTempDir('bk-', options.runId);
      const configPath = path.join(dir, 'buildkitd.toml');
      let disposed = false;
      const dispose = async () => {
        if (disposed) return;
        disposed = true;
        try {
          const result = await docker.exec(buildxRmArgs(name), { timeoutMs: 120_000 });
          // `buildx rm` of a half-created builder may fail; remove what the driver names after it.
          // Names: buildx_buildkit_<builder><node index>, its state volume with suffix _state.
          if (result.exitCode !== 0) {
            await docker.removeContainers([`buildx_buildkit_${name}0`]);
            await docker.removeVolumes([`buildx_buildkit_${name}0_state`]);
          }
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      };
      try {
        await writeFile(configPath, buildkitdConfig(await options.insecureRegistries));
        const buildx = await docker.buildxVersion();
        await docker.ok(
          buildxCreateArgs({ name, configPath, image: options.image, buildxVersion: buildx.version }),
          `utworzyć buildera ${name} (docker-container)`,
          { timeoutMs: 5 * 60_000 },
        );
      } catch (error) {
        await dispose().catch(() => undefined);
        throw error;
      }
      return { builderName: name, dispose };
    },
  };
}

// ---------------------------------------------------------------- prune

/** argv emptying the build cache of a builder (all records, internal ones included). */
export const buildxPruneArgs = (builder: string): string[] => ['buildx', 'prune', '--builder', builder, '--all', '--force'];

/**
 * The `default` builder (docker driver, containerd store), emptied before each build.
 * The daemon's cache is shared, so builds are serialised: in-process and across processes.
 */
export function createPruneIsolation(options: StrategyOptions): Isolation {
  assertRunId(options.runId);
  const { docker } = options;
  const builderName = 'default';
  return {
    kind: 'prune',
    reason: options.reason,
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

// ---------------------------------------------------------------- lock

// The only module-level state: the in-process queue of prune builds.
let queueTail: Promise<void> = Promise.resolve();

export interface DaemonLockOptions {
  lockPath?: string;
  signal?: AbortSignal;
  /** Give up after this long (default: wait as long as it takes, until aborted). */
  maxWaitMs?: number;
  pollMs?: number;
}

/**
 * Takes the in-process mutex, then an exclusive lock file holding our pid
 * (`open(path, 'wx')`); a lock whose pid is dead is stale and removed.
 * Returns the release function.
 */
export async function acquireDaemonLock(options: DaemonLockOptions = {}): Promise<() => Promise<void>> {
  const lockPath = options.lockPath ?? DEFAULT_LOCK_PATH;
  let releaseQueue!: () => void;
  const mine = new Promise<void>((resolve) => (releaseQueue = resolve));
  const previous = queueTail;
  queueTail = previous.then(() => mine);
  try {
    await abortable(previous, options.signal);
    await acquireLockFile(lockPath, options);
  } catch (error) {
    releaseQueue();
    throw error;
  }
  return async () => {
    try {
      await releaseLockFile(lockPath);
    } finally {
      releaseQueue();
    }
  };
}

async function acquireLockFile(lockPath: string, options: DaemonLockOptions): Promise<void> {
  const started = Date.now();
  const token = `${process.pid}\n`;
  for (;;) {
    if (options.signal?.aborted) throw new InterruptedError('Przerwano oczekiwanie na dostęp do silnika Dockera.');
    try {
      const handle = await open(lockPath, 'wx', 0o644);
      try {
        await handle.writeFile(token);
      } finally {
        await handle.close();
      }
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new InfraError(`Nie można utworzyć blokady ${lockPath}: ${(error as Error).message}`, { cause: error });
      }
    }
    if (await isStale(lockPath)) {
      // Two waiters may both see a stale lock; unlink is idempotent and the 'wx' open decides the winner.
      await unlink(lockPath).catch(() => undefined);
      continue;
    }
    if (options.maxWaitMs !== undefined && Date.now() - started > options.maxWaitMs) {
      throw new InfraError(`Silnik Dockera jest zajęty przez inny proces oceniania (blokada ${lockPath}); spróbuj później.`);
    }
    await sleep(options.pollMs ?? 500, undefined, { signal: options.signal }).catch(() => undefined);
  }
}

async function isStale(lockPath: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(lockPath, 'utf8');
  } catch {
    return false; // gone already: the next open will tell
  }
  const pid = Number.parseInt(text, 10);
  if (!Number.isInteger(pid) || pid <= 0) {
    // Empty: the owner is between open and write; stale only if it stays empty.
    const info = await stat(lockPath).catch(() => undefined);
    return info !== undefined && Date.now() - info.mtimeMs > 10_000;
  }
  return !processAlive(pid);
}


async function releaseLockFile(lockPath: string): Promise<void> {
  const text = await readFile(lockPath, 'utf8').catch(() => '');
  if (Number.parseInt(text, 10) === process.pid) await unlink(lockPath).catch(() => undefined);
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new InterruptedError('Przerwano oczekiwanie na dostęp do silnika Dockera.'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new InterruptedError('Przerwano oczekiwanie na dostęp do silnika Dockera.'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e); },
    );
  });
}
