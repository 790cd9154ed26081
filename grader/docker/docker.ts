/**
 * Thin typed wrappers around the `docker` CLI. Each one is three steps: build the argv
 * (exported `*Args` functions), run it through `run()`, parse stdout with a pure `parse*`
 * function. Failures of the engine itself become InfraError with a Polish message.
 */
import { InfraError, InterruptedError } from '../errors.ts';
import { run, type ExecOptions, type ExecResult } from '../util/exec.ts';
import { redact } from '../util/redact.ts';

export interface DockerCliOptions {
  /** Client binary (default `docker`). */
  binary?: string;
  /** Extra environment, e.g. DOCKER_HOST. */
  env?: Record<string, string>;
  /** Time limit of one housekeeping command (not of builds). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface EngineVersion {
  client: string;
  /** Undefined when the daemon did not answer. */
  server?: string;
  apiVersion?: string;
  containerd?: string;
  os?: string;
  arch?: string;
}

export interface EngineInfo {
  serverVersion: string;
  /** Storage driver as the engine reports it (overlayfs with the containerd store). */
  storageDriver: string;
  /** The containerd image store is on (needed for multi-platform builds on the docker driver). */
  containerdStore: boolean;
  architecture?: string;
  cpus?: number;
}

export interface BuildxVersion {
  /** e.g. 0.13.1 (suffixes such as +ds1 removed). */
  version: string;
  raw: string;
}

export interface BuilderNode {
  name: string;
  endpoint?: string;
  status?: string;
  buildkit?: string;
  platforms: string[];
}

export interface BuilderInfo {
  name: string;
  driver: string;
  nodes: BuilderNode[];
}

export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  state: string;
  labels: Record<string, string>;
}

export interface ContainerState {
  name: string;
  running: boolean;
  status: string;
  exitCode?: number;
  labels: Record<string, string>;
}

export interface ContainerSpec {
  /** Omitted: Docker picks one (one-off `run --rm` helpers, found again by their labels). */
  name?: string;
  image: string;
  labels?: Record<string, string>;
  env?: Record<string, string>;
  /** `-p` values, e.g. `127.0.0.1::5000`. */
  publish?: string[];
  /** `-v` values, e.g. `vol:/var/lib/registry`. */
  volumes?: string[];
  /** `--volumes-from` values, e.g. `other:ro`. */
  volumesFrom?: string[];
  network?: string;
  entrypoint?: string;
  /** Arguments after the image. */
  args?: string[];
}

export interface RunContainerSpec extends ContainerSpec {
  /** Detached (`-d`) or run to completion (`--rm`, output returned). */
  detach: boolean;
}

export interface NetworkOptions {
  /** `--internal`: no route out of the network. */
  internal?: boolean;
  /** Driver options (`--opt KEY=VALUE`), e.g. `com.docker.network.bridge.inhibit_ipv4: 'true'`. */
  driverOpts?: Record<string, string>;
}

// ---------------------------------------------------------------- argv builders

export const versionArgs = (): string[] => ['version', '--format', 'json'];
export const infoArgs = (): string[] => ['info', '--format', 'json'];
export const buildxVersionArgs = (): string[] => ['buildx', 'version'];
// `buildx ls --format json` prints one JSON object per builder (buildx >= 0.13).
export const buildxLsArgs = (): string[] => ['buildx', 'ls', '--format', 'json'];
export const buildxInspectArgs = (name: string, bootstrap = false): string[] =>
  ['buildx', 'inspect', ...(bootstrap ? ['--bootstrap'] : []), name];
export const imageInspectArgs = (ref: string): string[] => ['image', 'inspect', '--format', '{{.Id}}', ref];
export const imageRmArgs = (refs: string[]): string[] => ['image', 'rm', '--force', ...refs];

export const labelFilters = (labels: Record<string, string>): string[] =>
  Object.entries(labels).flatMap(([k, v]) => ['--filter', v === '' ? `label=${k}` : `label=${k}=${v}`]);
export const labelFlags = (labels: Record<string, string> = {}): string[] =>
  Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);

