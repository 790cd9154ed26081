/**
 * A grade in Gradescope's autograder results.json format. Pure.
 * Format: https://gradescope-autograders.readthedocs.io/en/latest/specs/#output-format
 * (top-level score / max_score / output, tests[] with name, score, max_score, status, output).
 */
import type { CheckResult, GradeResult } from '../results/types.ts';
import type { Rubric } from '../rubric/load-rubric.ts';
import { CHECK_LABELS } from '../report/labels.ts';

export interface GradescopeTest {
  name: string;
  score: number;
  max_score: number;
  /** Gradescope shows a test as passed or failed; points come from score. */
  status: 'passed' | 'failed';
  output: string;
  visibility: 'visible';
  tags?: string[];
}

export interface GradescopeResults {
  /** Base points plus bonus; Gradescope allows a score above max_score (extra credit). */
  score: number;
  max_score: number;
  output: string;
  visibility: 'visible';
  tests: GradescopeTest[];
}

export function toGradescope(result: GradeResult, rubric: Rubric): GradescopeResults {
  const titles = new Map(rubric.checks.map((c) => [c.id, c.title] as const));
  const bonusIds = new Set(rubric.checks.filter((c) => c.bonus).map((c) => c.id));
  const notes = result.needsRegrade
    ? '\nUwaga: ocena niepełna — część sprawdzeń nie do oceny z powodu awarii infrastruktury; zostanie powtórzona.'
    : '';
  // Checks worth no points (report.consistency, reference.build) are notes, not tests a student "failed".
  const scored = result.checks.filter((c) => titles.has(c.id));
  const info = result.checks.filter((c) => !titles.has(c.id)).map((c) => `\n\n${CHECK_LABELS[c.id].title}: ${c.message}`).join('');
  return {
    score: round2(result.score.points + result.score.bonusPoints),
    max_score: result.score.max,
    output: `${result.score.grade}${notes}${info}`,
    visibility: 'visible',
    tests: scored.map((c) => ({
      name: `${c.id}: ${titles.get(c.id) ?? c.id}`,
      score: c.points ?? 0,
      max_score: c.maxPoints ?? 0,
      status: c.status === 'pass' ? 'passed' : 'failed',
      output: testOutput(c),
      visibility: 'visible',
      ...(bonusIds.has(c.id) ? { tags: ['dodatkowe'] } : {}),
    })),
  };
}

function testOutput(c: CheckResult): string {
  const head = c.status === 'error' ? 'NIE DO OCENY (awaria infrastruktury): ' : c.status === 'skip' ? 'POMINIĘTE: ' : c.status === 'manual' ? 'DO SPRAWDZENIA RĘCZNIE: ' : '';
  const hint = c.hint && c.status !== 'pass' ? `\nJak poprawić: ${c.hint}` : '';
  const texts = c.status === 'pass' ? [] : c.evidence.flatMap((e) => (e.kind === 'text' ? [`\n${e.title}:\n${e.text}`] : []));
  return `${head}${c.message}${texts.join('')}${hint}`;
}

function round2(n: number): number {
  return Math.round((n + Number.EPSILON) * 100) / 100;
}
