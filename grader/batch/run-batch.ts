/**
 * The batch orchestrator: plans who is graded (fresh / --resume / --retry-errors / --force),
 * grades students concurrently (the one place p-limit is used), keeps going past any one
 * student's failure, and on abort waits for running students to clean up.
 */
import os from 'node:os';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { newRunId } from '../docker/docker.ts';
import type { IsolationMode } from '../docker/isolation.ts';
import { InputError, InterruptedError } from '../errors.ts';
import type { ReportFormat } from '../report/write-reports.ts';
import type { Rubric } from '../rubric/load-rubric.ts';
import { classifyExisting, shouldGrade, type ExistingState, type RerunMode } from './existing.ts';
import { gradeStudent, type StudentOutcome } from './grade-student.ts';
import type { ProgressCounts } from './progress.ts';
import type { ProgressReporter } from './progress-reporter.ts';
import { discoverStudents, type StudentJob } from './students.ts';

export interface BatchOptions {
  /** A folder of submissions or a roster CSV. */
  input: string;
  outDir: string;
  rubric: Rubric;
  concurrency: number;
  mode: RerunMode;
  isolation: IsolationMode;
  insecureHosts: string[];
  buildTimeoutMs: number;
  /** Download the reports' remote screenshots for OCR. */
  fetchImages: boolean;
  studentTimeoutMs: number;
  formats: ReportFormat[];
  exportGradescope: boolean;
  signal: AbortSignal;
  reporter: ProgressReporter;
  runId?: string;
}

export interface PlannedStudent {
  job: StudentJob;
  state: ExistingState;
  grade: boolean;
}

export interface BatchRun {
  runId: string;
  students: PlannedStudent[];
  outcomes: StudentOutcome[];
  /** Folders without submission.json (dir mode). */
  ignored: string[];
}

/** Default concurrency: half the cores (builds on one daemon are serialised anyway), 1 to 8. */
export function defaultConcurrency(cores = os.availableParallelism()): number {
  return Math.min(8, Math.max(1, Math.floor(cores / 2)));
}

export const WORK_DIR = '.work';
export const GRADESCOPE_DIR = 'gradescope';

/** Reads the out dir and decides who is graded; refuses to touch earlier results unless asked. */
export async function planBatch(o: Pick<BatchOptions, 'input' | 'outDir' | 'mode'>): Promise<{ students: PlannedStudent[]; ignored: string[] }> {
  const found = await discoverStudents(o.input, { exclude: [o.outDir] });
  const students: PlannedStudent[] = [];
  const foreign: string[] = [];
  for (const job of found.jobs) {
    const file = path.join(o.outDir, job.key, 'results.json');
    const state = classifyExisting(await readFile(file, 'utf8').catch(() => undefined));
    if (state === 'foreign') foreign.push(file);
    students.push({ job, state, grade: shouldGrade(state, o.mode) });
  }
  if (foreign.length && o.mode !== 'force') {
    throw new InputError('W katalogu wyników są pliki results.json, których nie utworzył buildx-grader; nie nadpisuję ich.',
      foreign.map((f) => `${f}: nie jest wynikiem programu (wskaż inny --out albo użyj --force)`));
  }
  const earlier = students.filter((s) => s.state !== 'missing').length;
  const hasSummary = await stat(path.join(o.outDir, 'summary.csv')).then(() => true, () => false);
  if (o.mode === 'fresh' && (earlier > 0 || hasSummary)) {
    throw new InputError(
      `Katalog wyników ${o.outDir} zawiera już wyniki (${earlier} ${earlier === 1 ? 'praca' : 'prac'}${hasSummary ? ', summary.csv' : ''}). ` +
      'Dokończ ocenę: --resume; oceń ponownie tylko prace nie do oceny: --retry-errors; oceń wszystkich od nowa (nadpisuje wyniki): --force; albo wskaż inny --out.',
    );
  }
  return { students, ignored: found.ignored };
}

export async function runBatch(o: BatchOptions): Promise<BatchRun> {
  const runId = o.runId ?? newRunId();
  const { students, ignored } = await planBatch(o);
  const todo = students.filter((s) => s.grade);
  const counts: ProgressCounts = { total: students.length, done: 0, running: 0, failed: 0, skipped: students.length - todo.length };
  const outcomes: StudentOutcome[] = [];
  let interrupted = false;
  o.reporter.update(counts);

  const limit = pLimit(o.concurrency);
  const tasks = todo.map((s, i) => limit(async () => {
    if (o.signal.aborted) return;
    counts.running++;
    o.reporter.event(`→ ${s.job.key}: rozpoczynam ocenę`);
    o.reporter.update(counts);
    try {
      const outcome = await gradeStudent({
        job: s.job,
        studentDir: path.join(o.outDir, s.job.key),
        workDir: path.join(o.outDir, WORK_DIR),
        rubric: o.rubric,
        isolation: o.isolation,
        insecureHosts: o.insecureHosts,
        buildTimeoutMs: o.buildTimeoutMs,
        fetchImages: o.fetchImages,
        studentTimeoutMs: o.studentTimeoutMs,
        formats: o.formats,
        ...(o.exportGradescope ? { gradescopeDir: path.join(o.outDir, GRADESCOPE_DIR) } : {}),
        force: o.mode === 'force',
        signal: o.signal,
        runId: `${runId}-s${i + 1}`,
      });
      outcomes.push(outcome);
      counts.done++;
      const r = outcome.result;
      const ok = !r.needsRegrade && r.score.passed !== false;
      if (!ok) counts.failed++;
      const mark = r.needsRegrade ? '?' : ok ? '✔' : '✘';
      const extra = outcome.reportError ? ` (raport nie powstał: ${outcome.reportError})` : '';
      o.reporter.event(`${mark} ${s.job.key}: ${r.score.grade} [${Math.round(outcome.durationMs / 1000)} s]${extra}`);
    } catch (error) {
      if (!(error instanceof InterruptedError)) throw error;
      interrupted = true;
      o.reporter.event(`– ${s.job.key}: przerwano, zasoby usunięte; zostanie oceniony przy --resume`);
    } finally {
      counts.running--;
      o.reporter.update(counts);
    }
  }));
  const settled = await Promise.allSettled(tasks);
  o.reporter.stop();
  if (o.signal.aborted || interrupted) {
    throw new InterruptedError(
      `Ocenę przerwano: ocenionych w tym przebiegu ${counts.done} z ${todo.length}; ich wyniki są zapisane. ` +
      `Dokończ: grader batch ${o.input} --out ${o.outDir} --resume`,
    );
  }
  // gradeStudent records every student failure; anything thrown here is a bug or a full disk.
  const crashed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (crashed) throw crashed.reason;
  return { runId, students, outcomes, ignored };
}
