/** `--isolation` and `--yes`, shared by grade, check and batch: prune only with consent. */
import { createInterface } from 'node:readline/promises';
import type { IsolationMode } from '../docker/isolation.ts';
import { InputError, InterruptedError } from '../errors.ts';

export const ISOLATION_OPTIONS = {
  isolation: { type: 'string', default: 'auto' },
  yes: { type: 'boolean', short: 'y', default: false },
} as const;

export const ISOLATION_HELP = `  --isolation TRYB     auto (domyślnie) = container: każde budowanie w nowym builderze
                       docker-container (obraz moby/buildkit pobierany, gdy go brak);
                       prune: sterownik docker, ale przed każdym budowaniem program czyści
                       CAŁY cache budowania tego silnika (docker buildx prune --all)
  -y, --yes            nie pytaj o zgodę na --isolation prune`;

export const PRUNE_WARNING =
  'Uwaga: --isolation prune przed każdym budowaniem usuwa CAŁY cache budowania tego silnika Dockera ' +
  '(docker buildx prune --all --force), także cache Twoich innych projektów.';

export interface ConsentIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Validates the flag; for prune, warns and, on a terminal without --yes, asks once. */
export async function isolationFromFlags(
  values: { isolation?: string; yes?: boolean },
  signal: AbortSignal,
  io: ConsentIo = { stdin: process.stdin, stderr: process.stderr },
): Promise<IsolationMode> {
  const mode = values.isolation ?? 'auto';
  if (mode !== 'auto' && mode !== 'container' && mode !== 'prune') {
    throw new InputError(`Opcja --isolation przyjmuje auto, container albo prune; podano „${mode}”.`);
  }
  if (mode !== 'prune') return mode;
  io.stderr.write(`${PRUNE_WARNING}\n`);
  if (values.yes || !io.stdin.isTTY || !io.stderr.isTTY) return mode;
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    const answer = await rl.question('Kontynuować? [t/N] ', { signal });
    if (/^(t|tak|y|yes)$/i.test(answer.trim())) return mode;
  } catch (error) {
    if (!signal.aborted) throw error;
  } finally {
    rl.close();
  }
  throw new InterruptedError('Nie wyrażono zgody na czyszczenie cache budowania; nic nie zbudowano. Użyj --isolation container (domyślnie).');
}
