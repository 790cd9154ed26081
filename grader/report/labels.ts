/** Polish texts of the report: statuses, check titles, lab stages, default documentation links. */
import type { CheckId, CheckOverride, CheckStatus, DocLink, GradeResult } from '../results/types.ts';
import { DOCS } from '../checks/docs.ts';
import { escapeInline } from './escape.ts';

export const STATUS_LABEL: Record<CheckStatus, string> = {
  pass: 'zaliczone',
  fail: 'niezaliczone',
  error: 'nie do oceny (awaria infrastruktury)',
  skip: 'pominięte',
  manual: 'do sprawdzenia ręcznie',
};

/** "zaliczone (było: niezaliczone)": the instructor's decision beside the grader's verdict it replaced. Escaped. */
export function decisionVerdict(status: CheckStatus, partial: number | undefined, override: CheckOverride): string {
  const { original } = override;
  const now = verdictText(status, partial);
  const before = verdictText(original.status, original.partial);
  return now === before ? `${now} (jak ocenił program)` : `${now} (było: ${before})`;
}

function verdictText(status: CheckStatus, partial: number | undefined): string {
  const label = STATUS_LABEL[status] ?? escapeInline(status, 30);
  // Partial credit only counts for pass and fail (see CheckResult.partial).
  const share = partial !== undefined && (status === 'pass' || status === 'fail') ? `, ${formatPoints(partial * 100)}% punktów` : '';
  return label + share;
}

export interface CheckLabel {
  title: string;
  /** What the grader checked, in the lab's words. */
  what: string;
}

export const CHECK_LABELS: Record<CheckId, CheckLabel> = {
  'image.multiplatform': {
    title: 'Obraz wieloplatformowy w rejestrze',
    what:
      'Manifest obrazu podanego w submission.json (published.image) ma być indeksem (OCI image index / manifest list) ' +
      'z wpisami dla platform linux/amd64 i linux/arm64 – to samo, co pokazuje ' +
      '`docker buildx imagetools inspect`.',
  },
  'builder.container': {
    title: 'Builder ze sterownikiem docker-container',
    what:
      'Wśród poleceń studenta jest `docker buildx create` ze sterownikiem docker-container, ' +
      'a budowanie używa tego buildera (`--use`, `docker buildx use` albo `--builder`), albo wklejony log budowania ' +
      'zaczyna się wierszem `#0 building with … instance using docker-container driver`.',
  },
  'build.first': {
    title: 'Pierwsze budowanie polecenia studenta (pusty builder)',
    what:
      'Polecenie `docker buildx build` studenta, powtórzone przez program w nowym, pustym builderze ' +
      '(z referencjami obrazów przeniesionymi do registry7 gradera), ma zakończyć się sukcesem i wypchnąć obraz.',
  },
  'build.index': {
    title: 'Indeks obrazu zbudowanego przez program',
    what:
      'Obraz wypchnięty przez polecenie studenta w pierwszym budowaniu ma mieć manifesty ' +
      'dla linux/amd64 i linux/arm64.',
  },
  'cache.published': {
    title: 'Obraz cache opublikowany przez studenta',
    what:
      'Obraz cache wskazany w submission.json (published.cache) ma być osobnym obrazem z danymi cache ' +
      '(konfiguracja `application/vnd.buildkit.cacheconfig.v0`) w trybie max.',
  },
  'cache.exported': {
    title: 'Eksport cache do rejestru (--cache-to, mode=max)',
    what:
      'Polecenie studenta ma eksportować dane cache do rejestru (`--cache-to type=registry`) jako osobny obraz, ' +
      'w trybie max; tryb program odczytuje z rekordów konfiguracji cache w registry7.',
  },
  'cache.imported': {
    title: 'Import cache z rejestru (--cache-from)',
    what:
      'Drugie budowanie tego samego polecenia, w kolejnym pustym builderze, ma pobrać manifest cache ' +
      'z rejestru (`--cache-from type=registry`).',
  },
  'cache.hit': {
    title: 'Kroki wzięte z cache (CACHED) dla obu platform',
    what:
      'W drugim budowaniu kroki z Dockerfile dla linux/amd64 i linux/arm64 mają być wzięte z cache ' +
      '(CACHED według postępu BuildKit, nie według tekstu wypisanego przez kroki RUN).',
  },
  'bonus.registry7.delete': {
    title: 'Usunięcie obrazu cache z registry7',
    what:
      'Skrypt studenta, uruchomiony w piaskownicy na kopii registry7, usunął obraz cache przez API ' +
      '(DELETE manifestu po digeście), obraz aplikacji został, a garbage collection zwolnił miejsce.',
  },
  'reference.build': {
    title: 'Budowanie poleceniem wzorcowym (bez punktów)',
    what:
      'Gdy praca nie podaje własnego polecenia budowania, program sprawdza, czy Dockerfile buduje się ' +
      'dla obu platform poleceniem z instrukcji laboratorium. To tylko informacja: nie daje punktów.',
  },
  'report.twoBuilds': {
    title: 'Sprawozdanie: dwa budowania',
    what: 'Sprawozdanie pokazuje co najmniej dwa budowania (polecenia `docker buildx build` albo wklejone logi).',
  },
  'report.platforms': {
    title: 'Sprawozdanie: budowanie dla obu platform',
    what: 'Polecenie budowania w sprawozdaniu podaje `--platform linux/amd64,linux/arm64`.',
  },
  'report.manifest': {
    title: 'Sprawozdanie: manifest z obiema platformami',
    what: 'Sprawozdanie pokazuje wynik inspekcji manifestu (np. `docker buildx imagetools inspect`) z linux/amd64 i linux/arm64.',
  },
  'report.cacheEvidence': {
    title: 'Sprawozdanie: dowód użycia cache',
    what: 'Wklejony log budowania pokazuje import cache z rejestru (`importing cache manifest from …`) i kroki CACHED.',
  },
  'report.builder': {
    title: 'Sprawozdanie: builder docker-container',
    what: 'Sprawozdanie pokazuje builder ze sterownikiem docker-container: `docker buildx create`, wiersz logu `#0 building with … docker-container driver` albo `docker buildx ls`.',
  },
  'report.registry7': {
    title: 'Sprawozdanie: registry7',
    what: 'Sprawozdanie pokazuje uruchomienie kontenera registry7 z obrazu `registry` (np. `docker run … --name registry7 registry:2`).',
  },
  'report.cacheTo': {
    title: 'Sprawozdanie: --cache-to z mode=max jako osobny obraz',
    what: 'Polecenie budowania w sprawozdaniu eksportuje cache do rejestru (`--cache-to type=registry,…,mode=max`) pod referencją inną niż obraz.',
  },
  'report.bonus': {
    title: 'Sprawozdanie: odpowiedź na zadanie dodatkowe',
    what: 'Sprawozdanie opisuje usunięcie obrazu cache z registry7: usuwanie włączone, digest z nagłówkiem Accept, DELETE po digeście, garbage collection.',
  },
  'report.consistency': {
    title: 'Sprawozdanie a repozytorium (bez punktów)',
    what:
      'Kroki z wklejonych logów są w Dockerfile, polecenie budowania w sprawozdaniu jest tym z repozytorium, a digesty ze sprawozdania ' +
      'zgadzają się z opublikowanymi (gdy rejestr jest dostępny). Rozbieżność nie odbiera punktów: jest do sprawdzenia ręcznie.',
  },
};

