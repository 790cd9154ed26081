/**
 * A request to a registry's HTTP API (`/v2/...`) in a student's command: curl, wget or
 * PowerShell's Invoke-WebRequest/Invoke-RestMethod, as far as the words show. Pure.
 */
import type { ParsedCommand } from './types.ts';

export type HttpTool = 'curl' | 'wget' | 'powershell';

export interface RegistryRequest {
  tool: HttpTool;
  /** Upper case; GET when the command names none. */
  method: string;
  /** The word holding `/v2/` (variables kept as written). */
  url: string;
  /** `-H`/`--header` values of curl, `--header` of wget; PowerShell's `-Headers` table as written. */
  headers: string[];
  /** The URL names a manifest: `/v2/<name>/manifests/<reference>`. */
  manifest: { repository: string; reference: string } | null;
}

const CURL = /^curl(?:\.exe)?$/i;
const WGET = /^wget(?:\.exe)?$/i;
const POWERSHELL = /^(?:invoke-webrequest|invoke-restmethod|iwr|irm)$/i;

export function registryRequestOf(c: ParsedCommand): RegistryRequest | null {
  const program = c.argv[0]?.split(/[\\/]/).at(-1) ?? '';
  const tool: HttpTool | null = CURL.test(program) ? 'curl' : WGET.test(program) ? 'wget' : POWERSHELL.test(program) ? 'powershell' : null;
  if (!tool) return null;
  const url = c.argv.find((w, i) => i > 0 && w.includes('/v2/'));
  if (url === undefined) return null;
  return { tool, method: methodOf(tool, c.argv), url, headers: headersOf(tool, c.argv), manifest: manifestOf(url) };
}

/** `/v2/<name>/manifests/<reference>`: the first `/v2/` and the last `/manifests/` (string search: a student's word may be megabytes). */
function manifestOf(url: string): RegistryRequest['manifest'] {
  const v2 = url.indexOf('/v2/');
  const at = url.lastIndexOf('/manifests/');
  if (v2 < 0 || at <= v2 + 4) return null;
  return { repository: url.slice(v2 + 4, at), reference: /^[^/?#\s]*/.exec(url.slice(at + 11))![0] };
}

/** An image deleted with a registry tool instead of curl. */
export interface ToolDeletion {
  tool: 'skopeo delete' | 'crane delete' | 'regctl';
  /** The image reference as written (`docker://` dropped). */
  target: string;
  /** The tool deletes by digest: it reads the digest itself with every manifest type accepted (skopeo, regctl), or was given one. */
  byDigest: boolean;
}

export function toolDeletionOf(c: ParsedCommand): ToolDeletion | null {
  const a = c.argv;
  const tool = a[0] === 'skopeo' && a[1] === 'delete' ? 'skopeo delete'
    : a[0] === 'crane' && a[1] === 'delete' ? 'crane delete'
      : a[0] === 'regctl' && (a[1] === 'tag' || a[1] === 'manifest' || a[1] === 'image') && (a[2] === 'rm' || a[2] === 'delete') ? 'regctl'
        : null;
  const target = tool ? a.slice(2).find((w) => !w.startsWith('-') && w.includes('/'))?.replace(/^docker:\/\//, '') : undefined;
  if (!tool || !target) return null;
  // crane sends the reference it is given: a tag, which registry:2 refuses to delete.
  return { tool, target, byDigest: tool !== 'crane delete' || target.includes('@sha256:') };
}

function methodOf(tool: HttpTool, argv: readonly string[]): string {
  for (let i = 1; i < argv.length; i++) {
    const w = argv[i]!;
    if (tool === 'curl') {
      if (w === '-X' || w === '--request') return (argv[i + 1] ?? 'GET').toUpperCase();
      if (w.startsWith('--request=')) return w.slice(10).toUpperCase();
      if (/^-X[A-Za-z]+$/.test(w)) return w.slice(2).toUpperCase();
    }
    if (tool === 'wget' && w.startsWith('--method=')) return w.slice(9).toUpperCase();
    if (tool === 'powershell' && /^-Method$/i.test(w)) return (argv[i + 1] ?? 'GET').toUpperCase();
  }
  // curl -I / --head, also inside a cluster of short flags (-sI, -fsSI); -H takes a value, so a cluster ends there.
  if (tool === 'curl' && argv.some((w) => w === '--head' || /^-[a-zA-Z]*I/.test(w.replace(/H.*$/, '')))) return 'HEAD';
  if (tool === 'wget' && argv.includes('--spider')) return 'HEAD';
  return 'GET';
}

function headersOf(tool: HttpTool, argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const w = argv[i]!;
    if (tool === 'curl' && (w === '-H' || w === '--header')) out.push(argv[++i] ?? '');
    else if (tool === 'curl' && w.startsWith('--header=')) out.push(w.slice(9));
    // -HValue, or H closing a cluster of short flags (-sIH "Accept: ..."): the value is the rest, else the next word.
    else if (tool === 'curl' && /^-[a-zA-Z]*H/.test(w)) out.push(w.slice(w.indexOf('H') + 1) || (argv[++i] ?? ''));
    else if (tool === 'wget' && w.startsWith('--header=')) out.push(w.slice(9));
    else if (tool === 'wget' && w === '--header') out.push(argv[++i] ?? '');
    else if (tool === 'powershell' && /^-Headers$/i.test(w)) out.push(argv[++i] ?? '');
  }
  return out;
}
