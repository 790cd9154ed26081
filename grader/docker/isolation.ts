/**
 * How each build gets an empty builder, so that any CACHED step in build 2 can only
 * have come from the registry cache. `auto` is `container` (the BuildKit image is pulled
 * when missing); `prune` empties the engine's whole build cache, so it runs only when asked.
 */
import { InfraError } from '../errors.ts';
import type { Registry7 } from '../registry/registry7.ts';
import { builderPlatforms, type DockerCli } from './docker.ts';
import { createPruneIsolation } from './builders.ts';
import { createContainerIsolation } from './container-isolation.ts';
import { ensureRuntimeImage, runtimeImage } from './runtime-images.ts';

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
  /** host:port under which the builder reaches registry7: the build command's refs use it. */
  registryHost(): Promise<string>;
  prepare(options?: PrepareOptions): Promise<BuilderHandle>;
  /** Removes what the strategy set up for the whole run; call after registry7 is stopped. */
  close(): Promise<void>;
}

export interface ResolveIsolationOptions {
  docker: DockerCli;
  runId: string;
  /** registry7, possibly still starting; read on the first prepare(). */
  registry7: Promise<Registry7> | Registry7;
  /** Platforms the builds need; the builder must list them all. */
  platforms?: string[];
  signal?: AbortSignal;
  /** Pull progress of the BuildKit image. */
  onProgress?: (line: string) => void;
  /** Cross-process lock file of the prune strategy (tests may use their own). */
  lockPath?: string;
}

export async function resolveIsolation(mode: IsolationMode, options: ResolveIsolationOptions): Promise<Isolation> {
  const { docker } = options;
  if (mode === 'prune') {
    await assertPruneCapable(docker, options.platforms ?? ['linux/amd64', 'linux/arm64']);
    return createPruneIsolation({
      ...options,
      reason: 'wybrano strategię prune (--isolation prune): sterownik docker, cały cache budowania silnika czyszczony przed każdą budową',
    });
  }
  const image = runtimeImage('buildkit');
  // Never falls back to prune: that would empty the user's build cache unasked.
  const pulled = await ensureRuntimeImage(docker, 'buildkit', image, { signal: options.signal, onProgress: options.onProgress });
  return createContainerIsolation({
    ...options,
    image,
    reason: (mode === 'auto' ? 'strategia domyślna (auto): ' : 'wybrano strategię container (--isolation container): ') +
      `każda budowa w nowym builderze docker-container (${image}${pulled ? ', pobrany na potrzeby oceny' : ''}) ` +
      'w prywatnej sieci z registry7',
  });
}

/** The docker driver can build several platforms and export registry cache only on the containerd store. */
async function assertPruneCapable(docker: DockerCli, platforms: string[]): Promise<void> {
  const [info, builder] = await Promise.all([docker.info(), docker.inspectBuilder('default')]);
  if (!info.containerdStore) {
    throw new InfraError(
      'Strategia prune wymaga magazynu obrazów containerd (sterownik docker nie zbuduje obrazu wieloplatformowego ' +
      'ani nie wyeksportuje cache do rejestru). Włącz "containerd-snapshotter" w /etc/docker/daemon.json (Docker Desktop: ' +
      'Settings → General → „Use containerd for pulling and storing images”) albo użyj --isolation container.',
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
