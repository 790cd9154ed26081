/**
 * Verdicts read from the student's build command itself, before or beside what its reproduction
 * did: a missing command, a flag the lab needs and the command lacks. Pure.
 */
import { sourceText } from '../commands/describe.ts';
import type { StudentBuildPlan } from '../grade/student-build.ts';
import type { CheckId, CheckResult, Evidence } from '../results/types.ts';
import type { BuildFacts } from './build-checks.ts';
import { DOCS } from './docs.ts';

const LAB_COMMAND =
  'docker buildx build --platform linux/amd64,linux/arm64 -t <registry7>/<repozytorium>:<tag> --push ' +
  '--cache-to type=registry,ref=<registry7>/<repozytorium>:buildcache,mode=max --cache-from type=registry,ref=<registry7>/<repozytorium>:buildcache .';

/** The student's command as written, the command the grader ran instead, and what was changed. */
export function studentCommandEvidence(plan: StudentBuildPlan, argv: string[]): Evidence[] {
  const out: Evidence[] = [
    { kind: 'text', title: `Polecenie studenta (${sourceText(plan.source)})`, text: plan.text },
    { kind: 'command', title: 'Polecenie odtworzone przez program (referencje przeniesione do registry7)', argv },
  ];
  const notes = [...plan.notes];
  if (plan.others.length) notes.push(`Inne polecenia budowania studenta (${plan.others.map(sourceText).join('; ')}) nie są powtarzane: powtórzono to, które obejmuje najwięcej wymagań laboratorium.`);
  if (notes.length) out.push({ kind: 'text', title: 'Zmiany względem polecenia studenta', text: notes.join('\n') });
  return out;
}

/** A reproduction check when the student gave no build command: not a pass, and not gradable from anything else. */
export function noCommandCheck(id: CheckId, commandsGiven: boolean): CheckResult {
  return {
    id,
    status: 'fail',
    message: commandsGiven
      ? 'Brak polecenia studenta: wśród podanych poleceń nie ma docker buildx build, więc nie ma czego powtórzyć.'
      : 'Brak polecenia studenta: praca nie podaje swojego polecenia budowania, więc nie ma czego powtórzyć.',
    hint: `Dodaj do submission.json swoje polecenia: "build": { "script": "build.sh" } (plik z poleceniami) albo "build": { "commands": ["docker buildx build ..."] }. Polecenie z laboratorium: ${LAB_COMMAND}`,
    docs: [DOCS.buildxBuild],
    evidence: [],
  };
}

/** build.first when the student's command cannot be run from the submission. */
export function unusableCommandCheck(reason: string): CheckResult {
  return {
    id: 'build.first',
    status: 'fail',
    message: reason,
    hint: 'Polecenie musi budować z plików oddanej pracy: kontekst (np. „.”) i Dockerfile wewnątrz repozytorium, ścieżki względne wobec miejsca, z którego je uruchamiasz.',
    docs: [DOCS.buildxBuild],
    evidence: [],
  };
}

/** build.index when the command does not push: nothing reached a registry, whatever was built. */
export function notPushedCheck(plan: StudentBuildPlan, first: BuildFacts): CheckResult {
  const what = plan.output === 'load' ? 'ładuje obraz do lokalnego magazynu (--load)' : plan.output === 'local-files' ? 'zapisuje wynik do plików (--output)' : 'nie podaje wyjścia (--push ani --output type=registry)';
  return {
    id: 'build.index',
    status: 'fail',
    message: `Polecenie studenta ${what}, więc obraz nie trafia do rejestru i nie ma indeksu dla linux/amd64 i linux/arm64.`,
    hint: 'Obraz wieloplatformowy wypycha się do rejestru: dodaj --push (albo --output type=registry) i -t <registry7>/<repozytorium>:<tag>.',
    docs: [DOCS.pushToRegistry, DOCS.multiPlatform],
    evidence: [{ kind: 'command', title: 'Polecenie (budowanie 1)', argv: first.outcome.argv }],
  };
}

