/**
 * Batch scaling: 8 copies of submissions/example (student ids s90001..s90008) graded by
 * `grader batch` at -j 1 and -j 2 with the prune strategy. The container strategy needs the
 * moby/buildkit image, which cannot be pulled on this machine, so it is reported as skipped
 * unless that image is present.
 *
 *   node --import tsx bench/batch-scaling.ts [--submissions 8]
 *
 * Expectation, not a target: prune empties the one daemon's build cache before every build,
 * so builds hold a machine-wide lock and only the non-build work (start-up, registry7,
 * inspect, bonus test, reports) can overlap.
 */
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { ROOT, benchTempDir, hasGraderCommand, intFlag, isMain, printFigures, runChild, runLocked, seconds, skipped, tsxArgs, type Figure } from './common.ts';

const FIGURE_PRUNE = 'batch speed-up -j 2 vs -j 1 (prune)';
const FIGURE_CONTAINER = 'batch speed-up -j 2 vs -j 1 (container)';
const TARGET = 'no target (report); ideal 2x';

/** Copies of the example submission with distinct student ids, in one folder. */
export async function makeSubmissions(dir: string, count: number): Promise<string[]> {
  const example = join(ROOT, 'submissions/example');
  const ids: string[] = [];
  await mkdir(dir, { recursive: true });
  for (let i = 1; i <= count; i++) {
    const id = `s${90000 + i}`;
    const target = join(dir, id);
    await cp(example, target, { recursive: true });
    const file = join(target, 'submission.json');
    const data = JSON.parse(await readFile(file, 'utf8')) as { student: { id: string; name: string } };
    data.student = { ...data.student, id, name: `Student ${id}` };
    await writeFile(file, JSON.stringify(data, null, 2) + '\n');
    ids.push(id);
  }
  return ids;
}

async function buildkitImagePresent(): Promise<boolean> {
  try {
    const { runtimeImage } = await import('../grader/docker/runtime-images.ts');
    const r = await runChild('docker', ['image', 'inspect', runtimeImage('buildkit')]);
    return r.exitCode === 0;
  } catch {
    return false;
  }
}

interface BatchRun {
  ms: number;
  exitCode: number | null;
  /** Sum of builds[].durationMs over every student's results.json. */
  buildMs: number;
  graded: number;
  /** `<id> <check>: <message>` for each check the grader could not grade (infra error). */
  errors: string[];
}

async function runBatch(subs: string, out: string, ids: string[], jobs: number, isolation: string): Promise<BatchRun> {
  const args = tsxArgs(join(ROOT, 'grader/cli/main.ts'), ['batch', subs, '-j', String(jobs), '--out', out, '--isolation', isolation]);
  // The lock keeps other people's hand-run prunes out of our builds; time counts from holding it.
  const run = await runLocked(process.execPath, args);
  // 0 = all graded; 3 = some submission was not gradable (infra): still a timed batch, noted.
  if (run.exitCode !== 0 && run.exitCode !== 3) throw new Error(`grader batch -j ${jobs} exited ${run.exitCode}: ${run.stderr.slice(-1500)}`);
  let buildMs = 0;
  let graded = 0;
  const errors: string[] = [];
  for (const id of ids) {
    let data: { builds?: Array<{ durationMs?: number }>; checks?: Array<{ id: string; status: string; message: string }> };
    try {
      data = JSON.parse(await readFile(join(out, id, 'results.json'), 'utf8')) as typeof data;
    } catch {
      errors.push(`${id}: no results.json`);
      continue;
    }
    graded++;
    for (const b of data.builds ?? []) buildMs += typeof b.durationMs === 'number' ? b.durationMs : 0;
    for (const c of data.checks ?? []) if (c.status === 'error') errors.push(`${id} ${c.id}: ${c.message.slice(0, 160)}`);
  }
  return { ms: run.lockedMs, exitCode: run.exitCode, buildMs, graded, errors };
}

export async function benchBatchScaling(opts: { submissions?: number } = {}): Promise<Figure[]> {
  const containerSkip = skipped(FIGURE_CONTAINER, TARGET, 'moby/buildkit image unavailable here (no registry access), container strategy cannot run');
  if (!(await hasGraderCommand('batch'))) {
    return [skipped(FIGURE_PRUNE, TARGET, 'not available yet (`grader batch`)'), containerSkip];
  }
  const count = opts.submissions ?? 8;
  const work = await benchTempDir('bench-batch-');
  try {
    const subs = join(work, 'submissions');
    const ids = await makeSubmissions(subs, count);
    const strategies = ['prune', ...((await buildkitImagePresent()) ? ['container'] : [])];
    const figures: Figure[] = [];
    for (const isolation of strategies) {
      const j1 = await runBatch(subs, join(work, `out-${isolation}-j1`), ids, 1, isolation);
      process.stderr.write(`batch-scaling: ${isolation} -j 1: ${seconds(j1.ms)}\n`);
      const j2 = await runBatch(subs, join(work, `out-${isolation}-j2`), ids, 2, isolation);
      process.stderr.write(`batch-scaling: ${isolation} -j 2: ${seconds(j2.ms)}\n`);
      const speedup = j1.ms / j2.ms;
      // Prune builds cannot overlap: no -j can beat (all work) / (the builds alone).
      const cap = j1.ms / j1.buildMs;
      figures.push({
        figure: isolation === 'prune' ? FIGURE_PRUNE : FIGURE_CONTAINER,
        measured: `${speedup.toFixed(2)}x (${seconds(j1.ms)} -> ${seconds(j2.ms)})`,
        target: TARGET,
        pass: null,
        notes: [
          `${count} submissions (${j1.graded}/${j2.graded} results.json written): -j 1 ${seconds(j1.ms)} (${seconds(j1.ms / count)} each), ` +
            `-j 2 ${seconds(j2.ms)} (${seconds(j2.ms / count)} each); exit codes ${j1.exitCode}/${j2.exitCode}`,
          `the builds alone (builds[].durationMs, prune excluded) take ${seconds(j1.buildMs)} at -j 1 and ${seconds(j2.buildMs)} at -j 2; ` +
            `serialised on the one daemon they cap any -j at ${cap.toFixed(1)}x` +
            (cap >= 2 ? ', so at -j 2 the limit is the 2 CPU cores (shared with other work here), not the builds' : ', which is what stops -j 2'),
          ...(j1.errors.length + j2.errors.length > 0
            ? [`not gradable (infra errors): -j 1: ${j1.errors.join('; ') || 'none'}; -j 2: ${j2.errors.join('; ') || 'none'}`]
            : []),
        ],
      });
    }
    if (!strategies.includes('container')) figures.push(containerSkip);
    return figures;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  printFigures(await benchBatchScaling({ submissions: intFlag(process.argv.slice(2), 'submissions', 8) }));
}
