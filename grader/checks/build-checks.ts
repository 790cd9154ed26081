/** build.first, cache.imported, cache.hit: verdicts from the two reproduced builds. Pure. */
import type { BuildLogAnalysis } from '../build-log/parse.ts';
import type { BuildOutcome } from '../docker/build-runner.ts';
import type { CheckId, CheckResult, Evidence, LogLine } from '../results/types.ts';
import type { BuildVerdict } from './build-failure.ts';
import { DOCS } from './docs.ts';

export interface BuildFacts {
  outcome: BuildOutcome;
  analysis: BuildLogAnalysis;
  verdict: BuildVerdict;
  /** Log file name relative to the results folder. */
  logFile: string;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function commandEvidence(b: BuildFacts, title: string): Evidence {
  return { kind: 'command', title, argv: b.outcome.argv };
}

function logEvidence(title: string, file: string, lines: LogLine[]): Evidence {
  return { kind: 'log', title, file, lines };
}

/** A check about a build that did not run or could not be graded. */
export function notRunCheck(id: CheckId, why: string): CheckResult {
  return { id, status: 'skip', message: `Nie sprawdzano: ${why}.`, evidence: [] };
}

function infraBuildCheck(id: CheckId, b: BuildFacts, reason: string): CheckResult {
  return {
    id,
    status: 'error',
    message: `Nie do oceny: budowanie przerwała awaria infrastruktury (${reason}). To nie jest błąd studenta.`,
    hint: 'Sprawdź silnik Docker i registry7 (grader doctor), a potem oceń pracę ponownie.',
    evidence: [commandEvidence(b, 'Polecenie'), logEvidence('Koniec logu', b.logFile, b.analysis.error?.lines ?? [])],
  };
}

/** build.first when the grader refused to run the build at all (a frontend other than docker/dockerfile). */
export function refusedBuildCheck(reason: string): CheckResult {
  return {
    id: 'build.first',
    status: 'fail',
    message: reason,
    hint: 'Usuń dyrektywę # syntax= albo wskaż docker/dockerfile (np. # syntax=docker/dockerfile:1), a z submission.json argument BUILDKIT_SYNTAX.',
    docs: [DOCS.dockerfile],
    evidence: [],
  };
}

export function buildFirstCheck(b: BuildFacts): CheckResult {
  const id = 'build.first';
  const v = b.verdict;
  if (v.kind === 'infra') return infraBuildCheck(id, b, v.reason);
  if (v.kind === 'ok') {
    const digest = b.outcome.metadata.imageDigest ?? b.analysis.push.manifestList ?? undefined;
    if (!digest) {
      return {
        id,
        status: 'fail',
        message: 'Budowanie zakończyło się sukcesem, ale nic nie wypchnięto do registry7 (brak digestu obrazu).',
        hint: 'Budowanie musi wypchnąć obraz: --push (skrót dla --output type=registry).',
        docs: [DOCS.buildxBuild],
        evidence: [commandEvidence(b, 'Polecenie')],
      };
    }
    return {
      id,
      status: 'pass',
      message: `Pierwsze budowanie w pustym builderze powiodło się w ${seconds(b.outcome.durationMs)} i wypchnęło obraz ${digest}.`,
      evidence: [commandEvidence(b, 'Polecenie (budowanie 1)'), logEvidence('Eksport cache i wypchnięcie obrazu', b.logFile, [...b.analysis.cacheExport.lines])],
      metrics: { durationMs: b.outcome.durationMs, digest },
    };
  }
  if (v.kind === 'cancelled') return notRunCheck(id, 'ocenę przerwano');
  const timeout = v.kind === 'timeout';
  const err = b.analysis.error;
  return {
    id,
    status: 'fail',
    message: timeout
      ? `Pierwsze budowanie nie skończyło się w limicie czasu (${seconds(b.outcome.durationMs)}) i zostało przerwane.`
      : b.outcome.logOverflow
        ? `Pierwsze budowanie nie powiodło się: ${v.reason}.`
        : `Pierwsze budowanie nie powiodło się: ${err?.message ?? v.reason}` + (err?.dockerfile ? ` (${err.dockerfile.file}, wiersz ${err.dockerfile.line}).` : ''),
    hint: v.kind === 'student' && v.hint
      ? v.hint
      : timeout
        ? 'Sprawdź, czy żaden krok RUN nie czeka w nieskończoność (serwer, sleep, pytanie o dane) i czy budowanie kończy się lokalnie dla obu platform.'
        : err?.exitCode === 127
          ? 'Kod 127: polecenia z kroku RUN nie ma w obrazie bazowym danej platformy. Zainstaluj je we wcześniejszym kroku albo zmień obraz bazowy.'
          : 'Popraw krok wskazany w logu i zbuduj obraz lokalnie dla obu platform: docker buildx build --platform linux/amd64,linux/arm64 .',
    docs: [DOCS.dockerfile, DOCS.multiPlatform],
    evidence: [commandEvidence(b, 'Polecenie (budowanie 1)'), logEvidence('Błąd budowania', b.logFile, err?.lines ?? [])],
    metrics: { durationMs: b.outcome.durationMs, exitCode: b.outcome.exitCode ?? 'brak' },
  };
}

/** How build 2 ended when it did not succeed, as a sentence for the cache checks; undefined when it succeeded. */
function secondBuildEnd(b: BuildFacts): string | undefined {
  const v = b.verdict;
  if (v.kind === 'timeout') return `Drugie budowanie przekroczyło limit czasu (${seconds(b.outcome.durationMs)}) i zostało przerwane.`;
  if (v.kind === 'student') return `Drugie budowanie nie powiodło się: ${b.outcome.logOverflow ? v.reason : (b.analysis.error?.message ?? v.reason)}.`;
  return undefined;
}

export function cacheImportedCheck(b: BuildFacts, cacheRef: string): CheckResult {
  const id = 'cache.imported';
  if (b.verdict.kind === 'infra') return infraBuildCheck(id, b, b.verdict.reason);
  const imp = b.analysis.cacheImport;
  const ended = secondBuildEnd(b);
  const evidence = [commandEvidence(b, 'Polecenie (budowanie 2, pusty builder)'), logEvidence('Import cache', b.logFile, imp.lines)];
  if (imp.status === 'imported') {
    // The import comes first in a build: it happened even when a later step failed.
    return { id, status: 'pass', message: `Drugie budowanie zaimportowało manifest cache z ${imp.ref ?? cacheRef}.${ended ? ` ${ended}` : ''}`, evidence };
  }
  const messages: Record<Exclude<typeof imp.status, 'imported'>, string> = {
    'not-found': `Import cache nic nie znalazł: w registry7 nie ma manifestu cache ${cacheRef} (${imp.message ?? 'not found'}).`,
    failed: `Import cache z ${cacheRef} nie powiódł się: ${imp.message ?? 'błąd bez komunikatu'}.`,
    'not-requested': 'W logu drugiego budowania nie ma importu cache (importing cache manifest).',
  };
  return {
    id,
    status: 'fail',
    message: ended && imp.status === 'not-requested' ? `${ended} Do tego miejsca w logu nie ma importu cache (importing cache manifest).` : messages[imp.status],
    hint: 'Drugie budowanie szuka cache pod referencją z --cache-from; musi to być ta sama referencja, do której eksportuje --cache-to type=registry,ref=...',
    docs: [DOCS.registryCache],
    evidence,
  };
}

export function cacheHitCheck(b: BuildFacts, platforms: readonly string[], minRatio: number): CheckResult {
  const id = 'cache.hit';
  if (b.verdict.kind === 'infra') return infraBuildCheck(id, b, b.verdict.reason);
  const rows = platforms.map((p) => {
    const s = b.analysis.platforms.find((x) => x.platform === p);
    const ratio = s && s.total > 0 ? s.cached / s.total : 0;
    return { platform: p, cached: s?.cached ?? 0, total: s?.total ?? 0, ratio };
  });
  const table: Evidence = {
    kind: 'table',
    title: 'Kroki CACHED w drugim budowaniu',
    columns: ['Platforma', 'CACHED', 'Wszystkie kroki', 'Udział'],
    rows: rows.map((r) => [r.platform, String(r.cached), String(r.total), `${Math.round(r.ratio * 100)}%`]),
  };
  const evidence = [table, logEvidence('Wiersze CACHED (budowanie 2)', b.logFile, b.analysis.evidence)];
  const metrics = Object.fromEntries(rows.flatMap((r) => [[`${r.platform}.cached`, r.cached], [`${r.platform}.total`, r.total]]));
  const summary = rows.map((r) => `${r.platform} ${r.cached}/${r.total}`).join(', ');
  const low = rows.filter((r) => r.ratio < minRatio);
  const ended = secondBuildEnd(b);
  if (ended) {
    // Steps after the failure never ran: their counts say nothing about the cache.
    return {
      id,
      status: 'fail',
      message: `${ended} Kroki z cache do miejsca przerwania: ${summary}; wynik cache nie jest pełny.`,
      hint: 'Najpierw popraw budowanie (błąd albo limit czasu w drugim budowaniu); kroki CACHED liczą się z pełnego, udanego budowania.',
      docs: [DOCS.registryCache],
      evidence,
      metrics,
    };
  }
  if (low.length === 0) {
    return { id, status: 'pass', message: `Kroki z cache (CACHED) w drugim budowaniu: ${summary}.`, evidence, metrics };
  }
  const worst = Math.min(...rows.map((r) => r.ratio));
  return {
    id,
    status: 'fail',
    message: `Za mało kroków z cache w drugim budowaniu: ${summary} (wymagane co najmniej ${Math.round(minRatio * 100)}% dla każdej platformy).`,
    hint: 'Cache w trybie max eksportuje warstwy wszystkich etapów; krok poza cache oznacza, że jego dane wejściowe zmieniają się między budowaniami (np. ADD z adresu URL, pliki generowane w czasie budowania) albo że cache nie obejmuje danego etapu lub platformy.',
    docs: [DOCS.cacheMode, DOCS.registryCache],
    evidence,
    metrics,
    partial: worst,
  };
}
