/** `grader inspect`: checks what a student published, with no Docker engine needed. */
import { readFile } from 'node:fs/promises';
import { ExitCode, InputError } from '../errors.ts';
import { platformCheck } from '../checks/platform-check.ts';
import { cacheCheck } from '../checks/cache-check.ts';
import { readCache, readImage, type CacheFacts, type ImageFacts } from '../inspect/read-published.ts';
import { RegistryClient } from '../registry/client.ts';
import { countStages } from '../registry/manifest-analysis.ts';
import { parseReference } from '../registry/reference.ts';
import type { CheckResult } from '../results/types.ts';
import { DEFAULT_PLATFORMS } from '../submission/load-submission.ts';
import type { CommandContext } from './commands.ts';
import { parseFlags } from './args.ts';
import { exitCodeForChecks, printChecks } from './output.ts';

const HELP = `Użycie: grader inspect <obraz> [--cache-ref <obraz-cache>] [--platform P]... [--dockerfile PLIK]
                      [--insecure HOST[:PORT]]... [--json]

Sprawdza opublikowany obraz (indeks z linux/amd64 i linux/arm64) i obraz cache
BuildKit (osobny obraz, tryb max). Nie potrzebuje silnika Docker.

Opcje:
  --cache-ref REF     obraz cache z --cache-to (np. host:5000/s1/app:buildcache)
  --platform P        wymagana platforma (domyślnie linux/amd64 i linux/arm64); można powtarzać
  --dockerfile PLIK   Dockerfile budowania: liczba etapów uzupełnia wyjaśnienie, gdy trybu cache nie da się ustalić
  --insecure HOST     pozwala na HTTP do tego rejestru (pętla zwrotna zawsze może)
  --json              jeden obiekt JSON na standardowym wyjściu

Przykłady:
  grader inspect 127.0.0.1:5055/s99656/pogoda:multiarch --cache-ref 127.0.0.1:5055/s99656/pogoda:buildcache
  grader inspect docker.io/s99656/apkapogodowaplus:multiarch --json
  grader inspect rejestr.lab:5000/s1/app:v1 --insecure rejestr.lab:5000 --platform linux/amd64

Kody wyjścia: 0 zaliczone, 1 sprawdzenie nie przeszło, 2 błędne dane, 3 awaria rejestru.`;

export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    'cache-ref': { type: 'string' },
    platform: { type: 'string', multiple: true },
    dockerfile: { type: 'string' },
    insecure: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  }, 'inspect');
  if (values.help) {
    console.log(HELP);
    return ExitCode.ok;
  }
  const [imageRef, ...more] = positionals;
  if (!imageRef || more.length) throw new InputError('Polecenie inspect wymaga dokładnie jednej referencji obrazu, np. grader inspect host:5000/s1/app:tag');
  // Parse both refs first: a typo is bad input (exit 2), not a registry fault.
  parseReference(imageRef);
  const cacheRef = values['cache-ref'];
  if (cacheRef) parseReference(cacheRef);
  const platforms = values.platform?.length ? values.platform : [...DEFAULT_PLATFORMS];
  const stageCount = values.dockerfile ? countStages(await readDockerfile(values.dockerfile)) : undefined;

  const client = new RegistryClient({ insecureHosts: values.insecure ?? [], signal: ctx.signal });
  const image = await readImage(client, imageRef);
  const checks: CheckResult[] = [platformCheck('image.multiplatform', image, platforms)];
  let cache: CacheFacts | undefined;
  let mode: 'max' | 'min' | 'unknown' = 'unknown';
  if (cacheRef) {
    const read = await readCache(client, cacheRef);
    const verdict = cacheCheck('cache.published', { cache: read, image: image.ok ? image.facts : undefined, stageCount });
    checks.push(verdict.check);
    mode = verdict.mode;
    if (read.ok) cache = read.facts;
  } else {
    checks.push({ id: 'cache.published', status: 'skip', message: 'Nie podano --cache-ref: obrazu cache nie sprawdzano.', evidence: [] });
  }

  if (values.json) {
    console.log(JSON.stringify(inspectJson(imageRef, image.ok ? image.facts : undefined, cacheRef, cache, mode, checks), null, 2));
  } else {
    printChecks(checks);
  }
  return exitCodeForChecks(checks);
}

async function readDockerfile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new InputError(`Nie można odczytać pliku podanego w --dockerfile: ${file}. Podaj ścieżkę do istniejącego Dockerfile.`, [], { cause: error });
  }
}

function inspectJson(imageRef: string, image: ImageFacts | undefined, cacheRef: string | undefined, cache: CacheFacts | undefined, mode: string, checks: CheckResult[]) {
  const found = image?.found ? image : undefined;
  return {
    image: {
      ref: imageRef,
      present: image ? image.found : null,
      digest: found?.digest ?? null,
      mediaType: found?.mediaType ?? null,
      platforms: found?.platforms ?? [],
      manifests: found?.rows ?? [],
    },
    cache: {
      ref: cacheRef ?? null,
      present: cache ? cache.found : null,
      digest: cache?.found ? cache.digest : null,
      mode,
    },
    checks: checks.map((c) => ({ id: c.id, status: c.status, message: c.message, hint: c.hint ?? null })),
  };
}
