/**
 * How each build gets an empty builder, so that any CACHED step in build 2 can only
 * have come from the registry cache. Two strategies behind one interface; the
 * strategies themselves live in builders.ts.
 */
import { InfraError } from '../errors.ts';
import { builderPlatforms, type DockerCli } from './docker.ts';
import { BUILDKIT_IMAGE, createContainerIsolation, createPruneIsolation } from './builders.ts';

export type IsolationKind = 'container' | 'prune';
export type IsolationMode = IsolationKind | 'auto';

/** One empty builder for one build. */
export interface BuilderHandle {
  /** Passed to `docker buildx build --builder`. */
  builderName: string;
  /** Removes the builder (container) or releases the daemon (prune); safe to call twice. */
  dispose(): Promise<void>;
}

export interface PrepareOptions {
  /** Local images the grader builds in this run: removed before the build and on dispose (prune). */
  imageRefs?: string[];
}

export interface Isolation {
  kind: IsolationKind;
  /** Polish: why this strategy was chosen (shown in the report). */
  reason: string;
  prepare(options?: PrepareOptions): Promise<BuilderHandle>;
}

export interface ResolveIsolationOptions {
  docker: DockerCli;
  runId: string;
  /**
   * Registries BuildKit must reach over plain HTTP (registry7, the base registry). A promise lets
   * the strategy be chosen while registry7 is still starting; it is read on prepare().
   */
  insecureRegistries: string[] | Promise<string[]>;
  /** Platforms the builds need; the builder must list them all. */
  platforms?: string[];
  signal?: AbortSignal;
  /** Cross-process lock file of the prune strategy (tests may use their own). */
  lockPath?: string;
}

/** Picks the strategy: `auto` = container when the moby/buildkit image is local, else prune. */
export async function resolveIsolation(mode: IsolationMode, options: ResolveIsolationOptions): Promise<Isolation> {
  const { docker } = options;
  if (mode === 'container' || mode === 'auto') {
    const available = await docker.imageExists(BUILDKIT_IMAGE);
    if (available) {
      return createContainerIsolation({
        ...options,
        reason: mode === 'auto'
          ? `obraz ${BUILDKIT_IMAGE} dostępny — każda budowa w nowym builderze docker-container`
          : 'wybrano strategię container (--isolation container)',
      });
    }
    if (mode === 'container') {
      throw new InfraError(
        `Strategia container wymaga obrazu ${BUILDKIT_IMAGE}, którego nie ma na tej maszynie ` +
        `(pobierz: docker pull ${BUILDKIT_IMAGE}) albo użyj --isolation prune.`,
      );
    }
  }
  await assertPruneCapable(docker, options.platforms ?? ['linux/amd64', 'linux/arm64']);
  return createPruneIsolation({
    ...options,
    reason: mode === 'auto'
      ? `obraz ${BUILDKIT_IMAGE} niedostępny — użyto strategii prune na sterowniku docker`
      : 'wybrano strategię prune (--isolation prune): sterownik docker, cache czyszczony przed każdą budową',
  });
}

/** The docker driver can build several platforms and export registry cache only on the containerd store. */
async function assertPruneCapable(docker: DockerCli, platforms: string[]): Promise<void> {
  const [info, builder] = await Promise.all([docker.info(), docker.inspectBuilder('default')]);
  if (!info.containerdStore) {
    throw new InfraError(
      'Strategia prune wymaga magazynu obrazów containerd (sterownik docker nie zbuduje obrazu wieloplatformowego ' +
      'ani nie wyeksportuje cache do rejestru). Włącz "containerd-snapshotter" w /etc/docker/daemon.json: npm run setup',
    );
  }
  if (!builder || builder.driver !== 'docker') {
    throw new InfraError(`Builder „default” nie używa sterownika docker (jest: ${builder?.driver ?? 'brak'}).`);
  }
  const missing = platforms.filter((p) => !builderPlatforms(builder).includes(p));
  if (missing.length > 0) {
    throw new InfraError(`Builder „default” nie obsługuje platform: ${missing.join(', ')} (emulacja QEMU/binfmt?). Uruchom: npm run setup`);
  }
}