/** The part of `docker run` / `docker container create` after the sub-command's own flags. */
function containerSpecArgs(spec: ContainerSpec): string[] {
  return [
    ...(spec.name !== undefined ? ['--name', spec.name] : []),
    ...labelFlags(spec.labels),
    ...Object.entries(spec.env ?? {}).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
    ...(spec.publish ?? []).flatMap((p) => ['--publish', p]),
    ...(spec.volumes ?? []).flatMap((v) => ['--volume', v]),
    ...(spec.volumesFrom ?? []).flatMap((v) => ['--volumes-from', v]),
    ...(spec.network ? ['--network', spec.network] : []),
    ...(spec.entrypoint !== undefined ? ['--entrypoint', spec.entrypoint] : []),
    spec.image,
    ...(spec.args ?? []),
  ];
}
export const runContainerArgs = (spec: RunContainerSpec): string[] =>
  ['run', spec.detach ? '--detach' : '--rm', ...containerSpecArgs(spec)];
export const createContainerArgs = (spec: ContainerSpec): string[] => ['container', 'create', ...containerSpecArgs(spec)];
export const containerLsArgs = (labels: Record<string, string>): string[] =>
  ['container', 'ls', '--all', '--no-trunc', '--format', 'json', ...labelFilters(labels)];
export const containerInspectArgs = (name: string): string[] => ['container', 'inspect', '--format', 'json', name];
export const containerRmArgs = (names: string[]): string[] => ['container', 'rm', '--force', '--volumes', ...names];
export const containerPortArgs = (name: string, port: string): string[] => ['container', 'port', name, port];
export const containerKillArgs = (name: string): string[] => ['container', 'kill', name];
export const containerWaitArgs = (name: string): string[] => ['container', 'wait', name];
export const containerLogsArgs = (name: string, tail: number): string[] => ['container', 'logs', '--tail', String(tail), name];
export const volumeCreateArgs = (name: string, labels: Record<string, string>): string[] =>
  ['volume', 'create', ...labelFlags(labels), name];
export const volumeLsArgs = (labels: Record<string, string>): string[] =>
  ['volume', 'ls', '--format', 'json', ...labelFilters(labels)];
export const volumeRmArgs = (names: string[]): string[] => ['volume', 'rm', '--force', ...names];
export const networkCreateArgs = (name: string, labels: Record<string, string>, options: NetworkOptions = {}): string[] => [
  'network', 'create',
  ...(options.internal ? ['--internal'] : []),
  ...Object.entries(options.driverOpts ?? {}).flatMap(([k, v]) => ['--opt', `${k}=${v}`]),
  ...labelFlags(labels),
  name,
];
export const networkConnectArgs = (network: string, container: string, aliases: string[] = []): string[] =>
  ['network', 'connect', ...aliases.flatMap((a) => ['--alias', a]), network, container];
export const networkLsArgs = (labels: Record<string, string>): string[] =>
  ['network', 'ls', '--no-trunc', '--format', 'json', ...labelFilters(labels)];
export const networkRmArgs = (names: string[]): string[] => ['network', 'rm', ...names];

// ---------------------------------------------------------------- pure parsers

/** Parses `docker version --format json` (printed even when the daemon is down: Server is null). */
export function parseVersion(stdout: string): EngineVersion {
  const data = JSON.parse(stdout) as {
    Client?: { Version?: string };
    Server?: { Version?: string; ApiVersion?: string; Os?: string; Arch?: string; Components?: { Name: string; Version: string }[] } | null;
  };
  const server = data.Server ?? undefined;
  return {
    client: data.Client?.Version ?? 'unknown',
    server: server?.Version,
    apiVersion: server?.ApiVersion,
    containerd: server?.Components?.find((c) => c.Name === 'containerd')?.Version,
    os: server?.Os,
    arch: server?.Arch,
  };
}

/** Parses `docker info --format json`. */
export function parseInfo(stdout: string): EngineInfo {
  const data = JSON.parse(stdout) as {
    ServerVersion?: string; Driver?: string; DriverStatus?: [string, string][] | null; Architecture?: string; NCPU?: number;
  };
  // With the containerd image store the engine reports driver-type io.containerd.snapshotter.v1.
  // https://docs.docker.com/engine/storage/containerd/
  const containerdStore = (data.DriverStatus ?? []).some(([k, v]) => k === 'driver-type' && v.startsWith('io.containerd.snapshotter'));
  return {
    serverVersion: data.ServerVersion ?? 'unknown',
    storageDriver: data.Driver ?? 'unknown',
    containerdStore,
    architecture: data.Architecture,
    cpus: data.NCPU,
  };
}

