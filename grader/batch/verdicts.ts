/**
 * results.json for a student the grader could not grade normally: a broken submission.json,
 * a source that could not be fetched, the per-student time limit, an unexpected crash.
 * Same shape as a real grade, so reports, the summary and --resume treat every student alike. Pure.
 */
import type { CheckResult, CheckStatus, GradeResult } from '../results/types.ts';
import type { Rubric } from '../rubric/load-rubric.ts';
import { formatNumber, score } from '../rubric/score.ts';
import { redactDeep } from '../util/redact.ts';

export type VerdictKind = 'manifest' | 'source' | 'timeout' | 'crash';

export interface VerdictInput {
  kind: VerdictKind;
  student: { id: string; name: string };
  /** Polish, one sentence: what happened. */
  message: string;
  /** Every problem found (e.g. of submission.json), shown as evidence. */
  problems?: string[];
  rubric: Rubric;
  toolVersion: string;
  gradedAt: string;
  submission?: Partial<GradeResult['submission']>;
}

/** The student's fault (0 points, final) or ours (not gradable, graded again with --retry-errors). */
const STATUS: Record<VerdictKind, CheckStatus> = { manifest: 'fail', source: 'error', timeout: 'error', crash: 'error' };

const HEADLINE: Record<VerdictKind, string> = {
  manifest: 'Niezaliczone — niepoprawny opis pracy (submission.json)',
  source: 'Nie do oceny — nie udało się pobrać pracy',
  timeout: 'Nie do oceny — przekroczono limit czasu oceny',
  crash: 'Nie do oceny — nieoczekiwany błąd programu oceniającego',
};

const HINT: Record<VerdictKind, string> = {
  manifest: 'Popraw submission.json (każdy problem jest wymieniony powyżej) i sprawdź go poleceniem `grader check --quick`.',
  source: 'Sprawdź adres repozytorium lub katalog w liście studentów i dostęp do niego, potem: grader batch ... --retry-errors.',
  timeout: 'Ocena trwała dłużej niż limit; wszystkie zasoby usunięto. Oceń ponownie: grader batch ... --retry-errors (ew. z większym --timeout).',
  crash: 'To błąd programu lub środowiska, nie pracy studenta. Oceń ponownie: grader batch ... --retry-errors.',
};

export function verdictResult(v: VerdictInput): GradeResult {
  const status = STATUS[v.kind];
  const checks: CheckResult[] = v.rubric.checks.map((rule, i) => ({
    id: rule.id,
    status,
    message: i === 0 ? v.message : `Nie sprawdzano: ${v.message}`,
    hint: HINT[v.kind],
    evidence: i === 0 && v.problems?.length ? [{ kind: 'text' as const, title: 'Znalezione problemy', text: v.problems.join('\n') }] : [],
  }));
  const scored = score(checks, v.rubric);
  const s = scored.score;
  const grade = `${HEADLINE[v.kind]}: ${formatNumber(s.points + s.bonusPoints)} / ${formatNumber(s.max)} pkt (${formatNumber(s.percent)}%)`;
  // The message and problems may quote the student's files.
  return redactDeep({
    schemaVersion: 1,
    tool: { name: 'buildx-grader', version: v.toolVersion },
    gradedAt: v.gradedAt,
    rubric: { id: v.rubric.id, title: v.rubric.title },
    student: v.student,
    submission: { dockerfile: '', context: '', platforms: [], ...v.submission },
    environment: { versions: { 'buildx-grader': v.toolVersion } },
    builds: [],
    checks: scored.checks,
    score: { ...s, grade },
    needsRegrade: scored.needsRegrade,
  });
}
