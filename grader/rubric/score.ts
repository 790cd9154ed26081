/**
 * Turns check results into points and a Polish grade line, following a rubric. Pure: no I/O,
 * so a rubric change changes the score without a code change.
 */
import type { CheckId, CheckResult, Score } from '../results/types.ts';
import type { Rubric, RubricCheck } from './load-rubric.ts';

export interface ScoreOutcome {
  /** Rubric checks in rubric order with points/maxPoints filled, then results the rubric does not score (0/0). */
  checks: CheckResult[];
  score: Score;
  /** Some scored check has status `error`: the grade is incomplete and must be computed again later. */
  needsRegrade: boolean;
}

const REGRADE = 'niepełna ocena — do ponownego sprawdzenia';

/** Scores check results against a rubric; checks the rubric names but the results lack count as `skip`. */
export function score(results: CheckResult[], rubric: Rubric): ScoreOutcome {
  const byId = new Map<CheckId, CheckResult>();
  for (const r of results) if (!byId.has(r.id)) byId.set(r.id, r);
  const scored = rubric.checks.map((c) => ({ rule: c, result: byId.get(c.id) ?? missing(c) }));
  const base = scored.filter((s) => !s.rule.bonus);
  const bonus = scored.filter((s) => s.rule.bonus);

  const max = round2(sum(base.map((s) => s.rule.points)));
  const basePoints = round2(sum(base.map((s) => s.rule.points * earned(s.result))));
  // `skip` on a required check means it was not shown to work (e.g. the build it needs failed): a failure.
  const requiredFailed = base.filter((s) => s.rule.required && (s.result.status === 'fail' || s.result.status === 'skip')).map((s) => s.rule.id);
  // `error` is the grader's fault, not the student's: neither failed nor passed until graded again.
  const requiredErrored = base.filter((s) => s.rule.required && s.result.status === 'error').map((s) => s.rule.id);
  const notGradable = scored.filter((s) => s.result.status === 'error').map((s) => s.rule.id);
  const unscored = results.filter((r) => !rubric.checks.some((c) => c.id === r.id));
  const manualReview = scored.filter((s) => s.result.status === 'manual').map((s) => s.rule.id);
  const passed = requiredFailed.length === 0 && requiredErrored.length === 0;

  const bonusMax = round2((max * (rubric.bonus?.percent ?? 0)) / 100);
  const weights = bonus.map((s) => s.rule.points);
  const totalWeight = sum(weights);
  // All-zero weights mean "split evenly" rather than "worth nothing".
  const bonusShare = (i: number) => (totalWeight > 0 ? (weights[i] ?? 0) / totalWeight : 1 / bonus.length);
  const bonusMaxOf = bonus.map((_, i) => bonusMax * bonusShare(i));
  const bonusEarnedIfPassed = round2(sum(bonus.map((s, i) => (bonusMaxOf[i] ?? 0) * earned(s.result))));
  const bonusPoints = passed ? bonusEarnedIfPassed : 0;

  const checks: CheckResult[] = [
    ...scored.map((s) => {
      if (!s.rule.bonus) return { ...s.result, points: round2(s.rule.points * earned(s.result)), maxPoints: s.rule.points };
      const i = bonus.indexOf(s);
      const maxPoints = round2(bonusMaxOf[i] ?? 0);
      return { ...s.result, points: passed ? round2(maxPoints * earned(s.result)) : 0, maxPoints };
    }),
    ...unscored.map((r) => ({ ...r, points: 0, maxPoints: 0 })),
  ];

  const percent = max > 0 ? round1(((basePoints + bonusPoints) / max) * 100) : 0;
  const grade = gradeLine({
    points: basePoints + bonusPoints, max, percent, bonusPoints, requiredFailed, requiredErrored, notGradable, manualReview,
    bonusWithheld: !passed && bonusEarnedIfPassed > 0,
  });
  return {
    checks,
    score: { points: basePoints, max, bonusPoints, bonusMax, percent, grade, requiredFailed, passed, notGradable, ...(manualReview.length ? { manualReview } : {}) },
    needsRegrade: notGradable.length > 0,
  };
}

/** Fraction of a check's points the student earned. */
function earned(result: CheckResult): number {
  if (result.status === 'skip' || result.status === 'error' || result.status === 'manual') return 0;
  const p = result.partial;
  if (typeof p === 'number' && Number.isFinite(p)) return Math.min(1, Math.max(0, p));
  return result.status === 'pass' ? 1 : 0;
}

function missing(rule: RubricCheck): CheckResult {
  return {
    id: rule.id,
    status: 'skip',
    message: 'Sprawdzenie nie zostało wykonane (brak wyniku), więc nie przyznano za nie punktów.',
    evidence: [],
  };
}

interface GradeParts {
  points: number;
  max: number;
  percent: number;
  bonusPoints: number;
  requiredFailed: string[];
  requiredErrored: string[];
  notGradable: string[];
  manualReview: string[];
  bonusWithheld: boolean;
}

/** The one-line Polish verdict shown at the top of the report. */
function gradeLine(g: GradeParts): string {
  const pts = `${formatNumber(g.points)} / ${formatNumber(g.max)} pkt (${formatNumber(g.percent)}%)`;
  const notes: string[] = [];
  let head: string;
  if (g.requiredFailed.length > 0) {
    head = `Niezaliczone: ${pts} — niespełnione wymagane sprawdzenia: ${g.requiredFailed.join(', ')}`;
  } else if (g.requiredErrored.length > 0) {
    head = `Niepełna ocena — do ponownego sprawdzenia: ${pts} — nie udało się ocenić wymaganych sprawdzeń: ${g.requiredErrored.join(', ')}`;
  } else {
    head = g.bonusPoints > 0 ? `Zaliczone z zadaniem dodatkowym: ${pts}` : `Zaliczone: ${pts}`;
  }
  if (g.bonusWithheld) notes.push('zadanie dodatkowe nie jest liczone bez zaliczenia części podstawowej');
  const regradeInHead = g.requiredFailed.length === 0 && g.requiredErrored.length > 0;
  if (g.notGradable.length > 0 && !regradeInHead) notes.push(`${REGRADE} (nie udało się ocenić: ${g.notGradable.join(', ')})`);
  if (g.manualReview.length > 0) notes.push(`do sprawdzenia ręcznie przez prowadzącego: ${g.manualReview.join(', ')}`);
  return [head, ...notes].join('; ');
}

/** Polish number format: decimal comma, at most two decimals, no trailing zeros. */
export function formatNumber(n: number): string {
  return String(round2(n)).replace('.', ',');
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function round2(n: number): number {
  return Math.round((n + Number.EPSILON) * 100) / 100;
}

function round1(n: number): number {
  return Math.round((n + Number.EPSILON) * 10) / 10;
}
