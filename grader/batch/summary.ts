/** The batch summary: one row per student, as CSV (for spreadsheets) and Polish Markdown. Pure. */
import { codeSpan, escapeInline, table } from '../report/escape.ts';
import { decisionVerdict, formatDate, formatPoints } from '../report/labels.ts';
import type { CheckId, CheckStatus, EvidenceFingerprint, GradeResult } from '../results/types.ts';
import type { Rubric } from '../rubric/load-rubric.ts';
import { UTF8_BOM, toCsv } from './csv.ts';

export type SummaryStatus = 'zaliczone' | 'niezaliczone' | 'nie do oceny' | 'brak wyniku';

export interface SummaryInput {
  /** The student's folder name in the output. */
  key: string;
  result?: GradeResult;
}

export interface SummaryRow {
  key: string;
  id: string;
  name: string;
  status: SummaryStatus;
  /** Points per rubric check; null when the check could not be graded (or there is no result). */
  points: Partial<Record<CheckId, number | null>>;
  base: number | null;
  bonus: number | null;
  total: number | null;
  max: number | null;
  percent: number | null;
  grade: string;
  /** Why the student is "nie do oceny" (or has no result). */
  cause?: string;
}

/** First line of summary.md: lets a later run recognise its own file. */
export const SUMMARY_TITLE = '# Podsumowanie oceny – laboratorium 7 (Docker Buildx)';

export function summaryRows(inputs: SummaryInput[], rubric: Rubric): SummaryRow[] {
  return inputs.map(({ key, result }) => {
    if (!result) {
      return {
        key, id: key, name: '', status: 'brak wyniku', points: {}, base: null, bonus: null, total: null, max: null, percent: null,
        grade: 'Brak wyniku — praca nie została oceniona w tym przebiegu', cause: 'brak pliku results.json (przerwano albo pominięto)',
      };
    }
    const points: SummaryRow['points'] = {};
    for (const rule of rubric.checks) {
      const c = result.checks.find((x) => x.id === rule.id);
      points[rule.id] = !c || c.status === 'error' ? null : c.points ?? 0;
    }
    const s = result.score;
    const status: SummaryStatus = result.needsRegrade ? 'nie do oceny' : s.passed === false || s.requiredFailed.length ? 'niezaliczone' : 'zaliczone';
    const row: SummaryRow = {
      key,
      id: result.student.id,
      name: result.student.name,
      status,
      points,
      base: s.points,
      bonus: s.bonusPoints,
      total: round2(s.points + s.bonusPoints),
      max: s.max,
      percent: s.percent,
      grade: s.grade,
    };
    if (status === 'nie do oceny') row.cause = causeOf(result);
    return row;
  });
}

/** The infrastructure faults behind a "nie do oceny", distinct messages, shortest first line each. */
export function causeOf(result: GradeResult): string {
  const messages = result.checks.filter((c) => c.status === 'error').map((c) => c.message.replace(/^Nie sprawdzano: /, ''));
  return [...new Set(messages)].slice(0, 3).join('; ') || 'nieznana przyczyna';
}

/**
 * summary.csv: UTF-8 with a BOM (spreadsheets on Polish Windows then read the diacritics
 * right), comma-separated, RFC 4180 quoting, numbers with a decimal point, CRLF line ends.
 */
export function summaryCsv(rows: SummaryRow[], rubric: Rubric): string {
  const ids = rubric.checks.map((c) => c.id);
  const header = ['folder', 'student_id', 'name', 'status', ...ids, 'base_points', 'bonus_points', 'total', 'max', 'percent', 'grade', 'cause'];
  const num = (n: number | null | undefined) => (n === null || n === undefined ? '' : String(n));
  const body = rows.map((r) => [
    r.key, r.id, r.name, r.status,
    ...ids.map((id) => num(r.points[id])),
    num(r.base), num(r.bonus), num(r.total), num(r.max), num(r.percent), r.grade, r.cause ?? '',
  ]);
  return UTF8_BOM + toCsv([header, ...body]);
}

export interface SummaryMeta {
  generatedAt: string;
  /** Shown in the "grade them again" hint. */
  command?: string;
}

