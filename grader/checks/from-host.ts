/**
 * A FROM naming a registry host that does not exist is the student's typo, not an outage. Told
 * apart by the final error alone: BuildKit names the image it resolved and the host it looked up.
 */

// Hosts whose NXDOMAIN means our DNS is broken, not that the student misspelt them.
const PUBLIC_REGISTRIES = [
  'docker.io', 'registry-1.docker.io', 'auth.docker.io', 'index.docker.io', 'production.cloudflare.docker.com',
  'ghcr.io', 'quay.io', 'gcr.io', 'mcr.microsoft.com', 'public.ecr.aws', 'registry.k8s.io',
  'registry.gitlab.com', 'nvcr.io', 'docker.elastic.co',
];
const PUBLIC_SUFFIXES = ['.gcr.io', '.pkg.dev', '.amazonaws.com', '.azurecr.io', '.docker.io', '.docker.com'];

function isPublicRegistry(host: string): boolean {
  const h = host.toLowerCase();
  return PUBLIC_REGISTRIES.includes(h) || PUBLIC_SUFFIXES.some((s) => h.endsWith(s));
}

/**
 * The registry host of the student's FROM that DNS says does not exist, from a `failed to solve`
 * message, e.g. `failed to resolve source metadata for regsitry.example.com/app:1: failed to do
 * request: Head "https://regsitry.example.com/v2/...": dial tcp: lookup regsitry.example.com on
 * 127.0.0.53:53: no such host`. Undefined for anything else: a resolver timeout or "Temporary
 * failure in name resolution" is the machine's, and so is a lookup of a host other than the
 * image's own (a mirror or proxy in between).
 */
export function missingFromRegistryHost(message: string): string | undefined {
  const resolved = /failed to resolve source metadata for ([^\s:/]+(?::\d+)?)\//.exec(message)?.[1];
  const looked = /lookup ([^\s:]+)(?: on [^\s]+)?: no such host/.exec(message)?.[1];
  if (!resolved || !looked) return undefined;
  const host = resolved.replace(/:\d+$/, '');
  if (host.toLowerCase() !== looked.toLowerCase() || !host.includes('.') || isPublicRegistry(host)) return undefined;
  return host;
}