/** cache.exported from the command: no registry export, or the cache under the image's own ref. */
export function cacheExportProblem(plan: StudentBuildPlan): CheckResult | undefined {
  const registry = plan.cacheTo.find((c) => c.type === 'registry');
  const docs = [DOCS.registryCache, DOCS.cacheMode];
  if (!registry) {
    return {
      id: 'cache.exported',
      status: 'fail',
      message: plan.cacheTo.length
        ? 'Polecenie studenta eksportuje cache, ale nie do rejestru (laboratorium wymaga --cache-to type=registry).'
        : 'Polecenie studenta nie eksportuje cache (brak --cache-to).',
      hint: 'Dodaj --cache-to type=registry,ref=<registry7>/<repozytorium>:buildcache,mode=max.',
      docs,
      evidence: [],
    };
  }
  const clash = plan.tags.find((t) => t.repository === registry.ref!.repository && t.tag === registry.ref!.tag);
  if (clash) {
    return {
      id: 'cache.exported',
      status: 'fail',
      message: `Polecenie studenta zapisuje cache pod tą samą referencją co obraz (${clash.student}); laboratorium wymaga cache jako osobnego obrazu.`,
      hint: 'Użyj w --cache-to innego tagu niż w -t, np. :buildcache.',
      docs,
      evidence: [],
    };
  }
  return undefined;
}

/**
 * cache.exported when the command exports mode=min but the registry content could not show it:
 * a one-stage Dockerfile stores the same records in both modes, and the command is the
 * student's own word on the mode. The registry's evidence stays.
 */
export function commandModeCheck(plan: StudentBuildPlan, registryCheck: CheckResult): CheckResult {
  const registry = plan.cacheTo.find((c) => c.type === 'registry');
  if (!registry || registry.mode === 'max' || registryCheck.status !== 'pass') return registryCheck;
  return {
    ...registryCheck,
    status: 'fail',
    message: registry.modeWritten
      ? 'Polecenie studenta eksportuje cache w trybie min (--cache-to …,mode=min), a laboratorium wymaga mode=max.'
      : 'Polecenie studenta nie podaje trybu w --cache-to, więc buildx eksportuje cache w domyślnym trybie min, a laboratorium wymaga mode=max.',
    hint: 'Dodaj mode=max do --cache-to: --cache-to type=registry,ref=<registry7>/<repozytorium>:buildcache,mode=max.',
    docs: [DOCS.registryCache, DOCS.cacheMode],
  };
}

/** cache.imported when the command has no registry import. */
export function noCacheImportCheck(second: BuildFacts): CheckResult {
  return {
    id: 'cache.imported',
    status: 'fail',
    message: 'Polecenie studenta nie importuje cache (brak --cache-from type=registry), więc drugie budowanie w pustym builderze nie może skorzystać z cache z rejestru.',
    hint: 'Dodaj --cache-from type=registry,ref=<ta sama referencja co w --cache-to>.',
    docs: [DOCS.registryCache],
    evidence: [{ kind: 'command', title: 'Polecenie (budowanie 2, pusty builder)', argv: second.outcome.argv }],
  };
}

/** reference.build: the lab's own command on the student's Dockerfile, when the student gave none. Worth nothing. */
export function referenceBuildCheck(b: BuildFacts): CheckResult {
  const evidence: Evidence[] = [{ kind: 'command', title: 'Polecenie wzorcowe z laboratorium (uruchomione przez program)', argv: b.outcome.argv }];
  const v = b.verdict;
  if (v.kind === 'ok') {
    return { id: 'reference.build', status: 'pass', message: 'Dockerfile buduje się dla linux/amd64 i linux/arm64 poleceniem wzorcowym z laboratorium. To tylko informacja: nie daje punktów, bo nie jest pracą studenta.', evidence };
  }
  if (v.kind === 'infra') return { id: 'reference.build', status: 'error', message: `Nie do oceny: budowanie wzorcowe przerwała awaria infrastruktury (${v.reason}).`, evidence };
  if (v.kind === 'cancelled') return { id: 'reference.build', status: 'skip', message: 'Nie sprawdzano: ocenę przerwano.', evidence };
  return {
    id: 'reference.build',
    status: 'fail',
    message: `Dockerfile nie buduje się poleceniem wzorcowym z laboratorium: ${v.kind === 'timeout' ? 'przekroczono limit czasu' : (b.analysis.error?.message ?? v.reason)}. To tylko informacja, bez punktów.`,
    evidence: [...evidence, { kind: 'log', title: 'Błąd budowania wzorcowego', file: b.logFile, lines: b.analysis.error?.lines ?? [] }],
  };
}
