/** raport.md: the Polish report rendered from results.json. Pure: no I/O. */
import type { BuildRecord, CheckId, CheckResult, DocLink, GradeResult } from '../results/types.ts';
import { codeSpan, escapeInline, link, oneLine, safeDocUrl, safeRelativePath, table } from './escape.ts';
import { renderEvidence } from './evidence.ts';
import { HIGHLIGHT_MARK } from './excerpt.ts';
import {
  CHECK_LABELS,
  DEFAULT_DOCS,
  decisionVerdict,
  ISOLATION_LABEL,
  STAGES,
  STATUS_LABEL,
  formatDate,
  formatDuration,
  formatPoints,
} from './labels.ts';

export interface MarkdownOptions {
  /** Evidence items shown per check (the rest is counted, not shown). */
  maxEvidencePerCheck?: number;
}

/** First line of every raport.md: lets `grader report` recognise its own files before overwriting them. */
export const REPORT_TITLE = '# Raport oceny – laboratorium 7 (Docker Buildx)';

const MAX_EVIDENCE = 12;

/** The whole report as Markdown; every string from the result is escaped. */
export function renderMarkdown(result: GradeResult, opts: MarkdownOptions = {}): string {
  const checks = Array.isArray(result.checks) ? result.checks : [];
  const parts: string[] = [REPORT_TITLE, renderHeader(result), renderSummary(result, checks)];
  const builds = renderBuilds(Array.isArray(result.builds) ? result.builds : []);
  if (builds) parts.push(builds);

  const staged = new Set<string>(STAGES.flatMap((s) => s.checks));
  for (const stage of STAGES) {
    const inStage = stage.checks.flatMap((id) => checks.filter((c) => c.id === id));
    const body = inStage.length
      ? inStage.map((c) => renderCheck(c, opts)).join('\n\n')
      : '_Brak sprawdzeń tego etapu w wynikach._';
    parts.push(`## ${stage.heading}\n\n${body}`);
  }
  const others = checks.filter((c) => !staged.has(c.id));
  if (others.length) parts.push(`## Inne sprawdzenia\n\n${others.map((c) => renderCheck(c, opts)).join('\n\n')}`);

  const tool = result.tool ?? { name: 'buildx-grader', version: '?' };
  parts.push(
    `---\n\n_Raport wygenerował ${escapeInline(tool.name, 50)} ${escapeInline(tool.version, 50)}; źródło: plik results.json. ` +
      `Można go odtworzyć bez ponownego budowania poleceniem ${codeSpan('grader report results.json')}._`,
  );
  return parts.join('\n\n') + '\n';
}

function renderHeader(r: GradeResult): string {
  const s = r.submission ?? ({} as Partial<GradeResult['submission']>);
  const env = r.environment ?? ({} as Partial<GradeResult['environment']>);
  const items: string[] = [
    `**Student:** ${escapeInline(r.student?.name, 200) || '—'}, nr indeksu: ${codeSpan(r.student?.id, { max: 100 }) || '—'}`,
    `**Obraz opublikowany przez studenta:** ${codeSpan(s.image, { max: 300 }) || '_nie podano_'}`,
    `**Obraz cache opublikowany przez studenta:** ${codeSpan(s.cache, { max: 300 }) || '_nie podano_'}`,
    `**Polecenie budowania studenta:** ${s.command ? escapeInline(s.command.source, 300) : '_brak: praca nie podaje polecenia docker buildx build_'}`,
  ];
  if (r.reproduced) {
    items.push(`**Obraz zbudowany przez program w registry7:** ${codeSpan(r.reproduced.image, { max: 300 })}`);
    items.push(`**Cache zbudowany przez program w registry7:** ${codeSpan(r.reproduced.cache, { max: 300 })}`);
  }
  const platforms = Array.isArray(s.platforms) ? s.platforms.map((p) => codeSpan(p, { max: 50 })).join(', ') : '';
  items.push(
    `**Dockerfile:** ${codeSpan(s.dockerfile, { max: 300 }) || '—'}, kontekst: ${codeSpan(s.context, { max: 300 }) || '—'}` +
      (platforms ? `, platformy: ${platforms}` : ''),
  );
  if (Array.isArray(s.inferred) && s.inferred.length) {
    const rows = s.inferred.slice(0, 30).map((i) => `${codeSpan(i.field, { max: 60 })} = ${codeSpan(i.value, { max: 200 })} (${escapeInline(i.from, 300)})`);
    items.push(`**Brak submission.json – ustalono z repozytorium:** ${rows.join('; ')}`);
  }
  items.push(`**Data oceny:** ${escapeInline(formatDate(r.gradedAt), 60)}`);
  items.push(
    `**Program:** ${escapeInline(r.tool?.name, 50)} ${escapeInline(r.tool?.version, 50)}; ` +
      `rubryka: ${escapeInline(r.rubric?.title, 200)} (${codeSpan(r.rubric?.id, { max: 100 })})`,
  );
  if (env.isolation) {
    const label = ISOLATION_LABEL[env.isolation] ?? escapeInline(env.isolation, 50);
    const reason = env.isolationReason ? ` – ${escapeInline(env.isolationReason, 500)}` : '';
    items.push(`**Izolacja budowań:** ${label}${reason}`);
  }
  if (env.registry7) items.push(`**Rejestr registry7:** ${codeSpan(env.registry7, { max: 200 })}`);
  const versions = Object.entries(env.versions ?? {});
  if (versions.length) {
    items.push(
      `**Wersje narzędzi:** ${versions
        .slice(0, 12)
        .map(([k, v]) => `${escapeInline(k, 40)} ${codeSpan(v, { max: 80 })}`)
        .join(', ')}`,
    );
  }
  return items.map((i) => `- ${i}`).join('\n');
}

