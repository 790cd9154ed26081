/**
 * Report rendering: N raport.pdf files from test/fixtures/results/pass.json, through the
 * grader's own writeReports(), once with the shared browser (getBrowser/closeBrowser, one
 * Chromium for all reports) and once with a fresh Chromium per report (launch, render,
 * close: what a one-off converter such as md-to-pdf does on each call).
 *
 *   node --import tsx bench/report-render.ts [--reports 50]
 *
 * Targets: shared >= 5x faster than fresh, and <= 250 ms per report (shared, launch included).
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

import type { GradeResult } from '../grader/results/types.ts';
import { ROOT, benchTempDir, exists, intFlag, isMain, median, printFigures, skipped, type Figure } from './common.ts';

const FIXTURE = join(ROOT, 'test/fixtures/results/pass.json');
const TARGET_SPEEDUP = 5;
const TARGET_MS_PER_REPORT = 250;

const FIGURE_SPEEDUP = 'PDF reports: shared vs fresh browser';
const FIGURE_PER_REPORT = 'PDF reports: time per report (shared)';

/** One student's copy of the fixture result, so every report differs a little. */
function variant(base: GradeResult, i: number): GradeResult {
  const id = `s${String(90000 + i)}`;
  return { ...base, student: { ...base.student, id } };
}

export async function benchReportRender(opts: { reports?: number } = {}): Promise<Figure[]> {
  const count = opts.reports ?? 50;
  const modules = ['grader/report/write-reports.ts', 'grader/report/browser.ts'];
  for (const m of modules) {
    if (!(await exists(join(ROOT, m)))) {
      return [
        skipped(FIGURE_SPEEDUP, `>= ${TARGET_SPEEDUP}x`, `not available yet (${m})`),
        skipped(FIGURE_PER_REPORT, `<= ${TARGET_MS_PER_REPORT} ms`, `not available yet (${m})`),
      ];
    }
  }
  if (!(await exists(FIXTURE))) {
    return [skipped(FIGURE_SPEEDUP, `>= ${TARGET_SPEEDUP}x`, 'not available yet (test/fixtures/results/pass.json)')];
  }
  const { writeReports } = await import('../grader/report/write-reports.ts');
  const { getBrowser, closeBrowser, launchBrowser } = await import('../grader/report/browser.ts');
  const base = JSON.parse(await readFile(FIXTURE, 'utf8')) as GradeResult;
  const out = await benchTempDir('bench-report-render-');
  try {
    // Shared: one Chromium launched on first use and closed at the end, both timed.
    const sharedEach: number[] = [];
    const sharedStart = performance.now();
    let launchMs = 0;
    try {
      const launchStart = performance.now();
      await getBrowser();
      launchMs = performance.now() - launchStart;
      for (let i = 0; i < count; i++) {
        const t = performance.now();
        await writeReports(variant(base, i), join(out, `shared-${i}`), { formats: ['pdf'], force: true });
        sharedEach.push(performance.now() - t);
      }
    } finally {
      await closeBrowser();
    }
    const sharedMs = performance.now() - sharedStart;

    // Fresh: launch + render + close for every report.
    const freshEach: number[] = [];
    const freshStart = performance.now();
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      const browser = await launchBrowser();
      try {
        await writeReports(variant(base, i), join(out, `fresh-${i}`), { formats: ['pdf'], browser, force: true });
      } finally {
        await browser.close();
      }
      freshEach.push(performance.now() - t);
    }
    const freshMs = performance.now() - freshStart;

    const speedup = freshMs / sharedMs;
    const perReport = sharedMs / count;
    const notes = [
      `${count} reports from pass.json: shared ${(sharedMs / 1000).toFixed(1)} s in all (launch ${launchMs.toFixed(0)} ms, median render ${median(sharedEach).toFixed(0)} ms), ` +
        `fresh ${(freshMs / 1000).toFixed(1)} s in all (median launch+render+close ${median(freshEach).toFixed(0)} ms)`,
    ];
    return [
      {
        figure: FIGURE_SPEEDUP,
        measured: `${speedup.toFixed(1)}x (${(sharedMs / 1000).toFixed(1)} s vs ${(freshMs / 1000).toFixed(1)} s)`,
        target: `>= ${TARGET_SPEEDUP}x`,
        pass: speedup >= TARGET_SPEEDUP,
        notes,
      },
      {
        figure: FIGURE_PER_REPORT,
        measured: `${perReport.toFixed(0)} ms`,
        target: `<= ${TARGET_MS_PER_REPORT} ms`,
        pass: perReport <= TARGET_MS_PER_REPORT,
        notes: [],
      },
    ];
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  printFigures(await benchReportRender({ reports: intFlag(process.argv.slice(2), 'reports', 50) }));
}
