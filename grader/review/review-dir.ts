/**
 * Instructor decisions on disk: the results folder of `grader grade` (one results.json) or of
 * `grader batch` (one folder per student), its overrides.json, and writing a student's result,
 * reports and Gradescope export again from the stored result, without rebuilding anything.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { classifyExisting } from '../batch/existing.ts';
import { toGradescope } from '../batch/gradescope.ts';
import { GRADESCOPE_DIR } from '../batch/run-batch.ts';
import { InputError } from '../errors.ts';
import { readResult } from '../report/read-result.ts';
import { writeReports, type ReportFormat, type WrittenReports } from '../report/write-reports.ts';
import type { GradeResult } from '../results/types.ts';
import type { Rubric } from '../rubric/load-rubric.ts';
import { writeJsonAtomic } from '../util/write-atomic.ts';
import { applyOverrides, decisionProblems, type StoredStudent } from './apply.ts';
import { OVERRIDES_FILE, loadOverrides, overridesError, type OverridesFile } from './overrides.ts';
import { assertSameRubric } from './with-decisions.ts';

export interface ReviewDir {
  dir: string;
  kind: 'single' | 'batch';
  /** Readable results; `key` is the student's folder (`.` for a single grade output). */
  students: StoredStudent[];
  /** Batch: every student folder, with or without a result (the rows of the summary). */
  keys: string[];
  /** Where the decisions are kept. */
  overridesFile: string;
}

/** Reads a results folder; anything else is an InputError naming it. */
export async function openReviewDir(dir: string): Promise<ReviewDir> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new InputError(`${dir}: nie ma takiego katalogu wyników (podaj katalog --out polecenia grader grade albo grader batch).`);
  const overridesFile = path.join(dir, OVERRIDES_FILE);
  const single = path.join(dir, 'results.json');
  if (await stat(single).then(() => true, () => false)) {
    return { dir, kind: 'single', students: [{ key: '.', result: await readResult(single) }], keys: [], overridesFile };
  }
  const students: StoredStudent[] = [];
  const keys: string[] = [];
  const folders = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== GRADESCOPE_DIR)
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b));
  for (const key of folders) {
    const text = await readFile(path.join(dir, key, 'results.json'), 'utf8').catch(() => undefined);
    // A batch creates logs/ first: a folder with only logs/ is a student without a result yet.
    const hasLogs = await stat(path.join(dir, key, 'logs')).then((s) => s.isDirectory(), () => false);
    if (text === undefined && !hasLogs) continue;
    keys.push(key);
    const state = classifyExisting(text);
    if (state === 'complete' || state === 'needs-regrade') students.push({ key, result: JSON.parse(text!) as GradeResult });
  }
  if (keys.length === 0) {
    throw new InputError(`${dir}: to nie jest katalog wyników (brak results.json w nim ani w jego podkatalogach studentów).`);
  }
  return { dir, kind: 'batch', students, keys, overridesFile };
}

/** The folder's overrides.json, checked against its results and the rubric (no decisions when there is none). */
export async function readDecisions(target: ReviewDir, rubric: Rubric): Promise<OverridesFile> {
  const overrides = (await loadOverrides(target.overridesFile)) ?? { decisions: [] };
  const problems = decisionProblems(overrides.decisions, rubric, target.students);
  if (problems.length) throw overridesError(target.overridesFile, problems);
  return overrides;
}

export function resultsFileOf(target: ReviewDir, key: string): string {
  return path.join(target.dir, key, 'results.json');
}

/** Writes the student's results.json, reports and (when the batch exported one) Gradescope file. */
export async function saveStudent(target: ReviewDir, key: string, result: GradeResult, rubric: Rubric, formats: ReportFormat[]): Promise<WrittenReports | undefined> {
  await writeJsonAtomic(resultsFileOf(target, key), result);
  const gradescope = path.join(target.dir, GRADESCOPE_DIR, key, 'results.json');
  if (target.kind === 'batch' && (await stat(gradescope).then(() => true, () => false))) {
    await writeJsonAtomic(gradescope, toGradescope(result, rubric));
  }
  return formats.length ? writeReports(result, path.join(target.dir, key), { formats }) : undefined;
}

/** What can be checked of overrides.json before a batch grades anyone (the students come later). */
export async function precheckOverrides(dir: string, rubric: Rubric): Promise<void> {
  const file = path.join(dir, OVERRIDES_FILE);
  const problems = decisionProblems((await loadOverrides(file))?.decisions ?? [], rubric);
  if (problems.length) throw overridesError(file, problems);
}

/**
 * Brings every student of a batch folder in line with its overrides.json (after grading, some
 * results are new). Only the students whose result changes are written; their keys are returned.
 * Without overrides.json the results stay as stored, like in `grader report`.
 */
export async function applyDirOverrides(dir: string, rubric: Rubric, formats: ReportFormat[]): Promise<string[]> {
  if (!(await loadOverrides(path.join(dir, OVERRIDES_FILE)))) return [];
  const target = await openReviewDir(dir);
  const { decisions } = await readDecisions(target, rubric);
  const changed = target.students
    .map((student) => ({ student, updated: applyOverrides(student.result, decisions, rubric) }))
    .filter(({ student, updated }) => JSON.stringify(updated) !== JSON.stringify(student.result));
  // All checked before any is written: a wrong rubric leaves the folder as it was.
  for (const { student } of changed) assertSameRubric(student, rubric, resultsFileOf(target, student.key));
  for (const { student, updated } of changed) await saveStudent(target, student.key, updated, rubric, formats);
  return changed.map(({ student }) => student.key);
}
