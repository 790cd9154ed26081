/**
 * The lock that serialises builds on the docker driver (the prune isolation empties the
 * engine's one build cache): an in-process queue, then a lock directory shared by all grader
 * processes on the machine (proper-lockfile: mkdir is atomic; the holder keeps refreshing the
 * directory's mtime, and a lock not refreshed for the stale time is taken over).
 */
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { lock } from 'proper-lockfile';
import { InfraError, InterruptedError } from '../errors.ts';

export const DEFAULT_LOCK_PATH = path.join(tmpdir(), 'buildx-grader-docker-driver.lock');

/**
 * The lock is held for a whole build (minutes) and refreshed every sixth of this, so only a
 * holder whose refreshes stopped for a minute loses it: a grader killed with SIGKILL (any
 * other exit removes the lock). A minute is far above any event-loop stall of a loaded
 * machine, and it is all such a kill costs the next grader.
 */
const DEFAULT_STALE_MS = 60_000;

// The only module-level state: the in-process queue of prune builds.
let queueTail: Promise<void> = Promise.resolve();

export interface DaemonLockOptions {
  lockPath?: string;
  signal?: AbortSignal;
  /** Give up after this long (default: wait as long as it takes, until aborted). */
  maxWaitMs?: number;
  pollMs?: number;
  /** A lock not refreshed for this long is taken over (default 60 s, at least 2 s). */
  staleMs?: number;
}

export interface DaemonLockRelease {
  /** Releases the lock; idempotent. Rejects with `lost.reason` if the lock was lost while held. */
  (): Promise<void>;
  /**
   * Aborted (with an InfraError) if the lock was lost while held: its directory was removed,
   * or refreshing it stalled past the stale time and another grader may have taken it.
   */
  readonly lost: AbortSignal;
}

/** Takes the in-process queue, then the lock directory; returns the release function. */
export async function acquireDaemonLock(options: DaemonLockOptions = {}): Promise<DaemonLockRelease> {
  const lockPath = options.lockPath ?? DEFAULT_LOCK_PATH;
  let releaseQueue!: () => void;
  const mine = new Promise<void>((resolve) => (releaseQueue = resolve));
  const previous = queueTail;
  queueTail = previous.then(() => mine);
  const lost = new AbortController();
  let unlock: () => Promise<void>;
  try {
    await abortable(previous, options.signal);
    unlock = await lockDirectory(lockPath, options, lost);
  } catch (error) {
    releaseQueue();
    throw error;
  }
  let released: Promise<void> | undefined;
  const release = () => (released ??= (async () => {
    try {
      // A lost lock is not ours to remove: proper-lockfile no longer touches it either.
      if (lost.signal.aborted) throw lost.signal.reason;
      await unlock().catch((error: unknown) => {
        throw lost.signal.aborted ? lost.signal.reason : new InfraError(`Nie można zwolnić blokady ${lockPath}: ${(error as Error).message}`, { cause: error });
      });
    } finally {
      releaseQueue();
    }
  })());
  return Object.assign(release, { lost: lost.signal });
}

async function lockDirectory(lockPath: string, options: DaemonLockOptions, lost: AbortController): Promise<() => Promise<void>> {
  const stale = options.staleMs ?? DEFAULT_STALE_MS;
  const started = Date.now();
  for (;;) {
    if (options.signal?.aborted) throw interrupted();
    let unlock: (() => Promise<void>) | undefined;
    try {
      unlock = await lock(lockPath, {
        lockfilePath: lockPath,
        realpath: false, // the path itself is the lock; nothing else has to exist
        stale,
        update: stale / 6,
        retries: 0, // we poll ourselves: abortable, and maxWaitMs is ours
        // Called from a timer: it must not throw (the default does, and would crash the grader).
        onCompromised: (error) => lost.abort(new InfraError(
          `Utracono blokadę silnika Dockera (${lockPath}) w trakcie budowania: ${error.message}. ` +
          'Inny proces oceniania mógł w tym czasie wyczyścić cache budowania; ocenę trzeba powtórzyć.',
          { cause: error },
        )),
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') {
        throw new InfraError(`Nie można utworzyć blokady ${lockPath}: ${(error as Error).message}`, { cause: error });
      }
    }
    if (unlock) {
      if (!options.signal?.aborted) return unlock;
      await unlock().catch(() => undefined);
      throw interrupted();
    }
    if (options.maxWaitMs !== undefined && Date.now() - started >= options.maxWaitMs) {
      throw new InfraError(`Silnik Dockera jest zajęty przez inny proces oceniania (blokada ${lockPath}); spróbuj później.`);
    }
    await sleep(options.pollMs ?? 500, undefined, { signal: options.signal }).catch(() => undefined);
  }
}

const interrupted = () => new InterruptedError('Przerwano oczekiwanie na dostęp do silnika Dockera.');

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(interrupted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(interrupted());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e); },
    );
  });
}
