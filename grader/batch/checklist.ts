/** The short Polish checklist `grader check` prints for a student. Pure. */
import type { CheckStatus, GradeResult } from '../results/types.ts';
import type { Rubric } from '../rubric/load-rubric.ts';
import { formatNumber } from '../rubric/score.ts';
import { CHECK_LABELS } from '../report/labels.ts';

const MARK: Record<CheckStatus, string> = { pass: '✔', fail: '✘', error: '?', skip: '–', manual: '👁' };

export function studentChecklist(result: GradeResult, rubric: Rubric, o: { quick?: boolean } = {}): string[] {
  const titles = new Map(rubric.checks.map((c) => [c.id, c.title] as const));
  const lines = [`Sprawdzenie pracy: ${result.student.name} (${result.student.id})${o.quick ? ' — tryb szybki, bez budowania' : ''}`, ''];
  for (const c of result.checks) {
    const pts = c.maxPoints ? `  ${formatNumber(c.points ?? 0)}/${formatNumber(c.maxPoints)} pkt` : '';
    const state = c.status === 'skip' ? ' (pominięte)' : c.status === 'manual' ? ' (do sprawdzenia ręcznie przez prowadzącego)' : c.status === 'error' ? ' (nie do oceny: awaria po stronie programu lub rejestru)' : '';
    lines.push(`${MARK[c.status]} ${titles.get(c.id) ?? CHECK_LABELS[c.id].title}${state}${pts}`);
    if (c.status === 'fail' || c.status === 'error' || c.status === 'manual') {
      lines.push(`    ${oneLine(c.message)}`);
      if (c.hint) lines.push(`    Co poprawić: ${oneLine(c.hint)}`);
    }
  }
  lines.push('', `Przewidywana ocena: ${result.score.grade}`);
  if (o.quick) lines.push('Uwaga: bez budowania punkty za budowanie i cache nie są liczone; pełne sprawdzenie: grader check (bez --quick).');
  return lines;
}

function oneLine(text: string, max = 400): string {
  const s = text.replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
