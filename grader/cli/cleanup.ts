/** `grader cleanup`: removes what killed grader runs left in Docker (never the base registry). */
import { belongsToRun, isEmpty, removeLeftovers, scanLeftovers, type Leftovers } from '../batch/leftovers.ts';
import { DockerCli } from '../docker/docker.ts';
import { ExitCode, InputError } from '../errors.ts';
import { liveRunIds, removeTempDirs, staleTempDirs } from '../util/temp-dir.ts';
import { parseFlags } from './args.ts';
import type { CommandContext } from './commands.ts';

const HELP = `Użycie: grader cleanup [--dry-run] [--run ID]...

Usuwa pozostałości przerwanych ocen: kontenery, sieci i wolumeny z etykietą
buildx-grader.run, buildery buildx-grader-* (z ich kontenerami i wolumenami stanu)
oraz kontenery registry7 buildx-grader-r7-*. Nigdy nie usuwa stałego rejestru
bazowego buildx-grader-base (etykieta buildx-grader.role=base).
Usuwa też katalogi tymczasowe buildx-grader-* (w katalogu tymczasowym systemu), ale tylko
te z plikiem właściciela, którego proces oceny już nie działa.
Bez --run pomija zasoby przebiegów, których proces oceny wciąż działa.

Opcje:
  --dry-run   tylko wypisz, co zostałoby usunięte
  --run ID    tylko zasoby tego przebiegu (i jego studentów: ID-s1, ID-s2, ...); można powtarzać

Kody wyjścia: 0 posprzątano (albo nie było czego), 3 czegoś nie dało się usunąć.`;

export async function run(argv: string[], _ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    'dry-run': { type: 'boolean', default: false },
    run: { type: 'string', multiple: true },
  }, 'cleanup');
  if (values.help) {
    console.log(HELP);
    return ExitCode.ok;
  }
  if (positionals.length) throw new InputError(`Polecenie cleanup nie przyjmuje argumentów (podano: ${positionals.join(' ')}). Pomoc: grader cleanup --help`);
  for (const id of values.run ?? []) {
    if (!/^[a-z0-9][a-z0-9_.-]{0,60}$/.test(id)) throw new InputError(`Opcja --run: nieprawidłowy identyfikator przebiegu „${id}”.`);
  }
  // Cleanup must finish even after Ctrl-C: no abort signal on this client.
  const docker = new DockerCli({ timeoutMs: 120_000 });
  const scopes = values.run?.length ? values.run : [undefined];
  const found: Leftovers = { builders: [], containers: [], networks: [], volumes: [] };
  for (const scope of scopes) {
    const part = await scanLeftovers(docker, scope);
    for (const k of Object.keys(found) as (keyof Leftovers)[]) found[k] = [...new Set([...found[k], ...part[k]])];
  }
  if (!values.run?.length) {
    // A grade still running owns its objects: removing them would break it.
    const live = await liveRunIds();
    for (const id of live) {
      const busy = await scanLeftovers(docker, id);
      for (const k of Object.keys(found) as (keyof Leftovers)[]) found[k] = found[k].filter((n) => !busy[k].includes(n));
    }
  }
  const temps = await staleTempDirs(values.run?.length ? { matchesRun: (id) => values.run!.some((r) => belongsToRun(id, r)) } : {});
  if (isEmpty(found) && !temps.length) {
    console.log('Nie ma pozostałości po ocenach — nic do usunięcia.');
    return ExitCode.ok;
  }
  const verb = values['dry-run'] ? 'Do usunięcia' : 'Usuwam';
  const labels: Record<keyof Leftovers, string> = { builders: 'buildery', containers: 'kontenery', networks: 'sieci', volumes: 'wolumeny' };
  for (const k of Object.keys(labels) as (keyof Leftovers)[]) {
    if (found[k].length) console.log(`${verb} — ${labels[k]}: ${found[k].join(', ')}`);
  }
  if (temps.length) console.log(`${verb} — katalogi tymczasowe: ${temps.map((t) => t.dir).join(', ')}`);
  if (values['dry-run']) return ExitCode.ok;
  const failed = [...await removeLeftovers(docker, found), ...await removeTempDirs(temps)];
  if (failed.length) {
    console.log(`Nie udało się usunąć: ${failed.join(', ')}`);
    return ExitCode.infrastructure;
  }
  const total = Object.values(found).reduce((a, l) => a + l.length, 0) + temps.length;
  console.log(`Usunięto ${total} ${total === 1 ? 'obiekt' : total < 5 ? 'obiekty' : 'obiektów'}.`);
  return ExitCode.ok;
}