/** Parses `docker buildx version`, e.g. `github.com/docker/buildx 0.13.1+ds1 0.13.1+ds1-3` or `... v0.14.0 171fcbe`. */
export function parseBuildxVersion(stdout: string): BuildxVersion {
  const raw = stdout.trim();
  const m = /\bv?(\d+\.\d+\.\d+)(?:[-+~][\w.+~-]*)?/.exec(raw.split(/\s+/)[1] ?? '');
  if (!m?.[1]) throw new InfraError(`Nie rozpoznano wersji buildx w wyjściu: „${raw.slice(0, 200)}”`);
  return { version: m[1], raw };
}

/** Compares dotted versions: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Parses `docker buildx ls --format json`: one JSON object per line. */
export function parseBuildxLs(stdout: string): BuilderInfo[] {
  return stdout.split('\n').filter((l) => l.trim().startsWith('{')).map((line) => {
    const b = JSON.parse(line) as {
      Name: string; Driver?: string;
      Nodes?: { Name: string; Endpoint?: string; Status?: string; Version?: string; Platforms?: string[] | null }[] | null;
    };
    return {
      name: b.Name,
      driver: b.Driver ?? '',
      nodes: (b.Nodes ?? []).map((n) => ({
        name: n.Name, endpoint: n.Endpoint, status: n.Status, buildkit: n.Version, platforms: n.Platforms ?? [],
      })),
    };
  });
}

/**
 * Parses the text of `docker buildx inspect NAME` (no JSON format exists in buildx 0.13).
 * Same approach as docker/actions-toolkit Builder.parseInspect (src/buildx/builder.ts).
 */
export function parseBuildxInspect(stdout: string): BuilderInfo {
  const info: BuilderInfo = { name: '', driver: '', nodes: [] };
  let node: BuilderNode | undefined;
  for (const line of stdout.split('\n')) {
    const m = /^([A-Za-z][\w .]*?):\s*(.*)$/.exec(line);
    if (!m?.[1]) continue;
    const key = m[1].toLowerCase();
    const value = (m[2] ?? '').trim();
    if (key === 'name') {
      if (!info.name) info.name = value;
      else {
        node = { name: value, platforms: [] };
        info.nodes.push(node);
      }
    } else if (key === 'driver' && !node) info.driver = value;
    else if (!node) continue;
    else if (key === 'endpoint') node.endpoint = value;
    else if (key === 'status') node.status = value;
    else if (key === 'buildkit version' || key === 'buildkit') node.buildkit = value;
    else if (key === 'platforms') node.platforms = value.split(',').map((p) => p.trim().replace(/\*$/, '')).filter(Boolean);
  }
  return info;
}

/** All platforms of a builder's nodes, without the `*` marking user-set ones. */
export function builderPlatforms(builder: BuilderInfo): string[] {
  return [...new Set(builder.nodes.flatMap((n) => n.platforms))];
}

/** Parses `docker container port NAME 5000/tcp`, e.g. `127.0.0.1:32768` (one line per binding). */
export function parsePort(stdout: string): { host: string; port: number } | undefined {
  for (const line of stdout.split('\n')) {
    const m = /^(?:\[([0-9a-f:]+)\]|([\d.]+)):(\d+)\s*$/.exec(line.trim());
    if (m?.[3]) return { host: m[1] ?? m[2] ?? '', port: Number(m[3]) };
  }
  return undefined;
}

/** Parses the `Labels` string of `--format json` listings: `a=1,b=2`. */
export function parseLabelString(labels: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of labels.split(',')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    out[eq < 0 ? part : part.slice(0, eq)] = eq < 0 ? '' : part.slice(eq + 1);
  }
  return out;
}

/** Parses `docker container ls --format json` (one object per line). */
export function parseContainerLs(stdout: string): ContainerSummary[] {
  return jsonLines<{ ID: string; Names: string; Image: string; State: string; Labels?: string }>(stdout).map((c) => ({
    id: c.ID, name: c.Names, image: c.Image, state: c.State, labels: parseLabelString(c.Labels ?? ''),
  }));
}

