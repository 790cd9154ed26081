/** image.multiplatform / build.index: the tag is an index with every required platform. */
import { comparePlatforms } from '../registry/manifest-analysis.ts';
import type { CheckResult, Evidence } from '../results/types.ts';
import type { ImageFacts, Read } from '../inspect/read-published.ts';
import { DOCS } from './docs.ts';
import { infraCheck } from './infra-check.ts';

type PlatformCheckId = 'image.multiplatform' | 'build.index';

/** The manifest table shown as evidence: one row per manifest of the index. */
export function manifestTable(facts: Extract<ImageFacts, { found: true }>): Evidence {
  return {
    kind: 'table',
    title: `Manifest ${facts.ref} (${facts.mediaType}, ${facts.digest})`,
    columns: ['Platforma', 'Digest', 'Typ nośnika', 'Rozmiar [B]'],
    rows: facts.rows.map((r) => [r.platform, r.digest, r.mediaType, String(r.size)]),
  };
}

export function platformCheck(id: PlatformCheckId, read: Read<ImageFacts>, required: readonly string[]): CheckResult {
  if (!read.ok) return infraCheck(id, read.error, 'odczytać manifestu obrazu');
  const facts = read.facts;
  const docs = [DOCS.multiPlatform, DOCS.imagetools];
  if (!facts.found) {
    return {
      id,
      status: 'fail',
      message: `Obraz ${facts.ref} nie istnieje w rejestrze (HTTP 404).`,
      hint: id === 'build.index'
        ? 'Pierwsze budowanie nie wypchnęło obrazu: sprawdź jego log i błąd budowania.'
        : 'Sprawdź nazwę repozytorium i tagu w submission.json oraz czy obraz wypchnięto opcją --push.',
      docs,
      evidence: [{ kind: 'text', title: 'Odpowiedź rejestru', text: `GET /v2/.../manifests/... → 404 dla ${facts.ref}` }],
    };
  }
  const { missing, extra } = comparePlatforms(facts.platforms, required);
  const evidence = [manifestTable(facts)];
  const found = facts.platforms.length ? facts.platforms.join(', ') : 'brak';
  if (missing.length === 0) {
    return {
      id,
      status: 'pass',
      message: `Obraz ${facts.ref} to indeks z platformami: ${found}.` + (extra.length ? ` Dodatkowe platformy: ${extra.join(', ')}.` : ''),
      evidence,
      metrics: { platforms: facts.platforms.join(',') },
    };
  }
  return {
    id,
    status: 'fail',
    message: `Brakuje platform: ${missing.join(', ')} (w obrazie ${facts.ref}: ${found}).`,
    hint: facts.kind === 'index'
      ? `Dodaj brakujące platformy do opcji --platform, np. --platform ${required.join(',')}, i wypchnij obraz ponownie; builder musi je obsługiwać (docker buildx ls).`
      : facts.kind === 'buildkit-cache'
        ? 'Pod tym tagiem jest obraz cache BuildKit (z --cache-to), a nie obraz aplikacji. Podaj tag z opcji -t (np. :multiarch); cache musi mieć osobny tag.'
        : 'Obraz ma jeden manifest zamiast indeksu. Zbuduj go jednym poleceniem dla obu architektur: docker buildx build --platform linux/amd64,linux/arm64 --push ...',
    docs,
    evidence,
    metrics: { platforms: facts.platforms.join(','), missing: missing.join(',') },
  };
}
