// What the bonus integration tests need from the setup stack, and their `skip` when it is missing.
import { DEFAULT_SANDBOX_IMAGE } from '../../grader/bonus/sandbox.ts';
import { DockerCli } from '../../grader/docker/docker.ts';

/** The stack's base registry container: its storage holds the published example's image and cache. */
export const BASE = 'buildx-grader-base';

/** `skip` for describe(): false when the base registry runs (and, if asked, the sandbox image exists) or in CI. */
export async function bonusStackSkip(options: { sandboxImage?: boolean } = {}): Promise<string | false> {
  const docker = new DockerCli({ timeoutMs: 10_000 });
  const up = (await docker.inspectContainer(BASE).catch(() => undefined))?.running === true
    && (!options.sandboxImage || (await docker.imageExists(DEFAULT_SANDBOX_IMAGE).catch(() => false)));
  if (up || process.env.CI === 'true') return false;
  return `no Docker stack${options.sandboxImage ? ' or sandbox image' : ''} (run scripts/setup.sh)`;
}
