/** Polish texts of the report: statuses, check titles, lab stages, default documentation links. */
import type { CheckId, CheckStatus, DocLink, GradeResult } from '../results/types.ts';
import { DOCS } from '../checks/docs.ts';

export const STATUS_LABEL: Record<CheckStatus, string> = {
  pass: 'zaliczone',
  fail: 'niezaliczone',
  error: 'nie do oceny (awaria infrastruktury)',
  skip: 'pominięte',
};

export interface CheckLabel {
  title: string;
  /** What the grader checked, in the lab's words. */
  what: string;
}

export const CHECK_LABELS: Record<CheckId, CheckLabel> = {
  'image.multiplatform': {
    title: 'Obraz wieloplatformowy w rejestrze',
    what:
      'Manifest obrazu podanego w sprawozdaniu jest indeksem (OCI image index / manifest list) ' +
      'z wpisami dla platform linux/amd64 i linux/arm64 – to samo, co pokazuje ' +
      '`docker buildx imagetools inspect`.',
  },
  'build.first': {
    title: 'Pierwsze budowanie (pusty builder, eksport cache)',
    what:
      'Program powtórzył polecenie budowania studenta w nowym, pustym builderze docker-container ' +
      'dla obu platform i wypchnął obraz do rejestru registry7.',
  },
  'build.index': {
    title: 'Indeks obrazu zbudowanego przez program',
    what:
      'Obraz wypchnięty w pierwszym budowaniu (digest z `--metadata-file`) ma manifesty ' +
      'dla linux/amd64 i linux/arm64.',
  },
  'cache.published': {
    title: 'Obraz cache opublikowany przez studenta',
    what:
      'W rejestrze istnieje osobny obraz z danymi cache wskazany w sprawozdaniu ' +
      '(manifest z konfiguracją `application/vnd.buildkit.cacheconfig.v0`).',
  },
  'cache.exported': {
    title: 'Eksport cache do rejestru (--cache-to, mode=max)',
    what:
      'Pierwsze budowanie wyeksportowało dane cache do rejestru jako osobny obraz ' +
      '(„exporting cache to registry”) w trybie max.',
  },
  'cache.imported': {
    title: 'Import cache z rejestru (--cache-from)',
    what:
      'Drugie budowanie, w kolejnym pustym builderze, pobrało manifest cache z rejestru ' +
      '(„importing cache manifest from …”).',
  },
  'cache.hit': {
    title: 'Kroki wzięte z cache (CACHED) dla obu platform',
    what:
      'W logu drugiego budowania kroki z Dockerfile dla linux/amd64 i linux/arm64 ' +
      'są oznaczone jako CACHED, czyli pochodzą z zaimportowanych danych cache.',
  },
  'bonus.registry7.delete': {
    title: 'Usunięcie obrazu cache z registry7',
    what:
      'Obraz cache został usunięty z rejestru registry7 przez API (DELETE manifestu po digeście), ' +
      'a garbage collection rejestru zwolnił zajmowane miejsce.',
  },
};

export interface Stage {
  heading: string;
  checks: CheckId[];
}

/** Report sections, mirroring the lab text. */
export const STAGES: Stage[] = [
  { heading: 'Etap 1 – obraz wieloplatformowy', checks: ['image.multiplatform', 'build.first', 'build.index'] },
  {
    heading: 'Etap 2 – cache budowania z rejestru',
    checks: ['cache.published', 'cache.exported', 'cache.imported', 'cache.hit'],
  },
  { heading: 'Zadanie dodatkowe – usuwanie obrazów z registry7', checks: ['bonus.registry7.delete'] },
];


/** Cited under a failed or ungradable check when the check itself named no page. */
export const DEFAULT_DOCS: Record<CheckId, DocLink[]> = {
  'image.multiplatform': [DOCS.multiPlatform, DOCS.imagetools],
  'build.first': [DOCS.dockerContainerDriver, DOCS.pushToRegistry],
  'build.index': [DOCS.multiPlatform, DOCS.imagetools],
  'cache.published': [DOCS.registryCache, DOCS.cacheSyntax],
  'cache.exported': [DOCS.registryCache, DOCS.cacheMode],
  'cache.imported': [DOCS.registryCache, DOCS.cacheSyntax],
  'cache.hit': [DOCS.cacheInvalidation, DOCS.cacheMode],
  'bonus.registry7.delete': [DOCS.deleteApi, DOCS.garbageCollection],
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
