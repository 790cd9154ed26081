/**
 * cache.published / cache.exported: the cache ref is a separate BuildKit cache image, exported
 * with mode=max. The mode is read from the cache's own records (cache-config.ts); whether the
 * cache comes from the image's build is reported apart, and fails only when the cache holds
 * none of the image's layers.
 */
import { cacheMembership, cacheModeOf, type CacheMembership, type CacheMode } from '../registry/cache-config.ts';
import type { CheckResult, Evidence } from '../results/types.ts';
import type { CacheFacts, ImageFacts, Read } from '../inspect/read-published.ts';
import { DOCS } from './docs.ts';
import { infraCheck } from './infra-check.ts';

type CacheCheckId = 'cache.published' | 'cache.exported';

export interface CacheCheckInput {
  cache: Read<CacheFacts>;
  /** The final image the cache should belong to. */
  image?: ImageFacts;
  /** FROM count of the Dockerfile, when it was read: only explains why a mode cannot be told. */
  stageCount?: number;
}

export interface CacheVerdict {
  check: CheckResult;
  mode: CacheMode;
}

const MODE_MAX_HINT = 'Dodaj mode=max do --cache-to: --cache-to type=registry,ref=...,mode=max (domyślny jest mode=min).';
const SAME_BUILD_HINT = 'Cache ma pochodzić z tego samego budowania co obraz: podaj --cache-to type=registry,ref=...,mode=max w poleceniu z -t ... --push.';

const MEMBERSHIP_TEXT: Record<CacheMembership['verdict'], string> = {
  belongs: 'tak',
  partial: 'częściowo (innego budowania)',
  foreign: 'nie',
  unknown: 'nie sprawdzono',
};

export function cacheCheck(id: CacheCheckId, { cache, image, stageCount }: CacheCheckInput): CacheVerdict {
  const docs = [DOCS.registryCache, DOCS.cacheMode];
  if (!cache.ok) return { check: infraCheck(id, cache.error, 'odczytać obrazu cache'), mode: 'unknown' };
  const facts = cache.facts;
  const fail = (message: string, hint: string, evidence: Evidence[] = []): CacheVerdict => ({
    check: { id, status: 'fail', message, hint, docs, evidence },
    mode: 'unknown',
  });
  if (!facts.found) {
    return fail(
      `Obraz cache ${facts.ref} nie istnieje w rejestrze (HTTP 404).`,
      'Dodaj do polecenia budowania --cache-to type=registry,ref=<rejestr>/<repozytorium>:<tag-cache>,mode=max i sprawdź, czy ta sama referencja jest w submission.json.',
    );
  }
  const summary: Evidence & { kind: 'table' } = {
    kind: 'table',
    title: `Obraz cache ${facts.ref}`,
    columns: ['Pole', 'Wartość'],
    rows: [
      ['Digest', facts.digest],
      ['Typ nośnika', facts.mediaType],
      ['Warstw w cache', String(facts.layers.length)],
    ],
  };
  if (!facts.isCache) {
    return fail(
      `${facts.ref} nie jest obrazem cache BuildKit (brak konfiguracji application/vnd.buildkit.cacheconfig.v0).`,
      'Pod tym tagiem jest zwykły obraz. Cache eksportuje --cache-to type=registry,ref=...; tag cache musi być inny niż tag obrazu.',
      [summary],
    );
  }
  if (image?.found && image.digest === facts.digest) {
    return fail(
      `Obraz cache ${facts.ref} i obraz aplikacji to ten sam manifest (${facts.digest}).`,
      'Cache w trybie registry ma być osobnym obrazem: użyj w --cache-to innego tagu (np. :buildcache) niż w -t.',
      [summary],
    );
  }
  if (!facts.config?.ok) {
    return fail(
      `Obraz cache ${facts.ref} nie ma czytelnej konfiguracji cache: ${facts.config?.reason ?? 'brak blobu konfiguracji.'}`,
      `BuildKit nie zaimportuje takiego cache. Wyeksportuj go ponownie. ${MODE_MAX_HINT}`,
      [summary],
    );
  }

  const mode = cacheModeOf(facts.config.value);
  const modeReason = mode.mode === 'unknown' && stageCount === 1 ? `Dockerfile ma jeden etap. ${mode.reason}` : mode.reason;
  summary.rows.push(
    ['Rekordów (kroków) w cache', String(facts.config.value.records.length)],
    ['Wyniki końcowe z warstwami', String(mode.finalResults)],
    ['Wyniki spoza łańcucha obrazu końcowego', String(mode.offChainResults)],
    ['Kroki zapisane bez warstw', String(mode.resultlessSteps)],
    ['Tryb (wniosek)', mode.mode],
  );
  const membership = cacheMembership(facts.layers, image?.found ? image.layers : []);
  const membershipTable: Evidence = {
    kind: 'table',
    title: image?.found ? `Czy cache pochodzi z budowania obrazu ${image.ref}` : 'Czy cache pochodzi z budowania obrazu',
    columns: ['Pole', 'Wartość'],
    rows: [
      ['Wniosek', MEMBERSHIP_TEXT[membership.verdict]],
      ['Niepuste warstwy obrazu', String(membership.imageLayers)],
      ['Brakujące w cache', membership.missing.join(', ') || '—'],
    ],
  };
  const evidence = [summary, membershipTable];
  const metrics = { mode: mode.mode, layers: facts.layers.length, membership: membership.verdict, missingLayers: membership.missing.length };
  const membershipSentence = membership.verdict === 'belongs' ? '' : ` ${membership.reason}`;

  const failures: { message: string; hint: string }[] = [];
  if (mode.mode === 'min') {
    failures.push({
      message: `Obraz cache ${facts.ref} wyeksportowano w trybie min, a laboratorium wymaga mode=max. ${modeReason}`,
      hint: MODE_MAX_HINT,
    });
  }
  if (membership.verdict === 'foreign') {
    failures.push({ message: `Porównanie z obrazem ${image?.found ? image.ref : '?'}: ${membership.reason}`, hint: SAME_BUILD_HINT });
  }
  if (failures.length > 0) {
    const otherMembership = membership.verdict === 'foreign' ? '' : membershipSentence;
    return {
      check: {
        id,
        status: 'fail',
        message: failures.map((f) => f.message).join(' ') + otherMembership,
        hint: failures.map((f) => f.hint).join(' '),
        docs,
        evidence,
        metrics,
      },
      mode: mode.mode,
    };
  }
  const modeText = mode.mode === 'max' ? 'w trybie max' : 'trybu eksportu nie da się ustalić';
  return {
    check: {
      id,
      status: 'pass',
      message: `Obraz cache ${facts.ref} to osobny obraz cache BuildKit (warstw: ${facts.layers.length}), ${modeText}. ${modeReason}${membershipSentence}`,
      evidence,
      metrics,
    },
    mode: mode.mode,
  };
}
