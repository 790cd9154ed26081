// The docker driver lock (grader/docker/daemon-lock.ts) with real processes and a real lock
// directory; the children are test/helpers/lock-child.ts.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { acquireDaemonLock } from '../../grader/docker/daemon-lock.ts';
import { InfraError, InterruptedError } from '../../grader/errors.ts';

const CHILD = fileURLToPath(new URL('../helpers/lock-child.ts', import.meta.url));
const STALE_MS = 2_000; // as the children use

interface Child {
  process: ChildProcess;
  /** Resolves when the child has printed this line. */
  said(line: string): Promise<void>;
  exited: Promise<number | null>;
}

function startChild(args: string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const waiters: { line: string; resolve: () => void }[] = [];
  child.stdout!.setEncoding('utf8').on('data', (s: string) => {
    out += s;
    for (const w of waiters) if (out.split('\n').includes(w.line)) w.resolve();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    process: child,
    said: (line) => new Promise<void>((resolve, reject) => {
      if (out.split('\n').includes(line)) return resolve();
      waiters.push({ line, resolve });
      void exited.then((code) => reject(new Error(`child exited (${code}) before "${line}"`)));
    }),
    exited,
  };
}

describe('daemon lock', () => {
  let dir: string;
  let n = 0;
  const newLockPath = () => path.join(dir, `lock${++n}`);
  const children: Child[] = [];
  const start = (args: string[]) => {
    const child = startChild(args);
    children.push(child);
    return child;
  };
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bg-lock-'));
  });
  after(async () => {
    for (const c of children) c.process.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
    await rm(dir, { recursive: true, force: true });
  });

  test('two processes racing for the lock never hold it at the same time', async (t) => {
    const lockPath = newLockPath();
    const journal = path.join(dir, 'journal');
    const rounds = 15;
    const racers = [start(['race', lockPath, journal, String(rounds)]), start(['race', lockPath, journal, String(rounds)])];
    // Both are started before either races.
    await Promise.all(racers.map((r) => r.said('ready')));
    for (const r of racers) r.process.stdin!.end('go\n');
    assert.deepEqual(await Promise.all(racers.map((r) => r.exited)), [0, 0]);

    const events = (await readFile(journal, 'utf8')).trimEnd().split('\n').map((l) => {
      const [pid, kind, ms] = l.split(' ');
      return { pid: Number(pid), kind, ms: Number(ms) };
    });
    assert.equal(events.length, 2 * 2 * rounds);
    for (let i = 0; i < events.length; i += 2) {
      const [enter, exit] = [events[i]!, events[i + 1]!];
      assert.equal(enter.kind, 'enter', `event ${i}`);
      assert.deepEqual([exit.kind, exit.pid], ['exit', enter.pid], `event ${i + 1}: another process entered`);
      if (i > 0) assert.ok(enter.ms >= events[i - 1]!.ms, `event ${i} entered before the previous holder left`);
    }
    assert.ok(!existsSync(lockPath), 'lock directory left behind');
    t.diagnostic(`handovers between the processes: ${events.filter((e, i) => i > 0 && e.kind === 'enter' && e.pid !== events[i - 1]!.pid).length}`);
  });

  test('a live holder in another process blocks; aborting the wait rejects; a killed holder is taken over once stale', async () => {
    const lockPath = newLockPath();
    const holder = start(['hold', lockPath]);
    await holder.said('ready');
    holder.process.stdin!.end('go\n');
    await holder.said('held');

    await assert.rejects(acquireDaemonLock({ lockPath, staleMs: STALE_MS, maxWaitMs: 0 }), /zajęty przez inny proces oceniania/);
    // The holder keeps its lock fresh, so a waiter only waits (here until aborted).
    const abort = new AbortController();
    const waiting = acquireDaemonLock({ lockPath, staleMs: STALE_MS, pollMs: 50, signal: abort.signal });
    setTimeout(() => abort.abort(), STALE_MS * 2).unref();
    await assert.rejects(waiting, InterruptedError);
    assert.ok(existsSync(lockPath), 'the aborted waiter removed the holder\'s lock');

    holder.process.kill('SIGKILL');
    await holder.exited;
    const release = await acquireDaemonLock({ lockPath, staleMs: STALE_MS, pollMs: 50, maxWaitMs: 10 * STALE_MS });
    await release();
    assert.ok(!existsSync(lockPath));
  });

  test('in-process callers queue; aborting a queued caller rejects and does not block the queue', async () => {
    const lockPath = newLockPath();
    const first = await acquireDaemonLock({ lockPath });
    const abort = new AbortController();
    const aborted = acquireDaemonLock({ lockPath, signal: abort.signal });
    let secondHeld = false;
    const second = acquireDaemonLock({ lockPath }).then((release) => {
      secondHeld = true;
      return release;
    });
    abort.abort();
    await assert.rejects(aborted, InterruptedError);
    // Still queued behind the first holder (this can only pass wrongly, never fail wrongly).
    await sleep(200);
    assert.equal(secondHeld, false);
    await first();
    await (await second)();
    assert.ok(!existsSync(lockPath));
  });

  test('release is idempotent', async () => {
    const lockPath = newLockPath();
    const release = await acquireDaemonLock({ lockPath });
    await Promise.all([release(), release()]);
    await release();
    assert.ok(!existsSync(lockPath));
    // Released once, not three times: the next caller gets the lock and keeps it.
    const next = await acquireDaemonLock({ lockPath, maxWaitMs: 0 });
    await release();
    assert.ok(existsSync(lockPath), 'a second release removed the next holder\'s lock');
    await next();
  });

  test('a lock lost while held (directory removed) is reported by release, never thrown from a timer', async () => {
    const lockPath = newLockPath();
    const release = await acquireDaemonLock({ lockPath, staleMs: STALE_MS });
    await rm(lockPath, { recursive: true });
    // The refresh (every second with this stale time) finds it gone.
    for (let i = 0; i < 100 && !release.lost.aborted; i++) await sleep(50);
    assert.ok(release.lost.aborted, 'loss not noticed');
    await assert.rejects(release(), (error: unknown) => error instanceof InfraError && /Utracono blokadę/.test(error.message));
    // The queue is free again.
    await (await acquireDaemonLock({ lockPath, maxWaitMs: 0 }))();
  });
});
