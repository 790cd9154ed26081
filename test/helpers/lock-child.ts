// A grader process taking the daemon lock, for test/unit/daemon-lock.test.ts. Prints "ready",
// waits for a line on stdin, then:
//   race <lockPath> <journal> <rounds>  takes and releases the lock <rounds> times, appending
//                                       "<pid> enter|exit <ms>" to <journal> while holding it
//   hold <lockPath>                     takes the lock, prints "held", waits to be killed
import { appendFileSync } from 'node:fs';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { acquireDaemonLock } from '../../grader/docker/daemon-lock.ts';

// The shortest proper-lockfile allows, so that a killed holder's lock goes stale in seconds.
const STALE_MS = 2_000;

const [mode, lockPath, journal, rounds] = process.argv.slice(2);
process.stdout.write('ready\n');
await once(process.stdin, 'data');
process.stdin.pause();
if (mode === 'race') {
  for (let i = 0; i < Number(rounds); i++) {
    const release = await acquireDaemonLock({ lockPath, pollMs: 5, staleMs: STALE_MS });
    appendFileSync(journal!, `${process.pid} enter ${Date.now()}\n`);
    await sleep(5); // hold it across a turn of the event loop, as a build does
    appendFileSync(journal!, `${process.pid} exit ${Date.now()}\n`);
    await release();
    await sleep(5); // let the other racer in rather than re-taking the lock at once
  }
} else if (mode === 'hold') {
  await acquireDaemonLock({ lockPath, staleMs: STALE_MS });
  process.stdout.write('held\n');
  setInterval(() => undefined, 60_000);
} else {
  throw new Error(`unknown mode ${mode}`);
}
