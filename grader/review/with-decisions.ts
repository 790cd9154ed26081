/** A stored result with the decisions of an overrides.json near it in force (`grader report`), and the rubric check recomputing needs. */
import path from 'node:path';
import { InputError } from '../errors.ts';
import type { GradeResult } from '../results/types.ts';
import { loadRubric, type Rubric } from '../rubric/load-rubric.ts';
import { applyOverrides, decisionProblems, type StoredStudent } from './apply.ts';
import { OVERRIDES_FILE, loadOverrides, overridesError, type OverridesFile } from './overrides.ts';

/**
 * The stored result with the decisions of the overrides.json beside it (or, for a batch student's
 * folder, in the batch folder above) in force; as stored when there is none.
 */
export async function withDecisions(resultsFile: string, result: GradeResult, rubricFile: string | undefined): Promise<GradeResult> {
  const own = path.dirname(resultsFile);
  const found = (await findOverrides(own)) ?? (await findOverrides(path.dirname(own)));
  if (!found) return result;
  const { decisions } = found.overrides;
  if (!decisions.some((d) => d.student === result.student.id) && !result.checks.some((c) => c.override)) return result;
  const rubric = await loadRubric(rubricFile);
  const problems = decisionProblems(decisions, rubric);
  if (problems.length) throw overridesError(found.file, problems);
  assertSameRubric({ key: '.', result }, rubric, resultsFile);
  return applyOverrides(result, decisions, rubric);
}

async function findOverrides(dir: string): Promise<{ file: string; overrides: OverridesFile } | undefined> {
  const file = path.join(dir, OVERRIDES_FILE);
  const overrides = await loadOverrides(file);
  return overrides && { file, overrides };
}

/** Scoring again needs the rubric the result was graded with. */
export function assertSameRubric(student: StoredStudent, rubric: Rubric, resultsFile: string): void {
  if (student.result.rubric.id === rubric.id) return;
  throw new InputError(
    `${resultsFile}: wynik oceniono rubryką „${student.result.rubric.id}”, a wczytano „${rubric.id}”. ` +
      'Podaj tę samą rubrykę co przy ocenie: --rubric PLIK.',
  );
}
