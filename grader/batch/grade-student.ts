/**
 * Grades one student of a batch and records the outcome, whatever happens: the source is fetched,
 * submission.json loaded (or the repository read as handed in), gradeSubmission run under the student's time limit, and results.json
 * (atomically) plus the reports written. A broken manifest, a failed clone, the time limit or a
 * crash become a results.json with a Polish verdict. Only the batch's own abort is thrown.
 */
import { appendFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { DockerCli } from '../docker/docker.ts';
import type { IsolationMode } from '../docker/isolation.ts';
import { removeRun } from '../docker/run-resources.ts';
import { InputError, InterruptedError } from '../errors.ts';
import { gradeSubmission } from '../grade/grade-submission.ts';
import { writeJsonAtomic } from '../util/write-atomic.ts';
import { writeReports, type ReportFormat } from '../report/write-reports.ts';
import type { GradeResult } from '../results/types.ts';
import type { Rubric } from '../rubric/load-rubric.ts';
import { loadOrDiscover } from '../submission/discover.ts';
import type { Submission } from '../submission/load-submission.ts';
import { redact } from '../util/redact.ts';
import { toolVersion } from '../version.ts';
import { formatDuration } from '../util/duration.ts';
import { cloneShallow } from './git-clone.ts';
import { toGradescope } from './gradescope.ts';
import { removeLeftovers, scanLeftovers } from './leftovers.ts';
import type { StudentJob } from './students.ts';
import { verdictResult, type VerdictKind } from './verdicts.ts';

export interface GradeStudentOptions {
  job: StudentJob;
  /** The student's output folder (results.json, raport.*, logs/). */
  studentDir: string;
  /** Where git sources are cloned (removed afterwards). */
  workDir: string;
  rubric: Rubric;
  isolation: IsolationMode;
  insecureHosts: string[];
  buildTimeoutMs: number;
  fetchImages: boolean;
  studentTimeoutMs: number;
  formats: ReportFormat[];
  /** Folder for Gradescope's results.json files (`<dir>/<key>/results.json`), when exporting. */
  gradescopeDir?: string;
  /** Overwrite reports that were not written by the grader. */
  force: boolean;
  /** The batch's abort (Ctrl-C, SIGTERM). */
  signal: AbortSignal;
  /** Docker objects of this student are named and labelled with it. */
  runId: string;
  onProgress?: (message: string) => void;
}

export interface StudentOutcome {
  key: string;
  result: GradeResult;
  /** `graded`: gradeSubmission finished; otherwise why the verdict was written instead. */
  kind: 'graded' | VerdictKind;
  durationMs: number;
  /** Reports that could not be written (results.json was). */
  reportError?: string;
}

export async function gradeStudent(o: GradeStudentOptions): Promise<StudentOutcome> {
  const started = performance.now();
  await mkdir(path.join(o.studentDir, 'logs'), { recursive: true });
  const logFile = path.join(o.studentDir, 'logs', 'grader.log');
  const log = async (m: string) => {
    o.onProgress?.(m);
    await appendFile(logFile, `${new Date().toISOString()} ${redact(m)}\n`).catch(() => undefined);
  };
  const timeout = AbortSignal.timeout(o.studentTimeoutMs);
  const signal = AbortSignal.any([o.signal, timeout]);
  const cloneDir = path.join(o.workDir, o.job.key);
  let result: GradeResult;
  let kind: StudentOutcome['kind'] = 'graded';
  let known = { id: o.job.roster?.id ?? o.job.key, name: o.job.roster?.name ?? '(nieznany)' };

  try {
    const dir = await fetchSource(o, cloneDir, signal, log);
    // The roster says who; a repository without submission.json is read as handed in.
    const who = o.job.roster ? { id: o.job.roster.id, ...(o.job.roster.name ? { name: o.job.roster.name } : {}) } : {};
    const submission = applyRoster(await loadOrDiscover(dir, who), o.job);
    known = submission.student;
    await log(`oceniam ${submission.student.id} (${submission.dir})`);
    result = await gradeSubmission(submission, {
      outDir: o.studentDir,
      rubric: o.rubric,
      isolation: o.isolation,
      insecureHosts: o.insecureHosts,
      buildTimeoutMs: o.buildTimeoutMs,
      fetchImages: o.fetchImages,
      signal,
      runId: o.runId,
      onProgress: (m) => void log(m),
    });
  } catch (error) {
    if (o.signal.aborted) throw new InterruptedError('Ocenę przerwano.');
    const verdict = verdictOf(error, timeout.aborted, o.studentTimeoutMs);
    kind = verdict.kind;
    await log(`${verdict.message}${verdict.problems?.length ? `\n  ${verdict.problems.join('\n  ')}` : ''}`);
    result = verdictResult({ ...verdict, student: known, rubric: o.rubric, toolVersion: toolVersion(), gradedAt: new Date().toISOString() });
  } finally {
    await sweep(o.runId, log);
    await rm(cloneDir, { recursive: true, force: true }).catch(() => undefined);
  }

  await writeJsonAtomic(path.join(o.studentDir, 'results.json'), result);
  const outcome: StudentOutcome = { key: o.job.key, result, kind, durationMs: Math.round(performance.now() - started) };
  if (o.gradescopeDir) {
    const dir = path.join(o.gradescopeDir, o.job.key);
    await mkdir(dir, { recursive: true });
    await writeJsonAtomic(path.join(dir, 'results.json'), toGradescope(result, o.rubric));
  }
  if (o.formats.length) {
    try {
      await writeReports(result, o.studentDir, { formats: o.formats, force: o.force });
    } catch (error) {
      // The grade is safe in results.json; `grader report` can write the reports later.
      outcome.reportError = error instanceof Error ? error.message : String(error);
      await log(`nie udało się zapisać raportu: ${outcome.reportError}`);
    }
  }
  return outcome;
}

/** The folder to grade: the student's own, or a fresh shallow clone in the work dir. */
async function fetchSource(o: GradeStudentOptions, cloneDir: string, signal: AbortSignal, log: (m: string) => Promise<void>): Promise<string> {
  if (o.job.source.kind === 'dir') return o.job.source.dir;
  await rm(cloneDir, { recursive: true, force: true });
  await mkdir(path.dirname(cloneDir), { recursive: true });
  await log(`pobieram repozytorium ${o.job.source.url}`);
  try {
    await cloneShallow(o.job.source.url, cloneDir, { signal });
  } catch (error) {
    if (error instanceof InterruptedError) throw error;
    throw new SourceError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  return cloneDir;
}

/** The roster is the instructor's word: it wins over what the student wrote. */
function applyRoster(sub: Submission, job: StudentJob): Submission {
  const r = job.roster;
  if (!r) return sub;
  const published = { ...sub.published, ...(r.image ? { image: r.image } : {}), ...(r.cache ? { cache: r.cache } : {}) };
  return {
    ...sub,
    student: { id: sub.student.id, name: r.name ?? sub.student.name },
    ...(published.image || published.cache ? { published } : {}),
  };
}

class SourceError extends Error {
  override readonly name = 'SourceError';
}

interface Verdict {
  kind: VerdictKind;
  message: string;
  problems?: string[];
}

function verdictOf(error: unknown, timedOut: boolean, timeoutMs: number): Verdict {
  const text = error instanceof Error ? error.message : String(error);
  if (timedOut) {
    return { kind: 'timeout', message: `Przekroczono limit czasu oceny jednej pracy (${formatDuration(timeoutMs)}); ocenę przerwano, a utworzone zasoby usunięto.` };
  }
  if (error instanceof InputError) return { kind: 'manifest', message: redact(text), problems: error.problems.map(redact) };
  if (error instanceof SourceError) return { kind: 'source', message: redact(text) };
  return { kind: 'crash', message: `Błąd podczas oceniania: ${redact(text)}` };
}

/** Safety net after every student: nothing labelled or named with its run id may stay. */
async function sweep(runId: string, log: (m: string) => Promise<void>): Promise<void> {
  const docker = new DockerCli({ timeoutMs: 60_000 });
  try {
    const stuck = await removeRun(runId, docker);
    const named = await scanLeftovers(docker, runId);
    const stuck2 = await removeLeftovers(docker, named);
    const all = [...stuck, ...stuck2];
    if (all.length) await log(`nie udało się usunąć: ${all.join(', ')} (uruchom: grader cleanup --run ${runId})`);
  } catch (error) {
    await log(`sprzątanie po ${runId} nie powiodło się: ${error instanceof Error ? error.message : String(error)} (uruchom: grader cleanup)`);
  }
}
