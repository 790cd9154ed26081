/**
 * The `container` strategy: a fresh docker-container builder per build, removed with its
 * state afterwards. Builder and registry7 share a private per-run Docker network: BuildKit
 * reaches registry7 by name over plain HTTP and sees nothing of the host's loopback.
 */
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InfraError } from '../errors.ts';
import type { Registry7 } from '../registry/registry7.ts';
import { makeTempDir } from '../util/temp-dir.ts';
import { assertRunId, compareVersions, type DockerCli } from './docker.ts';
import type { BuilderHandle, Isolation } from './isolation.ts';
import { runLabels } from './run-resources.ts';

export const BUILDER_PREFIX = 'buildx-grader-';
export const NETWORK_PREFIX = 'buildx-grader-net-';
/** registry7's name on the run network; image refs in the build command use it. */
export const REGISTRY7_ALIAS = 'registry7';
export const REGISTRY7_BUILDER_HOST = `${REGISTRY7_ALIAS}:5000`;

/** buildkitd.toml letting BuildKit push to and pull from these registries over plain HTTP. */
export function buildkitdConfig(insecureRegistries: string[]): string {
  // https://docs.docker.com/build/buildkit/toml-configuration/ ([registry."host"] http/insecure)
  return [...new Set(insecureRegistries)]
    .map((host) => `[registry.${JSON.stringify(host)}]\n  http = true\n  insecure = true\n`)
    .join('\n');
}

/** argv of `docker buildx create` for one throw-away docker-container builder. */
export function buildxCreateArgs(options: { name: string; configPath: string; image: string; network: string; buildxVersion?: string }): string[] {
  // buildx 0.13 renamed --config to --buildkitd-config (the old name still works but is hidden/deprecated).
  const configFlag = options.buildxVersion && compareVersions(options.buildxVersion, '0.13.0') < 0 ? '--config' : '--buildkitd-config';
  return [
    'buildx', 'create',
    '--name', options.name,
    '--driver', 'docker-container',
    '--driver-opt', `network=${options.network}`,
    '--driver-opt', `image=${options.image}`,
    configFlag, options.configPath,
    '--bootstrap',
  ];
}

/** argv removing a builder with its container and state volume (no --keep-state/--keep-daemon). */
export const buildxRmArgs = (name: string): string[] => ['buildx', 'rm', '--force', name];

const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/i;

export interface ContainerIsolationOptions {
  docker: DockerCli;
  runId: string;
  reason: string;
  /** BuildKit image for the builders (local: ensured by the caller). */
  image: string;
  /** registry7, possibly still starting; read on the first prepare(). */
  registry7: Promise<Registry7> | Registry7;
}

export function createContainerIsolation(options: ContainerIsolationOptions): Isolation {
  assertRunId(options.runId);
  const { docker } = options;
  const network = `${NETWORK_PREFIX}${options.runId}`;
  let n = 0;
  // Set up once per run, on the first build: the network with registry7 on it.
  let setup: Promise<{ registryHost: string; network: string }> | undefined;
  const setUp = async () => {
    const r7 = await options.registry7;
    if (!r7.managed || !r7.containerName) {
      // An existing registry (--registry): the builder reaches it like any host on the bridge.
      if (LOOPBACK_HOST.test(r7.host)) {
        throw new InfraError(
          `Rejestr ${r7.host} nasłuchuje tylko na pętli zwrotnej tej maszyny, a builder docker-container działa w osobnej sieci ` +
          'i go nie widzi. Podaj w --registry adres osiągalny z kontenerów (np. IP maszyny) albo pomiń --registry (program uruchomi własne registry7).',
        );
      }
      return { registryHost: r7.host, network: 'bridge' };
    }
    await docker.createNetwork(network, runLabels(options.runId));
    await docker.connectNetwork(network, r7.containerName, { aliases: [REGISTRY7_ALIAS] });
    return { registryHost: REGISTRY7_BUILDER_HOST, network };
  };
  const ready = () => (setup ??= setUp());
  return {
    kind: 'container',
    reason: options.reason,
    async registryHost() {
      return (await ready()).registryHost;
    },
    async prepare(): Promise<BuilderHandle> {
      const { registryHost, network: net } = await ready();
      const name = `${BUILDER_PREFIX}${options.runId}-${++n}`;
      const dir = await makeTempDir('bk-', options.runId);
      const configPath = path.join(dir, 'buildkitd.toml');
      let disposed = false;
      const dispose = async () => {
        if (disposed) return;
        disposed = true;
        try {
          const result = await docker.exec(buildxRmArgs(name), { timeoutMs: 120_000 });
          // `buildx rm` of a half-created builder may fail; remove what the driver names after it.
          // Names: buildx_buildkit_<builder><node index>, its state volume with suffix _state.
          if (result.exitCode !== 0) {
            await docker.removeContainers([`buildx_buildkit_${name}0`]);
            await docker.removeVolumes([`buildx_buildkit_${name}0_state`]);
          }
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      };
      try {
        await writeFile(configPath, buildkitdConfig([registryHost]));
        const buildx = await docker.buildxVersion();
        await docker.ok(
          buildxCreateArgs({ name, configPath, image: options.image, network: net, buildxVersion: buildx.version }),
          `utworzyć buildera ${name} (docker-container)`,
          { timeoutMs: 5 * 60_000 },
        );
      } catch (error) {
        await dispose().catch(() => undefined);
        throw error;
      }
      return { builderName: name, dispose };
    },
    async close() {
      if (!setup) return;
      const done = await setup.catch(() => undefined);
      if (done && done.network === network) await docker.removeNetworks([network]);
    },
  };
}
