/**
 * The grader's own registry7: a `registry:2` container with delete enabled on a free
 * loopback port chosen by Docker, with its own named volume, removed at the end.
 * Or (`--registry HOST:PORT`) an existing registry the grader neither starts nor stops.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DockerCli, assertRunId } from '../docker/docker.ts';
import { RUN_LABEL } from '../docker/run-resources.ts';
import { ensureRuntimeImage, runtimeImage } from '../docker/runtime-images.ts';
import { InfraError, InterruptedError } from '../errors.ts';
import { fetchWithin } from '../util/fetch-within.ts';

export const REGISTRY7_PREFIX = 'buildx-grader-r7-';
export const ROLE_LABEL = 'buildx-grader.role';
/** Paths inside the registry:2 image. */
export const REGISTRY_CONFIG = '/etc/docker/registry/config.yml';
export const REGISTRY_STORAGE = '/var/lib/registry';

/** Arguments of `registry garbage-collect` (after the image; its entrypoint adds `registry`). */
export const garbageCollectArgs = (deleteUntagged: boolean): string[] =>
  ['garbage-collect', ...(deleteUntagged ? ['--delete-untagged'] : []), REGISTRY_CONFIG];

export interface GcOutput {
  deleteUntagged: boolean;
  argv: string[];
  exitCode: number | null;
  durationMs: number;
  /** stdout + stderr of `registry garbage-collect` (parse with grader/bonus/gc-summary.ts). */
  output: string;
}

export interface Registry7 {
  /** host:port for image refs and the HTTP API, e.g. 127.0.0.1:32768. */
  host: string;
  /** The grader started it (and will remove it). */
  managed: boolean;
  containerName?: string;
  volume?: string;
  /** Bytes under /var/lib/registry (`du -sk`), managed registries only. */
  storageBytes(): Promise<number>;
  /** Offline GC: stops the registry, collects on its volume, starts it again on the same port. */
  garbageCollect(options?: { deleteUntagged?: boolean }): Promise<GcOutput>;
  /** Removes the container and its volume (managed); no-op for an existing registry. */
  stop(): Promise<void>;
}

export interface StartRegistry7Options {
  docker: DockerCli;
  runId: string;
  /** Image to run (default `registry:2`). */
  image?: string;
  /** How long to wait for /v2/ to answer. */
  readyTimeoutMs?: number;
  signal?: AbortSignal;
  fetch?: typeof fetch;
  /** Progress of pulling registry:2 when it is missing. */
  onProgress?: (line: string) => void;
}