export function summaryMarkdown(rows: SummaryRow[], inputs: SummaryInput[], rubric: Rubric, meta: SummaryMeta): string {
  const count = (s: SummaryStatus) => rows.filter((r) => r.status === s).length;
  const parts: string[] = [SUMMARY_TITLE];
  parts.push([
    `**Rubryka:** ${escapeInline(rubric.title, 300)}`,
    `**Utworzono:** ${formatDate(meta.generatedAt)}`,
    `**Prace:** ${rows.length} — zaliczone: ${count('zaliczone')}, niezaliczone: ${count('niezaliczone')}, ` +
      `nie do oceny: ${count('nie do oceny')}${count('brak wyniku') ? `, bez wyniku: ${count('brak wyniku')}` : ''}`,
  ].join('  \n'));

  parts.push('## Wyniki\n\n' + table(
    ['Folder', 'Student', 'Nr albumu', 'Punkty', '%', 'Status'],
    rows.map((r) => [
      codeSpan(r.key, { inTable: true, max: 80 }),
      escapeInline(r.name, 100) || '—',
      codeSpan(r.id, { inTable: true, max: 40 }) || '—',
      r.total === null ? '—' : `${formatPoints(r.total)} / ${formatPoints(r.max)}`,
      r.percent === null ? '—' : formatPoints(r.percent),
      r.status === 'zaliczone' ? '✔ zaliczone' : r.status === 'niezaliczone' ? '✘ niezaliczone' : `? ${r.status}`,
    ]),
    ['l', 'l', 'l', 'r', 'r', 'l'],
  ));

  const troubled = rows.filter((r) => r.status === 'nie do oceny' || r.status === 'brak wyniku');
  if (troubled.length) {
    const again = meta.command ? ` Ocenić je ponownie: ${codeSpan(meta.command)}.` : '';
    parts.push(`## Nie do oceny\n\nTych prac nie dało się ocenić z przyczyn niezależnych od studenta (awaria infrastruktury, limit czasu, przerwanie).${again}\n\n` +
      troubled.map((r) => `- ${codeSpan(r.key, { max: 80 })} ${escapeInline(r.name, 100)}: ${escapeInline(r.cause ?? r.grade, 600)}`).join('\n'));
  }
  const failed = rows.filter((r) => r.status === 'niezaliczone');
  if (failed.length) {
    parts.push('## Niezaliczone\n\n' + failed.map((r) => `- ${codeSpan(r.key, { max: 80 })} ${escapeInline(r.name, 100)}: ${escapeInline(r.grade, 600)}`).join('\n'));
  }

  const shared = sharedEvidence(inputs);
  if (shared.length) {
    parts.push('## Identyczne dowody\n\nTe same wklejone logi, manifesty albo digesty w sprawozdaniach różnych prac. To nie jest ocena, tylko wskazówka do sprawdzenia.\n\n' +
      shared.map((g) => `- identyczne dowody u: ${g.keys.map((k) => codeSpan(k, { max: 80 })).join(', ')} (${EVIDENCE_KIND[g.kind]}: ${g.places.map((p) => escapeInline(p, 200)).join('; ')})`).join('\n'));
  }

  const inconsistent = inputs.flatMap(({ key, result }) => {
    const c = result?.checks.find((x) => x.id === 'report.consistency' && x.status === 'manual');
    return c ? [{ key, message: c.message }] : [];
  });
  if (inconsistent.length) {
    parts.push('## Sprawozdanie a repozytorium\n\nSprawozdania, które nie we wszystkim zgadzają się z repozytorium albo z opublikowanym obrazem. To nie odbiera punktów, tylko wskazuje, co sprawdzić.\n\n' +
      inconsistent.map(({ key, message }) => `- ${codeSpan(key, { max: 80 })}: ${escapeInline(message, 900)}`).join('\n'));
  }

  const decided = inputs.flatMap(({ key, result }) => (result?.checks ?? []).flatMap((c) => (c.override ? [{ key, c, override: c.override }] : [])));
  if (decided.length) {
    parts.push('## Decyzje prowadzącego\n\n' + decided.map(({ key, c, override }) =>
      `- ${codeSpan(key, { max: 80 })} ${codeSpan(c.id, { max: 60 })}: ${decisionVerdict(c.status, c.partial, override)} — ${escapeInline(override.comment, 600)}`).join('\n'));
  }
  parts.push('## Sprawdzenia\n\n' + table(
    ['Sprawdzenie', 'Punkty', 'zaliczone', 'niezaliczone', 'pominięte', 'nie do oceny', 'do sprawdzenia ręcznie'],
    rubric.checks.map((rule) => {
      const tally: Record<CheckStatus, number> = { pass: 0, fail: 0, skip: 0, error: 0, manual: 0 };
      for (const { result } of inputs) {
        const c = result?.checks.find((x) => x.id === rule.id);
        if (c) tally[c.status]++;
      }
      return [
        `${codeSpan(rule.id, { inTable: true })} ${escapeInline(rule.title, 120)}`,
        rule.bonus ? 'dodatkowe' : formatPoints(rule.points),
        String(tally.pass), String(tally.fail), String(tally.skip), String(tally.error), String(tally.manual),
      ];
    }),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
  ));
  parts.push('---\n\n_Szczegóły każdej pracy: `<folder>/raport.md` (i `raport.pdf`), dane: `<folder>/results.json`, logi budowania: `<folder>/logs/`._');
  return parts.join('\n\n') + '\n';
}

function round2(n: number): number {
  return Math.round((n + Number.EPSILON) * 100) / 100;
}

const EVIDENCE_KIND: Record<EvidenceFingerprint['kind'], string> = { 'build-log': 'log budowania', manifest: 'manifest', digest: 'digest' };

export interface SharedEvidence {
  kind: EvidenceFingerprint['kind'];
  /** Students (output folders) whose reports paste it, in batch order. */
  keys: string[];
  /** `key: file, wiersz N` for each of them. */
  places: string[];
}

/** Pasted evidence that appears in more than one student's report (issue 12: "identyczne dowody u: …"). */
export function sharedEvidence(inputs: readonly SummaryInput[]): SharedEvidence[] {
  const groups = new Map<string, SharedEvidence>();
  for (const { key, result } of inputs) {
    for (const f of result?.submission.evidence ?? []) {
      const id = `${f.kind}:${f.hash}`;
      const g = groups.get(id) ?? { kind: f.kind, keys: [], places: [] };
      if (!g.keys.includes(key)) {
        g.keys.push(key);
        g.places.push(`${key}: ${f.file}, wiersz ${f.line}`);
      }
      groups.set(id, g);
    }
  }
  return [...groups.values()].filter((g) => g.keys.length > 1);
}
