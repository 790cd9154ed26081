/** Reading `docker run … registry:2` and registry deletion commands from a report. Pure. */
import type { ParsedCommand } from '../../commands/types.ts';

/** `registry`, `registry:2`, `docker.io/library/registry:2.8` …: the image the lab runs as registry7. */
const REGISTRY_IMAGE = /^(?:(?:docker\.io\/)?library\/)?registry(?::[\w.-]+)?(?:@sha256:[a-f0-9]{64})?$/;

export interface RegistryRun {
  name: string | undefined;
  image: string;
  /** REGISTRY_STORAGE_DELETE_ENABLED=true among `-e`/`--env`. */
  deleteEnabled: boolean;
}

/** `docker run [flags] IMAGE [args]` of the registry image, or undefined. */
export function registryRun(c: ParsedCommand): RegistryRun | undefined {
  const a = c.argv;
  const start = a[0] === 'docker' && a[1] === 'run' ? 2 : a[0] === 'docker' && a[1] === 'container' && a[2] === 'run' ? 3 : -1;
  if (start < 0) return undefined;
  let name: string | undefined;
  let deleteEnabled = false;
  // Flags that take a value as the next word; others are booleans (-d, --rm, -it).
  const VALUED = new Set(['-p', '--publish', '-e', '--env', '--name', '-v', '--volume', '--network', '--restart', '--mount', '--env-file', '-h', '--hostname', '-u', '--user', '-w', '--workdir', '--platform', '-l', '--label', '--entrypoint']);
  for (let i = start; i < a.length; i++) {
    const w = a[i]!;
    if (!w.startsWith('-')) {
      return REGISTRY_IMAGE.test(w) ? { name, image: w, deleteEnabled } : undefined;
    }
    const [flag, inline] = w.includes('=') && w.startsWith('--') ? [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)] : [w, undefined];
    const value = inline ?? (VALUED.has(flag) ? a[++i] : undefined);
    if (flag === '--name') name = value;
    if ((flag === '-e' || flag === '--env') && value !== undefined && /^REGISTRY_STORAGE_DELETE_ENABLED=(?:true|1)$/i.test(value)) deleteEnabled = true;
  }
  return undefined;
}
