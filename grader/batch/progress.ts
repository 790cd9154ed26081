/** Batch progress arithmetic and the Polish progress line. Pure. */

export interface ProgressCounts {
  total: number;
  /** Students finished in this run (graded, failed or not gradable). */
  done: number;
  running: number;
  /** Finished students that did not pass (failed or not gradable). */
  failed: number;
  /** Students skipped because an earlier run already graded them. */
  skipped: number;
}

/** "0:42", "12:05", "1:02:03". */
export function formatClock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/**
 * Time left, from the pace so far: elapsed / done × remaining. The pace already reflects the
 * concurrency and the builds serialised on one daemon. Undefined until one student is done.
 */
export function estimateRemainingMs(c: Pick<ProgressCounts, 'total' | 'done' | 'skipped'>, elapsedMs: number): number | undefined {
  const toGrade = c.total - c.skipped;
  if (c.done <= 0 || elapsedMs <= 0) return undefined;
  const remaining = Math.max(0, toGrade - c.done);
  return (elapsedMs / c.done) * remaining;
}

/** e.g. "[3/6] gotowe 3 · w toku 2 · nie zaliczono 1 · 1:20 · zostało ~0:55". */
export function progressLine(c: ProgressCounts, elapsedMs: number): string {
  const toGrade = c.total - c.skipped;
  const eta = estimateRemainingMs(c, elapsedMs);
  return [
    `[${c.done}/${toGrade}] gotowe ${c.done}`,
    `w toku ${c.running}`,
    `nie zaliczono lub nie do oceny ${c.failed}`,
    formatClock(elapsedMs),
    eta === undefined ? 'zostało: —' : `zostało ~${formatClock(eta)}`,
  ].join(' · ');
}