export interface Stage {
  heading: string;
  checks: CheckId[];
}

/** Report sections, mirroring the lab text. */
export const STAGES: Stage[] = [
  { heading: 'Etap 1 – obraz wieloplatformowy', checks: ['image.multiplatform', 'builder.container', 'build.first', 'build.index', 'reference.build'] },
  {
    heading: 'Etap 2 – cache budowania z rejestru',
    checks: ['cache.published', 'cache.exported', 'cache.imported', 'cache.hit'],
  },
  {
    heading: 'Sprawozdanie',
    checks: ['report.twoBuilds', 'report.platforms', 'report.manifest', 'report.cacheEvidence', 'report.builder', 'report.registry7', 'report.cacheTo', 'report.consistency'],
  },
  { heading: 'Zadanie dodatkowe – usuwanie obrazów z registry7', checks: ['bonus.registry7.delete', 'report.bonus'] },
];


/** Cited under a failed or ungradable check when the check itself named no page. */
export const DEFAULT_DOCS: Record<CheckId, DocLink[]> = {
  'image.multiplatform': [DOCS.multiPlatform, DOCS.imagetools],
  'builder.container': [DOCS.dockerContainerDriver],
  'build.first': [DOCS.dockerContainerDriver, DOCS.pushToRegistry],
  'build.index': [DOCS.multiPlatform, DOCS.imagetools],
  'cache.published': [DOCS.registryCache, DOCS.cacheSyntax],
  'cache.exported': [DOCS.registryCache, DOCS.cacheMode],
  'cache.imported': [DOCS.registryCache, DOCS.cacheSyntax],
  'cache.hit': [DOCS.cacheInvalidation, DOCS.cacheMode],
  'bonus.registry7.delete': [DOCS.deleteApi, DOCS.garbageCollection],
  'reference.build': [DOCS.multiPlatform],
  'report.twoBuilds': [DOCS.buildxBuild],
  'report.platforms': [DOCS.multiPlatform],
  'report.manifest': [DOCS.imagetools],
  'report.cacheEvidence': [DOCS.registryCache],
  'report.builder': [DOCS.dockerContainerDriver],
  'report.registry7': [DOCS.deleteApi],
  'report.cacheTo': [DOCS.registryCache, DOCS.cacheMode],
  'report.bonus': [DOCS.deleteApi, DOCS.garbageCollection],
  'report.consistency': [DOCS.buildxBuild],
};

export const ISOLATION_LABEL: Record<NonNullable<GradeResult['environment']['isolation']>, string> = {
  container: 'osobny silnik Docker w kontenerze dla każdego budowania',
  prune: 'wspólny silnik Docker, buildery i ich cache usuwane między budowaniami',
};

/** "12,3 s" / "2 min 05 s": Polish decimal comma. */
export function formatDuration(ms: unknown): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return '—';
  // No-break spaces keep "14,8 s" together in narrow table columns.
  if (ms < 60_000) return `${(ms / 1000).toFixed(1).replace('.', ',')}\u00a0s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}\u00a0min ${String(s % 60).padStart(2, '0')}\u00a0s`;
}

/** "2026-11-22 23:41 UTC": unambiguous and independent of the grader's time zone. */
export function formatDate(iso: unknown): string {
  const d = new Date(String(iso));
  if (Number.isNaN(d.getTime())) return String(iso ?? '—');
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "1 / 2 pkt", "—" when scoring gave no points. */
export function formatPoints(points: unknown): string {
  if (typeof points !== 'number' || !Number.isFinite(points)) return '—';
  return String(Math.round(points * 100) / 100).replace('.', ',');
}
