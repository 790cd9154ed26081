/** cache.published / cache.exported: the cache ref is a separate BuildKit cache image, exported with mode=max. */
import { cacheModeEvidence } from '../registry/manifest-analysis.ts';
import type { CheckResult, Evidence } from '../results/types.ts';
import type { CacheFacts, ImageFacts, Read } from '../inspect/read-published.ts';
import { DOCS } from './docs.ts';
import { infraCheck } from './infra-check.ts';

type CacheCheckId = 'cache.published' | 'cache.exported';

export interface CacheCheckInput {
  cache: Read<CacheFacts>;
  /** The final image the cache belongs to; its layers tell mode=max from mode=min. */
  image?: ImageFacts;
  /** FROM count of the Dockerfile, when it was read. */
  stageCount?: number;
}

export interface CacheVerdict {
  check: CheckResult;
  mode: 'max' | 'min' | 'unknown';
}

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
  const summary: Evidence = {
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
  const evidence = cacheModeEvidence({ cacheLayers: facts.layers, finalImageLayers: image?.found ? image.layers : [], stageCount });
  summary.rows.push(
    ['Tryb (wniosek)', evidence.mode],
    ['Warstwy spoza obrazu końcowego', String(evidence.extraLayers.length)],
  );
  if (evidence.mode === 'min') {
    return {
      check: {
        id,
        status: 'fail',
        message: `Obraz cache ${facts.ref} zawiera tylko warstwy obrazu końcowego: wyeksportowano go w trybie min, a laboratorium wymaga mode=max. ${evidence.reason}`,
        hint: 'Dodaj mode=max do --cache-to: --cache-to type=registry,ref=...,mode=max (domyślny jest mode=min).',
        docs,
        evidence: [summary],
        metrics: { mode: 'min' },
      },
      mode: 'min',
    };
  }
  const modeText = evidence.mode === 'max' ? 'w trybie max' : 'trybu eksportu nie da się ustalić';
  return {
    check: {
      id,
      status: 'pass',
      message: `Obraz cache ${facts.ref} to osobny obraz cache BuildKit (${facts.layers.length} warstw), ${modeText}. ${evidence.reason}`,
      evidence: [summary],
      metrics: { mode: evidence.mode, layers: facts.layers.length, extraLayers: evidence.extraLayers.length },
    },
    mode: evidence.mode,
  };
}
