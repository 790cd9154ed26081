/**
 * Whether the student's registry7 allows deleting, from their own `docker run ... registry`
 * command: the copy their deletion script runs against is set up the same way, so a student who
 * never enabled deleting meets the same 405 UNSUPPORTED their registry would give. Pure.
 */
import { sourceText } from '../commands/describe.ts';
import type { ParsedCommand } from '../commands/types.ts';

export interface RegistryDeleteSetting {
  enabled: boolean;
  /** Polish: what the setting rests on, for the report. */
  basis: string;
}

const REGISTRY_IMAGE = /^(?:(?:docker\.io|index\.docker\.io)\/)?(?:library\/)?registry(?::[\w.-]+)?(?:@sha256:[0-9a-f]{64})?$/;
const DELETE_ENV = 'REGISTRY_STORAGE_DELETE_ENABLED';
// The registry's config file, mounted from the student's folder: its `storage.delete` is not read here.
const CONFIG_MOUNT = /(?:^|[:=,])\/etc\/(?:docker\/)?registry\/config\.ya?ml\b|(?:^|[:=,])\/etc\/distribution\/config\.ya?ml\b/;

/** The last `docker run` of a registry image decides: a student who recreated registry7 with deleting on is judged by that. */
export function registryDeleteSetting(commands: readonly ParsedCommand[]): RegistryDeleteSetting {
  const runs = commands.filter(isRegistryRun);
  const last = runs.at(-1);
  if (!last) {
    return { enabled: true, basis: 'Praca nie podaje polecenia uruchamiającego registry7, więc kopia registry7 ma włączone usuwanie.' };
  }
  const where = sourceText(last.source);
  const env = envValue(last.argv, DELETE_ENV);
  if (env !== undefined) {
    const enabled = /^true$/i.test(env);
    return { enabled, basis: `registry7 uruchomiono z ${DELETE_ENV}=${env} (${where}), więc kopia registry7 ma ${enabled ? 'włączone' : 'wyłączone'} usuwanie.` };
  }
  if (last.argv.some((a) => CONFIG_MOUNT.test(a))) {
    return { enabled: true, basis: `registry7 uruchomiono z własnym plikiem konfiguracji (${where}); grader go nie czyta, więc kopia registry7 ma włączone usuwanie.` };
  }
  return { enabled: false, basis: `registry7 uruchomiono bez ${DELETE_ENV}=true (${where}); registry:2 ma wtedy wyłączone usuwanie, tak samo jak kopia, na której działa skrypt.` };
}

function isRegistryRun(c: ParsedCommand): boolean {
  const [docker, a, b] = c.argv;
  if (!docker || !/^docker(\.exe)?$/i.test(docker.split(/[\\/]/).at(-1)!)) return false;
  const isRun = a === 'run' || (a === 'container' && b === 'run');
  return isRun && c.argv.some((w) => REGISTRY_IMAGE.test(w));
}

/** The value of NAME from `-e NAME=v`, `--env NAME=v`, `--env=NAME=v` or `-eNAME=v`; the last one wins, as in docker. */
function envValue(argv: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const pair = a === '-e' || a === '--env' ? argv[i + 1] : a.startsWith('--env=') ? a.slice(6) : a.startsWith('-e') && a.length > 2 ? a.slice(2) : undefined;
    if (pair?.startsWith(`${name}=`)) value = pair.slice(name.length + 1);
  }
  return value;
}