/** Starts a fresh registry7 for this run; on failure removes whatever it created. */
export async function startRegistry7(options: StartRegistry7Options): Promise<Registry7> {
  assertRunId(options.runId);
  const { docker } = options;
  const image = runtimeImage('registry', options.image);
  const name = `${REGISTRY7_PREFIX}${options.runId}`;
  const volume = name;
  const labels = { [RUN_LABEL]: options.runId, [ROLE_LABEL]: 'registry7' };
  const containerSpec = (publish: string) => ({
    name, image, labels, detach: true as const,
    env: { REGISTRY_STORAGE_DELETE_ENABLED: 'true' },
    // Loopback only; never a fixed 5000 (the student's own registry7 may hold it).
    publish: [publish],
    volumes: [`${volume}:${REGISTRY_STORAGE}`],
  });
  // Everything is named after the run id, so cleanup touches only what this run made.
  const cleanup = async () => {
    await docker.removeContainers([name, `${name}-gc`]);
    await docker.removeVolumes([volume]);
  };

  let host: string;
  try {
    await ensureRuntimeImage(docker, 'registry', image, { signal: options.signal, onProgress: options.onProgress });
    await docker.createVolume(volume, labels);
    await docker.runContainer(containerSpec('127.0.0.1::5000'));
    const bound = await docker.containerPort(name, '5000/tcp');
    if (bound.port === 5000) throw new InfraError('Docker przydzielił registry7 port 5000, zarezerwowany dla studenta.');
    host = `127.0.0.1:${bound.port}`;
    await waitForRegistry(host, options);
  } catch (error) {
    await cleanup().catch(() => undefined);
    throw error;
  }

  const registry: Registry7 = {
    host,
    managed: true,
    containerName: name,
    volume,
    async storageBytes() {
      return parseDuBytes(await docker.execInContainer(name, ['du', '-sk', REGISTRY_STORAGE]));
    },
    async garbageCollect(gc = {}) {
      const deleteUntagged = gc.deleteUntagged ?? false;
      const args = garbageCollectArgs(deleteUntagged);
      // GC while the registry accepts pushes is unsafe, and its in-memory blob descriptor
      // cache would be stale afterwards: https://distribution.github.io/distribution/about/garbage-collection/
      await docker.stopContainer(name);
      const result = await docker.runContainer({
        name: `${name}-gc`, image, labels: { ...labels, [ROLE_LABEL]: 'registry7-gc' }, detach: false,
        env: { REGISTRY_STORAGE_DELETE_ENABLED: 'true' },
        volumes: [`${volume}:${REGISTRY_STORAGE}`],
        args,
      }, { timeoutMs: 10 * 60_000 });
      // A restarted container gets a new ephemeral port, so recreate it pinned to the old one.
      await docker.removeContainers([name]);
      await docker.runContainer(containerSpec(`${host}:5000`));
      await waitForRegistry(host, options);
      return {
        deleteUntagged,
        argv: ['docker', 'run', '--rm', '-v', `${volume}:${REGISTRY_STORAGE}`, image, ...args],
        exitCode: result.exitCode ?? null,
        durationMs: result.durationMs,
        output: [result.stdout, result.stderr].filter(Boolean).join('\n'),
      };
    },
    stop: cleanup,
  };
  return registry;
}

export interface ExistingRegistryOptions {
  readyTimeoutMs?: number;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

/** `--registry HOST:PORT`: uses a registry that is already running; never started or stopped by us. */
export async function useExistingRegistry(host: string, options: ExistingRegistryOptions = {}): Promise<Registry7> {
  if (!/^[\w.-]+:\d{1,5}$|^\[[0-9a-f:]+\]:\d{1,5}$/i.test(host)) {
    throw new InfraError(`Nieprawidłowy adres rejestru „${host}” (oczekiwano HOST:PORT).`);
  }
  await waitForRegistry(host, { readyTimeoutMs: 10_000, ...options });
  const unsupported = (what: string) =>
    Promise.reject(new InfraError(`${what} jest dostępne tylko dla registry7 uruchomionego przez program (bez --registry).`));
  return {
    host,
    managed: false,
    storageBytes: () => unsupported('Mierzenie zajętości'),
    garbageCollect: () => unsupported('Odśmiecanie (garbage-collect)'),
    stop: async () => undefined,
  };
}

/** Polls GET /v2/ until the registry answers (200, or 401 when it wants auth). */
export async function waitForRegistry(
  host: string,
  options: { readyTimeoutMs?: number; signal?: AbortSignal; fetch?: typeof fetch } = {},
): Promise<void> {
  const doFetch = options.fetch ?? fetch;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  let last = 'brak odpowiedzi';
  // registry:2 listens within a few hundred ms of `docker run`: poll often at first, then back off.
  let pauseMs = 20;
  while (Date.now() < deadline) {
    if (options.signal?.aborted) throw new InterruptedError('Przerwano oczekiwanie na rejestr.');
    try {
      const res = await fetchWithin(doFetch, `http://${host}/v2/`, {}, 2_000);
      await res.body?.cancel();
      if (res.status === 200 || res.status === 401) return;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    }
    await sleep(pauseMs);
    pauseMs = Math.min(250, pauseMs * 2);
  }
  throw new InfraError(`Rejestr http://${host}/v2/ nie odpowiada (${last}).`);
}

/** Parses `du -sk DIR` ("5780\t/var/lib/registry") into bytes. */
export function parseDuBytes(stdout: string): number {
  const m = /^(\d+)\s/.exec(stdout.trim() + ' ');
  if (!m?.[1]) throw new InfraError(`Nie rozpoznano wyniku du: „${stdout.slice(0, 100)}”`);
  return Number(m[1]) * 1024;
}