/** Parses `docker container inspect --format json NAME` (an array of one). */
export function parseContainerInspect(stdout: string): ContainerState | undefined {
  const list = JSON.parse(stdout) as { Name: string; State?: { Running?: boolean; Status?: string; ExitCode?: number }; Config?: { Labels?: Record<string, string> | null } }[];
  const c = list[0];
  if (!c) return undefined;
  return {
    name: c.Name.replace(/^\//, ''),
    running: c.State?.Running === true,
    status: c.State?.Status ?? 'unknown',
    exitCode: c.State?.ExitCode,
    labels: c.Config?.Labels ?? {},
  };
}

/** Parses `docker container wait NAME`: the container's exit code (the last line), undefined when there is none. */
export function parseWait(stdout: string): number | undefined {
  const last = stdout.trim().split('\n').pop()?.trim() ?? '';
  return /^-?\d+$/.test(last) ? Number(last) : undefined;
}

/** Names from `docker volume ls --format json` or `docker network ls --format json`. */
export function parseNamesLs(stdout: string): string[] {
  return jsonLines<{ Name: string }>(stdout).map((v) => v.Name);
}

function jsonLines<T>(stdout: string): T[] {
  return stdout.split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l) as T);
}

// ---------------------------------------------------------------- failures

const ENGINE_DOWN = /Cannot connect to the Docker daemon|Is the docker daemon running|error during connect|docker\.sock: connect: (?:connection refused|no such file)/i;

/** The engine itself failed (not answering, binary missing, hung): the Polish InfraError, else undefined. */
export function engineFailure(result: ExecResult): InfraError | undefined {
  const cmd = `${result.command} ${result.args.slice(0, 3).join(' ')}`;
  if (result.spawnError) {
    return new InfraError(`Nie można uruchomić klienta Dockera (${result.command}): ${result.spawnError}. Zainstaluj stos: npm run setup`);
  }
  if (result.cancelled) return undefined;
  if (result.timedOut) {
    return new InfraError(`Silnik Dockera nie odpowiedział w wyznaczonym czasie (${cmd}, ${Math.round(result.durationMs / 1000)} s).`);
  }
  const stderr = firstLines(result.stderr);
  if (ENGINE_DOWN.test(result.stderr)) {
    return new InfraError(`Silnik Dockera nie odpowiada (${stderr}). Uruchom go: npm run setup`);
  }
  if (/panic:|Internal Server Error|error response from daemon: .*(?:shim|containerd|ttrpc)/i.test(result.stderr)) {
    return new InfraError(`Silnik Dockera zgłosił awarię przy „${cmd}”: ${stderr}`);
  }
  return undefined;
}

function firstLines(text: string, max = 3): string {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, max).join(' | ').slice(0, 500);
}

// ---------------------------------------------------------------- the client

/** The docker CLI as typed calls; every call goes through `run()`. */
export class DockerCli {
  readonly binary: string;
  constructor(readonly options: DockerCliOptions = {}) {
    this.binary = options.binary ?? 'docker';
  }

  /** Runs `docker ARGS`; throws InfraError only when the engine itself failed. */
  async exec(args: string[], extra: ExecOptions = {}): Promise<ExecResult> {
    const result = await run(this.binary, args, {
      timeoutMs: this.options.timeoutMs ?? 120_000,
      signal: this.options.signal,
      env: this.options.env,
      ...extra,
    });
    const failure = engineFailure(result);
    if (failure) throw failure;
    return result;
  }

  /** Like exec, but a non-zero exit is an InfraError saying what (Polish) failed. */
  async ok(args: string[], what: string, extra: ExecOptions = {}): Promise<string> {
    const result = await this.exec(args, extra);
    if (result.cancelled) throw new InterruptedError(`Przerwano: ${what}.`);
    if (result.exitCode !== 0) {
      throw new InfraError(`Docker: nie udało się ${what} (kod ${result.exitCode ?? '?'}): ${redact(firstLines(result.stderr || result.stdout))}`);
    }
    return result.stdout;
  }

