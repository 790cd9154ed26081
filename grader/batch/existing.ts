/** What an earlier run left in a student's folder, for --resume / --retry-errors. Pure. */
import type { GradeResult } from '../results/types.ts';

/**
 * - `missing`: no results.json
 * - `complete`: ours, schemaVersion 1, gradable: --resume skips it
 * - `needs-regrade`: ours, but an infrastructure fault left it incomplete
 * - `outdated`: ours, but of another schema version or cut short: graded again
 * - `foreign`: not written by the grader: never overwritten without --force
 */
export type ExistingState = 'missing' | 'complete' | 'needs-regrade' | 'outdated' | 'foreign';

export function classifyExisting(text: string | undefined): ExistingState {
  if (text === undefined) return 'missing';
  let data: Partial<GradeResult>;
  try {
    data = JSON.parse(text) as Partial<GradeResult>;
  } catch {
    return 'foreign';
  }
  if (typeof data !== 'object' || data === null || data.tool?.name !== 'buildx-grader') return 'foreign';
  if (data.schemaVersion !== 1 || !Array.isArray(data.checks) || typeof data.score !== 'object' || data.score === null) return 'outdated';
  return data.needsRegrade === true ? 'needs-regrade' : 'complete';
}

export type RerunMode = 'fresh' | 'resume' | 'retry-errors' | 'force';

/** Whether a student with this earlier state is graded in this run. */
export function shouldGrade(state: ExistingState, mode: RerunMode): boolean {
  switch (mode) {
    case 'force':
      return true;
    case 'retry-errors':
      return state === 'needs-regrade';
    case 'resume':
      return state !== 'complete';
    case 'fresh':
      return state === 'missing';
  }
}
