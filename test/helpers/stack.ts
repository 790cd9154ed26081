// Whether the real stack (scripts/setup.sh) is up, as a `skip` for describe(): a developer's laptop
// without Docker skips these tests, CI (CI=true) never does, so a missing stack fails loudly there.
import { DEFAULT_SANDBOX_IMAGE } from '../../grader/bonus/sandbox.ts';
import { DockerCli } from '../../grader/docker/docker.ts';

/** The stack's base registry container: its storage holds the published example's image and cache. */
export const BASE = 'buildx-grader-base';

export async function stackSkip(options: { sandboxImage?: boolean } = {}): Promise<string | false> {
  if (process.env.CI === 'true') return false;
  const docker = new DockerCli({ timeoutMs: 10_000 });
  const up = (await docker.inspectContainer(BASE).catch(() => undefined))?.running === true
    && (!options.sandboxImage || (await docker.imageExists(DEFAULT_SANDBOX_IMAGE).catch(() => false)));
  return up ? false : `no Docker stack${options.sandboxImage ? ' or sandbox image' : ''} (run scripts/setup.sh)`;
}