function renderSummary(r: GradeResult, checks: CheckResult[]): string {
  const rows = checks.map((c) => [
    `${escapeInline(titleOf(c.id), 200)}${c.id.startsWith('bonus.') ? ' (dodatkowe)' : ''}${c.override ? ' (decyzja prowadzącego)' : ''}`,
    statusText(c),
    // An ungradable check earned nothing yet, but it did not lose points either.
    c.status === 'error' ? '—' : formatPoints(c.points),
    formatPoints(c.maxPoints),
  ]);
  const score = r.score;
  if (score) {
    rows.push(['**Razem**', '', `**${formatPoints(score.points)}**`, `**${formatPoints(score.max)}**`]);
    if (score.bonusMax > 0) {
      rows.push(['**Zadanie dodatkowe**', '', `**${formatPoints(score.bonusPoints)}**`, `**${formatPoints(score.bonusMax)}**`]);
    }
  }
  const parts = ['## Podsumowanie', table(['Sprawdzenie', 'Status', 'Punkty', 'Maks.'], rows, ['l', 'l', 'r', 'r'])];
  if (score) {
    parts.push(`**Ocena końcowa:** ${escapeInline(score.grade, 300)}`);
    if (Array.isArray(score.requiredFailed) && score.requiredFailed.length) {
      const failed = score.requiredFailed.map((id) => escapeInline(titleOf(id), 200)).join('; ');
      parts.push(`Niezaliczone sprawdzenia obowiązkowe: ${failed}.`);
    }
  }
  const errors = checks.filter((c) => c.status === 'error');
  if (r.needsRegrade || errors.length) {
    parts.push(
      `> **Uwaga: wynik wymaga ponownej oceny.** Części sprawdzeń (${errors.length}) nie udało się wykonać ` +
        `z powodu awarii infrastruktury (rejestr, silnik Docker), a nie z powodu błędu w pracy studenta. ` +
        `Należy ocenić pracę ponownie później; te sprawdzenia nie są liczone jako niezaliczone.`,
    );
  }
  parts.push(
    `_Jak czytać dowody: w wycinkach logów pierwsza kolumna to numer linii w pełnym logu, ` +
      `a znak ${HIGHLIGHT_MARK} oznacza linię, która jest dowodem (np. CACHED, importing cache manifest)._`,
  );
  return parts.join('\n\n');
}

function renderBuilds(builds: BuildRecord[]): string | undefined {
  if (builds.length === 0) return undefined;
  const platforms = [...new Set(builds.flatMap((b) => (Array.isArray(b.steps) ? b.steps.map((s) => oneLine(s.platform, 40)) : [])))];
  const header = [
    'Budowanie',
    'Czas',
    'Kod wyjścia',
    'Import cache',
    'Eksport cache',
    ...platforms.map((p) => `CACHED / kroki ${escapeInline(p, 40)}`),
    'Pełny log',
  ];
  const rows = builds.map((b) => {
    const file = safeRelativePath(b.logFile);
    return [
      b.n === 1 ? '1 (pusty builder)' : b.n === 2 ? '2 (to samo polecenie, nowy pusty builder)' : escapeInline(b.n, 10),
      formatDuration(b.durationMs),
      b.timedOut ? 'przekroczony limit czasu' : b.exitCode === null || b.exitCode === undefined ? '—' : escapeInline(b.exitCode, 10),
      CACHE_IMPORT_LABEL[b.cacheImport] ?? escapeInline(b.cacheImport, 30),
      b.cacheExported ? 'tak' : 'nie',
      ...platforms.map((p) => {
        const s = (Array.isArray(b.steps) ? b.steps : []).find((x) => oneLine(x.platform, 40) === p);
        return s ? `${formatPoints(s.cached)} / ${formatPoints(s.total)}` : '—';
      }),
      file ? link(file, file) : b.logFile ? codeSpan(b.logFile, { inTable: true, max: 200 }) : '—',
    ];
  });
  const parts = ['## Przebieg budowania', table(header, rows, ['l', 'r', 'r', 'l', 'l', ...platforms.map(() => 'r' as const), 'l'])];
  for (const b of builds) {
    if (b.imageDigest) parts.push(`Budowanie ${escapeInline(b.n, 10)}: digest indeksu obrazu ${codeSpan(b.imageDigest, { max: 100 })}.`);
    if (b.errorSummary) parts.push(`Budowanie ${escapeInline(b.n, 10)} – błąd: ${escapeInline(b.errorSummary, 1000)}`);
  }
  return parts.join('\n\n');
}