  /** Runs a removal of `names`; an answer matching `missing` (already gone) is not an error. */
  private async remove(args: string[], names: string[], missing: RegExp, what: string): Promise<void> {
    if (names.length === 0) return;
    const result = await this.exec(args);
    if (result.exitCode !== 0 && !missing.test(result.stderr)) {
      throw new InfraError(`Docker: nie udało się usunąć ${what} ${names.join(', ')}: ${firstLines(result.stderr)}`);
    }
  }

  async version(): Promise<EngineVersion> {
    const result = await this.exec(versionArgs());
    // The client prints JSON with Server: null and exits 1 when the daemon is down.
    const parsed = result.stdout.trim().startsWith('{') ? parseVersion(result.stdout) : undefined;
    if (!parsed?.server) {
      throw new InfraError(`Silnik Dockera nie odpowiada (${firstLines(result.stderr) || 'brak sekcji Server'}). Uruchom go: npm run setup`);
    }
    return parsed;
  }

  async info(): Promise<EngineInfo> {
    return parseInfo(await this.ok(infoArgs(), 'odczytać informacji o silniku (docker info)'));
  }

  async buildxVersion(): Promise<BuildxVersion> {
    const result = await this.exec(buildxVersionArgs());
    if (result.exitCode !== 0) {
      throw new InfraError(`Brak wtyczki buildx (docker buildx version: ${firstLines(result.stderr) || result.exitCode}). Zainstaluj: npm run setup`);
    }
    return parseBuildxVersion(result.stdout);
  }

  async listBuilders(): Promise<BuilderInfo[]> {
    return parseBuildxLs(await this.ok(buildxLsArgs(), 'wyświetlić builderów (docker buildx ls)'));
  }

  /** The builder, or undefined when none has that name. */
  async inspectBuilder(name: string, options: { bootstrap?: boolean } = {}): Promise<BuilderInfo | undefined> {
    const result = await this.exec(buildxInspectArgs(name, options.bootstrap));
    if (result.exitCode !== 0) {
      if (/no builder .* found|not found/i.test(result.stderr)) return undefined;
      throw new InfraError(`Docker: nie udało się sprawdzić buildera ${name}: ${firstLines(result.stderr)}`);
    }
    return parseBuildxInspect(result.stdout);
  }

  async imageExists(ref: string, extra: ExecOptions = {}): Promise<boolean> {
    const result = await this.exec(imageInspectArgs(ref), extra);
    return result.exitCode === 0;
  }

  /** Removes local images; refs that do not exist are not an error. */
  async removeImages(refs: string[]): Promise<void> {
    await this.remove(imageRmArgs(refs), refs, /No such image/i, 'obrazów');
  }

  /** `docker run`: detached returns the container id, otherwise the whole result (the caller reads output and exit code). */
  async runContainer(spec: RunContainerSpec & { detach: true }): Promise<string>;
  async runContainer(spec: RunContainerSpec & { detach: false }, extra?: ExecOptions): Promise<ExecResult>;
  async runContainer(spec: RunContainerSpec, extra: ExecOptions = {}): Promise<string | ExecResult> {
    if (spec.detach) return (await this.ok(runContainerArgs(spec), `uruchomić kontenera ${spec.name ?? spec.image}`)).trim();
    return this.exec(runContainerArgs(spec), extra);
  }

  /** `docker container create`: the container exists, stopped; returns its id. */
  async createContainer(spec: ContainerSpec, extra: ExecOptions = {}): Promise<string> {
    return (await this.ok(createContainerArgs(spec), `utworzyć kontenera ${spec.name ?? spec.image}`, extra)).trim();
  }

  async startContainer(name: string, extra: ExecOptions = {}): Promise<void> {
    await this.ok(['container', 'start', name], `uruchomić kontenera ${name}`, extra);
  }

  async stopContainer(name: string, timeoutSeconds = 10, extra: ExecOptions = {}): Promise<void> {
    await this.ok(['container', 'stop', '--time', String(timeoutSeconds), name], `zatrzymać kontenera ${name}`, extra);
  }

  /** Kills a running container; one that has already stopped (or is gone) is not an error. */
  async killContainer(name: string, extra: ExecOptions = {}): Promise<void> {
    await this.exec(containerKillArgs(name), extra);
  }

