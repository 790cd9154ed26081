/**
 * A disposable registry:2 container for one bonus run: filled with a copy of another registry's
 * storage, reachable by the grader on a loopback port and, optionally, by the sandbox on an
 * internal network under the alias `registry7`. GC runs with the registry stopped, as the
 * distribution docs require (https://distribution.github.io/distribution/about/garbage-collection/).
 */
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { InfraError } from '../errors.ts';
import { docker, dockerOk } from './docker-cli.ts';
import { summarizeGcOutput } from './gc-summary.ts';
import type { GcCapableRegistry, GcResult } from './ports.ts';
import { labelArgs } from './resources.ts';

export const DEFAULT_REGISTRY_IMAGE = 'registry:2';
const CONFIG = '/etc/docker/registry/config.yml';
const DATA = '/var/lib/registry';

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

/** Waits until GET /v2/ answers (any HTTP status). */
export async function waitForRegistry(address: string, timeoutMs = 15_000, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`http://${address}/v2/`, { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      return;
    } catch {
      if (signal?.aborted || Date.now() > deadline) throw new InfraError(`Rejestr ${address} nie odpowiada po uruchomieniu.`);
      await sleep(200);
    }
  }
}

export async function createRegistryCopy(o: RegistryCopyOptions): Promise<RegistryCopy> {
  const image = o.image ?? DEFAULT_REGISTRY_IMAGE;
  const call = { signal: o.signal };
  const volume = await dockerOk(['volume', 'create', ...labelArgs(o.runId), `bg-${o.runId}-data`], call);
  if (o.fromContainer || o.fromVolume) {
    const source = o.fromContainer ? ['--volumes-from', `${o.fromContainer}:ro`] : ['-v', `${o.fromVolume}:${DATA}:ro`];
    // busybox cp -a keeps the registry's layout and mtimes; no network needed for a copy.
    await dockerOk(
      ['run', '--rm', ...labelArgs(o.runId), '--network', 'none', ...source, '-v', `${volume}:/copy`,
        '--entrypoint', '/bin/busybox', image, 'cp', '-a', `${DATA}/.`, '/copy/'],
      { ...call, timeoutMs: 300_000 },
    );
  }
  // The grader reaches the copy through this ordinary bridge network; the sandbox cannot
  // (it is only on the internal network, and a container does not route for another).
  const access = await dockerOk(['network', 'create', ...labelArgs(o.runId), `bg-${o.runId}-access`], call);
  const port = await freeLoopbackPort();
  const container = `bg-${o.runId}-registry7`;
  await dockerOk(
    ['create', '--name', container, ...labelArgs(o.runId), '--network', access, '-p', `127.0.0.1:${port}:5000`,
      '-v', `${volume}:${DATA}`, '-e', `REGISTRY_STORAGE_DELETE_ENABLED=${o.deleteEnabled}`, image],
    call,
  );
  if (o.internalNetwork) await dockerOk(['network', 'connect', '--alias', 'registry7', o.internalNetwork, container], call);
  await dockerOk(['start', container], call);
  const address = `127.0.0.1:${port}`;
  await waitForRegistry(address, 15_000, o.signal);

  const storageBytes = async (opts: { signal?: AbortSignal } = {}): Promise<number> => {
    const out = await dockerOk(
      ['run', '--rm', ...labelArgs(o.runId), '--network', 'none', '-v', `${volume}:${DATA}:ro`, '--entrypoint', '/bin/du', image, '-sk', DATA],
      { signal: opts.signal ?? o.signal },
    );
    const kib = Number(out.split(/\s+/)[0]);
    if (!Number.isFinite(kib)) throw new InfraError(`Nie można odczytać rozmiaru danych rejestru: ${out}`);
    return kib * 1024;
  };

  const garbageCollect = async (opts: { deleteUntagged: boolean; signal?: AbortSignal }): Promise<GcResult> => {
    const signal = opts.signal ?? o.signal;
    const args = ['garbage-collect', ...(opts.deleteUntagged ? ['--delete-untagged'] : []), CONFIG];
    await dockerOk(['stop', '-t', '10', container], { signal });
    const started = performance.now();
    let r;
    try {
      r = await docker(['run', '--rm', ...labelArgs(o.runId), '--network', 'none', '-v', `${volume}:${DATA}`, image, ...args], { signal, timeoutMs: 300_000 });
    } finally {
      // Back up even when GC failed: the flow still checks the image afterwards.
      await dockerOk(['start', container]);
      await waitForRegistry(address);
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
