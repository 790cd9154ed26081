// Whether the real stack (scripts/setup.sh) is up, as a `skip` for describe(): a developer's laptop
// without Docker skips these tests, CI (CI=true) never does, so a missing stack fails loudly there.
import { DockerCli } from '../../grader/docker/docker.ts';
import { DEFAULT_IMAGES } from '../../grader/docker/runtime-images.ts';

/** The stack's base registry container: its storage holds the published example's image and cache. */
export const BASE = 'buildx-grader-base';

export async function stackSkip(options: { sandboxImage?: boolean } = {}): Promise<string | false> {
  if (process.env.CI === 'true') return false;
  const docker = new DockerCli({ timeoutMs: 10_000 });
  const up = (await docker.inspectContainer(BASE).catch(() => undefined))?.running === true
    && (!options.sandboxImage || (await docker.imageExists(DEFAULT_IMAGES.sandbox).catch(() => false)));
  return up ? false : `no Docker stack${options.sandboxImage ? ' or sandbox image' : ''} (run scripts/setup.sh)`;
}

/**
 * CLI argv for the test stack: commands that build get `--isolation prune --yes`, because this
 * machine has no BuildKit image for the default container strategy (its own tests:
 * isolation-container.test.ts). Calls that choose an isolation themselves are left alone.
 */
export function withTestIsolation(args: string[]): string[] {
  const builds = ['grade', 'batch', 'check'].includes(args[0] ?? '') && !args.some((a) => ['--help', '--quick', '--isolation'].includes(a));
  return builds ? [...args, '--isolation', 'prune', '--yes'] : args;
}