const CACHE_IMPORT_LABEL: Record<string, string> = {
  imported: 'zaimportowano',
  'not-found': 'brak cache w rejestrze',
  failed: 'błąd importu',
  'not-requested': 'nie użyto --cache-from',
};

function renderCheck(c: CheckResult, opts: MarkdownOptions): string {
  const label = CHECK_LABELS[c.id as CheckId];
  const parts = [`### ${escapeInline(titleOf(c.id), 200)} (${codeSpan(c.id, { max: 60 })})`];
  if (label) parts.push(`**Co sprawdzono:** ${label.what}`);
  const points =
    typeof c.maxPoints !== 'number'
      ? ''
      : c.status === 'error'
        ? ` – punkty po ponownej ocenie (maks. ${formatPoints(c.maxPoints)} pkt)`
        : ` – ${formatPoints(c.points)} / ${formatPoints(c.maxPoints)} pkt`;
  parts.push(`**Wynik:** ${statusText(c)}${points}`);
  if (c.override) {
    const { by, at, comment } = c.override;
    const who = [by && escapeInline(by, 100), at && escapeInline(formatDate(at), 60)].filter(Boolean).join(', ');
    parts.push(`**Decyzja prowadzącego:** ${decisionVerdict(c.status, c.partial, c.override)} — ${escapeInline(comment)}${who ? ` (${who})` : ''}`);
  }
  if (c.message) parts.push(c.override ? `**Ustalenia programu:** ${escapeInline(c.message)}` : escapeInline(c.message));
  if (c.status === 'error') {
    parts.push(
      '> To nie jest błąd w pracy studenta: sprawdzenia nie dało się wykonać z powodu awarii infrastruktury. ' +
        'Wynik wymaga ponownej oceny.',
    );
  }
  if (c.status === 'fail' || c.status === 'error') {
    const hintLabel = c.status === 'fail' ? 'Prawdopodobna przyczyna i jak to naprawić' : 'Co zrobić';
    if (c.hint) parts.push(`**${hintLabel}:** ${escapeInline(c.hint)}`);
    const docs = Array.isArray(c.docs) && c.docs.length ? c.docs : (DEFAULT_DOCS[c.id as CheckId] ?? []);
    if (docs.length) parts.push(`**Dokumentacja:**\n\n${docs.slice(0, 8).map((d) => `- ${renderDoc(d)}`).join('\n')}`);
  }
  const metrics = Object.entries(c.metrics ?? {});
  if (metrics.length) {
    parts.push(
      `**Pomiary:** ${metrics
        .slice(0, 20)
        .map(([k, v]) => `${codeSpan(k, { max: 60 })} = ${escapeInline(v, 100)}`)
        .join(', ')}`,
    );
  }
  const evidence = Array.isArray(c.evidence) ? c.evidence : [];
  const max = opts.maxEvidencePerCheck ?? MAX_EVIDENCE;
  if (evidence.length) {
    parts.push('**Dowody:**');
    for (const e of evidence.slice(0, max)) parts.push(renderEvidence(e));
    if (evidence.length > max) parts.push(`_… pominięto ${evidence.length - max} kolejnych dowodów._`);
  }
  return parts.join('\n\n');
}

function renderDoc(d: DocLink): string {
  const url = safeDocUrl(d?.url);
  return url ? link(d.title || url, url) : `${escapeInline(d?.title, 200)} (${codeSpan(d?.url, { max: 300 })})`;
}

function titleOf(id: string): string {
  return CHECK_LABELS[id as CheckId]?.title ?? id;
}

function statusText(c: CheckResult): string {
  return STATUS_LABEL[c.status] ?? escapeInline(c.status, 30);
}