  /** Waits until the container stops: its exit code, or null when docker could not say. */
  async waitContainer(name: string, extra: ExecOptions = {}): Promise<number | null> {
    const result = await this.exec(containerWaitArgs(name), extra);
    return result.exitCode === 0 ? parseWait(result.stdout) ?? null : null;
  }

  /** The last `tail` lines a container wrote, as docker returns them (also when it fails: the caller shows what there is). */
  async containerLogs(name: string, tail: number, extra: ExecOptions = {}): Promise<{ stdout: string; stderr: string }> {
    const { stdout, stderr } = await this.exec(containerLogsArgs(name, tail), extra);
    return { stdout, stderr };
  }

  async execInContainer(name: string, argv: string[]): Promise<string> {
    return this.ok(['container', 'exec', name, ...argv], `wykonać polecenia w kontenerze ${name}`);
  }

  /** State of a container, or undefined when it does not exist. */
  async inspectContainer(name: string): Promise<ContainerState | undefined> {
    const result = await this.exec(containerInspectArgs(name));
    if (result.exitCode !== 0) return undefined;
    return parseContainerInspect(result.stdout);
  }

  async listContainers(labels: Record<string, string>): Promise<ContainerSummary[]> {
    return parseContainerLs(await this.ok(containerLsArgs(labels), 'wyświetlić kontenerów'));
  }

  /** Force-removes containers with their anonymous volumes; missing ones are not an error. */
  async removeContainers(names: string[]): Promise<void> {
    await this.remove(containerRmArgs(names), names, /No such container/i, 'kontenerów');
  }

  /** Host address of a published container port, e.g. {host: '127.0.0.1', port: 32768}. */
  async containerPort(name: string, port: string): Promise<{ host: string; port: number }> {
    const parsed = parsePort(await this.ok(containerPortArgs(name, port), `odczytać portu kontenera ${name}`));
    if (!parsed) throw new InfraError(`Docker nie podał portu ${port} kontenera ${name}.`);
    return parsed;
  }

  async createVolume(name: string, labels: Record<string, string>, extra: ExecOptions = {}): Promise<void> {
    await this.ok(volumeCreateArgs(name, labels), `utworzyć wolumenu ${name}`, extra);
  }

  async listVolumes(labels: Record<string, string>): Promise<string[]> {
    return parseNamesLs(await this.ok(volumeLsArgs(labels), 'wyświetlić wolumenów'));
  }

  async removeVolumes(names: string[]): Promise<void> {
    await this.remove(volumeRmArgs(names), names, /no such volume/i, 'wolumenów');
  }

  async createNetwork(name: string, labels: Record<string, string>, options: NetworkOptions = {}, extra: ExecOptions = {}): Promise<void> {
    await this.ok(networkCreateArgs(name, labels, options), `utworzyć sieci ${name}`, extra);
  }

  /** Joins a (created, not necessarily running) container to a network, reachable there under `aliases` too. */
  async connectNetwork(network: string, container: string, options: { aliases?: string[] } = {}, extra: ExecOptions = {}): Promise<void> {
    await this.ok(networkConnectArgs(network, container, options.aliases), `podłączyć kontenera ${container} do sieci ${network}`, extra);
  }

  async listNetworks(labels: Record<string, string>): Promise<string[]> {
    return parseNamesLs(await this.ok(networkLsArgs(labels), 'wyświetlić sieci'));
  }

  async removeNetworks(names: string[]): Promise<void> {
    await this.remove(networkRmArgs(names), names, /not found|no such network/i, 'sieci');
  }
}

/**
 * A short unique id for one grader run, safe in container, volume and builder names
 * (passes assertRunId). `prefix` (lower-case, e.g. `sandbox`) says what made it.
 */
export function newRunId(prefix?: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/\D/g, '').slice(2, 14);
  const id = `${stamp}-${Math.random().toString(36).slice(2, 8)}`;
  return prefix ? `${prefix}-${id}` : id;
}

/** Names of Docker objects must be short and simple; run ids come from newRunId or the caller. */
export function assertRunId(runId: string): void {
  if (!/^[a-z0-9][a-z0-9_.-]{0,40}$/.test(runId)) {
    throw new InfraError(`Nieprawidłowy identyfikator przebiegu „${runId}” (dozwolone: a-z, 0-9, _ . -).`);
  }
}
