/**
 * A disposable registry:2 container for one bonus run: filled with a copy of another registry's
 * storage, reachable by the grader on a loopback port and, optionally, by the sandbox on an
 * internal network under the alias `registry7`. GC runs with the registry stopped, as the
 * distribution docs require (https://distribution.github.io/distribution/about/garbage-collection/).
 */
import { createServer } from 'node:net';
import { DockerCli, runContainerArgs } from '../docker/docker.ts';
import { runLabels } from '../docker/run-resources.ts';
import { ensureRuntimeImage, runtimeImage } from '../docker/runtime-images.ts';
import {
  REGISTRY_STORAGE as DATA, garbageCollectArgs, parseDuBytes, waitForRegistry,
} from '../registry/registry7.ts';
import type { ExecResult } from '../util/exec.ts';
import { summarizeGcOutput } from './gc-summary.ts';
import type { GcCapableRegistry, GcResult } from './ports.ts';

/** How long a (re)started copy may take to answer GET /v2/. */
const READY_TIMEOUT_MS = 15_000;

export interface RegistryCopyOptions {
  runId: string;
  /** Copy the storage of this container's /var/lib/registry (mounted read-only with --volumes-from). */
  fromContainer?: string;
  /** Or copy this volume's content. Neither: an empty registry. */
  fromVolume?: string;
  deleteEnabled: boolean;
  /** Also join this network under the alias `registry7` (the sandbox's only peer). */
  internalNetwork?: string;
  image?: string;
  /** Docker client without an abort signal of its own (the GC restarts the copy after an abort too). */
  docker?: DockerCli;
  signal?: AbortSignal;
}

export interface RegistryCopy extends GcCapableRegistry {
  container: string;
  volume: string;
  /** 127.0.0.1:PORT, stable across the stop/start of GC. */
  address: string;
}

/** A free loopback port: the copy keeps it across restarts (a random -p port would change). */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export async function createRegistryCopy(o: RegistryCopyOptions): Promise<RegistryCopy> {
  const docker = o.docker ?? new DockerCli();
  const image = runtimeImage('registry', o.image);
  const labels = runLabels(o.runId);
  const call = { signal: o.signal };
  await ensureRuntimeImage(docker, 'registry', image, call);
  const volume = `bg-${o.runId}-data`;
  await docker.createVolume(volume, labels, call);
  if (o.fromContainer || o.fromVolume) {
    // busybox cp -a keeps the registry's layout and mtimes; no network needed for a copy.
    await docker.ok(runContainerArgs({
      image, labels, detach: false, network: 'none',
      ...(o.fromContainer ? { volumesFrom: [`${o.fromContainer}:ro`] } : {}),
      volumes: [...(o.fromVolume ? [`${o.fromVolume}:${DATA}:ro`] : []), `${volume}:/copy`],
      entrypoint: '/bin/busybox', args: ['cp', '-a', `${DATA}/.`, '/copy/'],
    }), `skopiować danych rejestru do wolumenu ${volume}`, { ...call, timeoutMs: 300_000 });
  }
  // The grader reaches the copy through this ordinary bridge network; the sandbox cannot
  // (it is only on the internal network, and a container does not route for another).
  const access = `bg-${o.runId}-access`;
  await docker.createNetwork(access, labels, {}, call);
  const port = await freeLoopbackPort();
  const container = `bg-${o.runId}-registry7`;
  await docker.createContainer({
    name: container, image, labels, network: access, publish: [`127.0.0.1:${port}:5000`],
    volumes: [`${volume}:${DATA}`], env: { REGISTRY_STORAGE_DELETE_ENABLED: String(o.deleteEnabled) },
  }, call);
  if (o.internalNetwork) await docker.connectNetwork(o.internalNetwork, container, { aliases: ['registry7'] }, call);
  await docker.startContainer(container, call);
  const address = `127.0.0.1:${port}`;
  await waitForRegistry(address, { readyTimeoutMs: READY_TIMEOUT_MS, signal: o.signal });

  const storageBytes = async (opts: { signal?: AbortSignal } = {}): Promise<number> => {
    const out = await docker.ok(runContainerArgs({
      image, labels, detach: false, network: 'none', volumes: [`${volume}:${DATA}:ro`], entrypoint: '/bin/du', args: ['-sk', DATA],
    }), `zmierzyć danych rejestru w wolumenie ${volume}`, { signal: opts.signal ?? o.signal });
    return parseDuBytes(out);
  };

  const garbageCollect = async (opts: { deleteUntagged: boolean; signal?: AbortSignal }): Promise<GcResult> => {
    const signal = opts.signal ?? o.signal;
    const args = garbageCollectArgs(opts.deleteUntagged);
    await docker.stopContainer(container, 10, { signal });
    const started = performance.now();
    let r: ExecResult;
    try {
      r = await docker.runContainer({ image, labels, detach: false, network: 'none', volumes: [`${volume}:${DATA}`], args }, { signal, timeoutMs: 300_000 });
    } finally {
      // Back up even when GC failed: the flow still checks the image afterwards.
      await docker.startContainer(container);
      await waitForRegistry(address, { readyTimeoutMs: READY_TIMEOUT_MS });
    }
    return {
      exitCode: r.exitCode ?? null,
      durationMs: Math.round(performance.now() - started),
      argv: ['registry', ...args],
      summary: summarizeGcOutput(`${r.stdout}\n${r.stderr}`),
    };
  };

  return { container, volume, address, storageBytes, garbageCollect };
}
