/** Runs a fast-check property with a fixed seed, a run bound and a time budget, and reports what ran. */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import fc from 'fast-check';

export interface Budget {
  seed: number;
  runs: number;
  ms: number;
}

/** Goes into the test name, so a failure names how to replay it. */
export const label = (b: Budget): string => `seed ${b.seed}, ≤${b.runs} runs, ≤${b.ms} ms`;

export function holds<Ts>(t: TestContext, property: fc.IProperty<Ts>, b: Budget): void {
  const started = performance.now();
  const details = fc.check(property, { seed: b.seed, numRuns: b.runs, plugins: [fc.interruptAfterTimeLimit(b.ms)] });
  const ms = Math.round(performance.now() - started);
  t.diagnostic(`${details.numRuns} runs in ${ms} ms (seed ${b.seed}${details.interrupted ? ', stopped by the time budget' : ''})`);
  if (details.failed) assert.fail(fc.defaultReportMessage(details) ?? `property failed (seed ${b.seed})`);
  assert.ok(details.numRuns > 0, 'the time budget ended before the first run');
}

/**
 * Asserts that `work(n)` grows linearly, not quadratically, from n to 4n: a ratio, so a slow or
 * busy machine does not fail it (absolute limits are bench/'s business). Linear is 4x, quadratic
 * 16x; the floor absorbs timer noise on small runs.
 */
export function assertLinear(work: (n: number) => void, n: number, floorMs = 300): void {
  const time = (size: number) => {
    const start = performance.now();
    work(size);
    return performance.now() - start;
  };
  time(n); // warm-up: the first run pays for compiling the code
  const small = time(n);
  const big = time(4 * n);
  assert.ok(big < Math.max(8 * small, floorMs), `n=${n}: ${small.toFixed(0)} ms, 4n: ${big.toFixed(0)} ms`);
}
