/**
 * Pure mapping of what a registry answered to a Polish cause, fix and docs,
 * the way lab 7 expects a failed deletion to be explained.
 * Facts: shared/ENVIRONMENT.md, "Registry deletion facts" (distribution 2.8 = registry:2).
 */
import type { DocLink } from '../results/types.ts';
import { DOCS } from '../checks/docs.ts';
import { MANIFEST_ACCEPT } from '../registry/oci-types.ts';

export type FindingKey =
  | 'registry-unreachable'
  | 'delete-disabled'
  | 'delete-by-tag'
  | 'digest-unknown'
  | 'no-digest-header'
  | 'cache-tag-missing'
  | 'tag-still-present'
  | 'image-broken'
  | 'shared-tags'
  | 'space-not-freed'
  | 'gc-failed'
  | 'nothing-freed';

export interface Explanation {
  key: FindingKey;
  /** Polish: why it happened. */
  cause: string;
  /** Polish: what to do, with the exact command or setting. */
  fix: string;
  docs: DocLink[];
}

export interface ExplainContext {
  /** host:port as the student would type it, e.g. localhost:5000. */
  registry: string;
  repository: string;
  tag: string;
  /** Tags that pointed at the deleted manifest (for 'shared-tags'). */
  sharedTags?: string[];
}

/** distribution 2.8 bug: GC --delete-untagged removes the untagged platform manifests of a tagged index. */
export const UNTAGGED_BUG = 'https://github.com/distribution/distribution/issues/3178';

/**
 * Accept header value listing all four manifest types. A cache is an OCI image manifest (BuildKit
 * >= 0.21) or an OCI index (older): registry:2 answers 404 without a digest when the stored type
 * is not accepted, and a DELETE of any other digest leaves the tag.
 */
export const ACCEPT_ALL_MANIFESTS = MANIFEST_ACCEPT.join(', ');

export interface RegistryAnswer {
  method: 'HEAD' | 'GET' | 'PUT' | 'DELETE';
  /** The reference in the URL was a tag or a digest. */
  reference: 'tag' | 'digest';
  status: number | null;
  errorCode?: string;
}

/** Which finding an answer is evidence of, if any. */
export function findingOfAnswer(a: RegistryAnswer): FindingKey | undefined {
  if (a.status === null) return 'registry-unreachable';
  if (a.method === 'DELETE') {
    if (a.status === 405 || a.errorCode === 'UNSUPPORTED') return 'delete-disabled';
    if (a.reference === 'tag' && (a.status === 400 || a.errorCode === 'DIGEST_INVALID')) return 'delete-by-tag';
    if (a.status === 404) return 'digest-unknown';
    return undefined;
  }
  if ((a.method === 'HEAD' || a.method === 'GET') && a.reference === 'tag' && a.status === 404) return 'cache-tag-missing';
  return undefined;
}

function url(ctx: ExplainContext, path: string): string {
  return `http://${ctx.registry}/v2/${ctx.repository}/${path}`;
}

/** Shell commands (curl) that delete one tag by digest, as the lab expects. */
export function deleteByDigestRecipe(ctx: ExplainContext): string {
  return [
    `DIGEST=$(curl -sI -H 'Accept: ${ACCEPT_ALL_MANIFESTS}' \\`,
    `  ${url(ctx, `manifests/${ctx.tag}`)} | tr -d '\\r' | awk 'tolower($1)=="docker-content-digest:" {print $2}')`,
    `curl -i -X DELETE ${url(ctx, 'manifests/$DIGEST')}   # oczekiwane: 202 Accepted`,
    `docker exec registry7 /bin/registry garbage-collect /etc/docker/registry/config.yml`,
  ].join('\n');
}

/**
 * Removes a single tag while other tags of the same manifest stay: move the tag onto a
 * throwaway manifest (an empty index needs no blobs), then delete the throwaway's digest.
 */
