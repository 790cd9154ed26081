/** Instructor decisions applied to a stored result, and checked against the results they refer to. Pure. */
import type { CheckResult, GradeResult } from '../results/types.ts';
import type { Rubric } from '../rubric/load-rubric.ts';
import { score } from '../rubric/score.ts';
import type { Decision } from './overrides.ts';

/**
 * The result with the student's decisions in force and the score computed again by the rubric.
 * Earlier decisions recorded in the result are undone first, so applying is idempotent and a
 * decision removed from overrides.json gives the grader's verdict back. Any status can be decided.
 */
export function applyOverrides(result: GradeResult, decisions: Decision[], rubric: Rubric): GradeResult {
  const mine = new Map(decisions.filter((d) => d.student === result.student.id).map((d) => [d.check as string, d]));
  if (mine.size === 0 && !result.checks.some((c) => c.override)) return result;
  // Scoring first also brings in the rubric's checks the stored result lacks, so they can be decided too.
  const graderOwn = score(result.checks.map(withoutOverride), rubric).checks;
  const outcome = score(graderOwn.map((c) => decide(c, mine.get(c.id))), rubric);
  return { ...result, checks: outcome.checks, score: outcome.score, needsRegrade: outcome.needsRegrade };
}

function withoutOverride(c: CheckResult): CheckResult {
  if (!c.override) return c;
  const { override, partial: _partial, ...rest } = c;
  const { original } = override;
  return { ...rest, status: original.status, message: original.message, ...(original.partial !== undefined ? { partial: original.partial } : {}) };
}

function decide(c: CheckResult, d: Decision | undefined): CheckResult {
  if (!d) return c;
  const { partial, ...rest } = c;
  return {
    ...rest,
    status: d.status,
    ...(d.partial !== undefined ? { partial: d.partial } : {}),
    override: {
      original: { status: c.status, message: c.message, ...(partial !== undefined ? { partial } : {}) },
      comment: d.comment,
      ...(d.by !== undefined ? { by: d.by } : {}),
      ...(d.at !== undefined ? { at: d.at } : {}),
    },
  };
}

/** A student's stored result and its folder (`.` for a single grade output). */
export interface StoredStudent {
  key: string;
  result: GradeResult;
}

/**
 * Decisions naming a check the rubric does not grade and, when the stored students are given, no
 * student or one whose folders are ambiguous; each as "<JSON pointer>: <Polish problem>".
 */
export function decisionProblems(decisions: Decision[], rubric: Rubric, students?: StoredStudent[]): string[] {
  const byId = new Map<string, string[]>();
  for (const s of students ?? []) byId.set(s.result.student.id, [...(byId.get(s.result.student.id) ?? []), s.key]);
  const known = [...byId.keys()];
  const graded = rubric.checks.map((c) => c.id as string);
  const problems: string[] = [];
  decisions.forEach((d, i) => {
    const keys = byId.get(d.student);
    if (students && !keys) {
      const list = known.length > 10 ? `${known.slice(0, 10).join(', ')}, …` : known.join(', ');
      problems.push(`/decisions/${i}/student: brak wyniku studenta „${d.student}” (${list ? `są wyniki studentów: ${list}` : 'nie ma żadnych wyników'})`);
    } else if (keys && keys.length > 1) {
      problems.push(`/decisions/${i}/student: student „${d.student}” ma wyniki w kilku folderach (${keys.join(', ')}); decyzja byłaby niejednoznaczna`);
    }
    if (!graded.includes(d.check)) {
      problems.push(`/decisions/${i}/check: rubryka „${rubric.id}” nie ocenia sprawdzenia „${d.check}” (ocenia: ${graded.join(', ')})`);
    }
  });
  return problems;
}