export function singleTagRecipe(ctx: ExplainContext): string {
  return [
    `# 1. Przestaw tag ${ctx.tag} na jednorazowy manifest (pusty indeks OCI, nie wymaga blobów):`,
    `curl -si -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' \\`,
    `  --data '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[],"annotations":{"usun":"'$(date +%s%N)'"}}' \\`,
    `  ${url(ctx, `manifests/${ctx.tag}`)} | tr -d '\\r' | awk 'tolower($1)=="docker-content-digest:" {print $2}' > /tmp/digest`,
    `# 2. Usuń digest jednorazowego manifestu: znika tylko tag ${ctx.tag}, pozostałe tagi zostają.`,
    `curl -i -X DELETE ${url(ctx, 'manifests/')}$(cat /tmp/digest)`,
  ].join('\n');
}

const EXPLANATIONS: Record<FindingKey, (ctx: ExplainContext) => Omit<Explanation, 'key'>> = {
  'registry-unreachable': (ctx) => ({
    cause: `Rejestr ${ctx.registry} nie odpowiedział (połączenie odrzucone lub przekroczony czas). To awaria środowiska, nie błąd w pracy.`,
    fix: 'Sprawdź, czy kontener registry7 działa (`docker ps`) i na jakim porcie nasłuchuje; ocena zostanie powtórzona.',
    docs: [],
  }),
  'delete-disabled': () => ({
    cause:
      'Rejestr ma wyłączone usuwanie (domyślne ustawienie obrazu registry:2): `DELETE /v2/<nazwa>/manifests/<digest>` ' +
      'odpowiada 405 UNSUPPORTED.',
    fix:
      'Uruchom registry7 z włączonym usuwaniem: `docker run -d --name registry7 -p 5000:5000 ' +
      '-e REGISTRY_STORAGE_DELETE_ENABLED=true registry:2` (albo `storage: delete: enabled: true` w config.yml). ' +
      'Dane w wolumenie zostają, wystarczy utworzyć kontener ponownie z tą zmienną.',
    docs: [DOCS.deleteConfig, DOCS.deleteApi],
  }),
  'delete-by-tag': (ctx) => ({
    cause:
      'Usuwanie po tagu nie jest obsługiwane: registry 2.x przyjmuje w `DELETE` tylko digest manifestu ' +
      'i na tag odpowiada 400 DIGEST_INVALID.',
    fix:
      'Najpierw pobierz digest z nagłówka `Docker-Content-Digest` (HEAD z nagłówkiem Accept wymieniającym wszystkie ' +
      'cztery typy manifestu: indeks OCI, listę Dockera, manifest OCI i manifest Dockera v2), potem usuń po digeście:\n' +
      deleteByDigestRecipe(ctx),
    docs: [DOCS.deleteApi],
  }),
  'digest-unknown': () => ({
    cause:
      'Rejestr nie zna manifestu o tym digeście (404 MANIFEST_UNKNOWN). Zwykle digest odczytano z nagłówkiem Accept, ' +
      'który nie wymienia typu manifestu cache (nowy BuildKit zapisuje cache jako manifest obrazu OCI, starszy jako indeks OCI), ' +
      'więc rejestr podał digest innego manifestu (albo żaden), albo manifest był już usunięty.',
    fix: `Odczytaj digest z HEAD z nagłówkiem \`Accept: ${ACCEPT_ALL_MANIFESTS}\` i użyj dokładnie tej wartości w DELETE.`,
    docs: [DOCS.deleteApi],
  }),
  'no-digest-header': () => ({
    cause:
      'Odpowiedź na HEAD nie zawiera nagłówka `Docker-Content-Digest`, więc nie wiadomo, jaki digest usunąć. Tak jest ' +
      'm.in. wtedy, gdy nagłówek Accept nie wymienia typu zapisanego manifestu (np. same typy indeksu, a cache zapisano ' +
      'jako manifest obrazu OCI): registry:2 odpowiada wtedy 404 bez digestu.',
    fix: `Wyślij HEAD (lub GET) z nagłówkiem \`Accept: ${ACCEPT_ALL_MANIFESTS}\` i odczytaj \`Docker-Content-Digest\`.`,
    docs: [DOCS.deleteApi],
  }),
  'cache-tag-missing': (ctx) => ({
    cause: `Tag ${ctx.repository}:${ctx.tag} nie istnieje w rejestrze ${ctx.registry} (404), więc nie ma czego usuwać.`,
    fix: 'Sprawdź nazwę obrazu cache (`--cache-to type=registry,ref=...`) i czy budowanie z eksportem cache się powiodło.',
    docs: [DOCS.deleteApi],
  }),
  'tag-still-present': (ctx) => ({
    cause: `Po usuwaniu tag ${ctx.tag} nadal jest dostępny (HEAD nie dał 404 albo tag jest w tags/list).`,
    fix:
      'DELETE nie wskazał digestu tego tagu. Najczęstsza przyczyna: HEAD bez pełnego nagłówka Accept. Rejestr podaje wtedy digest innej postaci manifestu ' +
      'albo odpowiada 404. BuildKit od wersji 0.21 zapisuje cache jako manifest obrazu OCI (application/vnd.oci.image.manifest.v1+json), a starszy jako indeks OCI. ' +
      'W Accept wymień wszystkie cztery typy: application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, ' +
      'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json. Potem DELETE po digeście z nagłówka Docker-Content-Digest.',
    docs: [DOCS.deleteApi],
  }),
  'image-broken': (ctx) => ({
    cause:
      `Po usunięciu cache obraz w repozytorium ${ctx.repository} przestał być dostępny. ` +
      'Usunięto manifest, na który wskazywał także tag obrazu, albo GC usunął bloby używane przez obraz.',
    fix:
      'Usuwaj wyłącznie digest manifestu cache; nie uruchamiaj garbage-collect, gdy rejestr przyjmuje pushe ' +
      '(zatrzymaj go albo włącz tryb read-only), i nie używaj `--delete-untagged` przy obrazach wieloplatformowych ' +
      'w registry:2 (' + UNTAGGED_BUG + ').',
    docs: [DOCS.deleteApi, DOCS.garbageCollection],
  }),
  'shared-tags': (ctx) => ({
    cause:
      'Usunięcie po digeście usuwa manifest, a razem z nim wszystkie tagi, które na niego wskazują' +
      (ctx.sharedTags?.length ? ` (tu także: ${ctx.sharedTags.join(', ')}).` : '.'),
    fix:
      'Aby usunąć tylko jeden tag, przestaw go na jednorazowy manifest i usuń digest tego manifestu:\n' +
      singleTagRecipe(ctx),
    docs: [DOCS.deleteApi],
  }),
  'space-not-freed': () => ({
    cause:
      '`DELETE` usuwa tylko odwołania (tag i manifest); warstwy (bloby) zostają na dysku, dopóki nie uruchomisz ' +
      'odśmiecania (garbage collection).',
    fix:
      'Zatrzymaj rejestr albo przełącz go w tryb tylko do odczytu (`storage.maintenance.readonly.enabled: true`), ' +
      'uruchom `docker exec registry7 /bin/registry garbage-collect /etc/docker/registry/config.yml` ' +
      '(albo przy zatrzymanym kontenerze: `docker run --rm -v <wolumen>:/var/lib/registry registry:2 garbage-collect /etc/docker/registry/config.yml`), ' +
      'potem uruchom rejestr ponownie. Bloby współdzielone z obrazami, które nadal mają tag, zostają. ' +
      'Uwaga: w registry:2 (distribution 2.8) `--delete-untagged` usuwa też manifesty platform obrazów wieloplatformowych ' +
      '(nie mają własnych tagów), więc obraz amd64/arm64 przestaje się pobierać: ' + UNTAGGED_BUG + '.',
    docs: [DOCS.garbageCollection, DOCS.maintenanceConfig],
  }),
  'gc-failed': () => ({
    cause: 'Polecenie `registry garbage-collect` zakończyło się błędem.',
    fix: 'Sprawdź ścieżkę do config.yml i czy rejestr był zatrzymany (lub w trybie read-only) podczas GC.',
    docs: [DOCS.garbageCollection],
  }),
  'nothing-freed': () => ({
    cause:
      'Po usunięciu i odśmiecaniu rozmiar danych rejestru nie zmalał: wszystkie bloby są nadal używane ' +
      'przez manifesty, które mają tag (albo usunięty manifest nie był tym z cache).',
    fix:
      'Upewnij się, że usuwasz digest manifestu cache (tag cache), a GC uruchamiasz po usunięciu; ' +
      '`--delete-untagged` usuwa też manifesty bez tagów.',
    docs: [DOCS.garbageCollection],
  }),
};

export function explain(key: FindingKey, ctx: ExplainContext): Explanation {
  return { key, ...EXPLANATIONS[key](ctx) };
}
