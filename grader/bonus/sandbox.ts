/**
 * Runs a student's deletion script (submission.json `bonus.deleteScript`) where it can do no harm:
 *
 * - a disposable copy of registry7 (new registry:2 container, deleting on or off as the student's
 *   own registry7 command set it, own volume filled
 *   with registry7's storage) on an `--internal` network whose bridge has no host address
 *   (`inhibit_ipv4`: on a plain internal network the host's gateway IP stays reachable, measured);
 * - a sandbox container on that network only: no Docker socket, `--cap-drop ALL`, read-only root
 *   with a tmpfs /tmp, pids/memory/CPU limits, user 65534, killed by the grader at the time limit.
 *
 * The script sees (documented for students):
 *   REGISTRY_URL=http://registry7:5000  REGISTRY=registry7:5000
 *   REPOSITORY=<name>  IMAGE_TAG=<tag>  CACHE_TAG=<tag>
 * and runs as `sh /sandbox/script.sh` (busybox sh, curl, jq in the default image). The script gets
 * there by `docker cp` of a copy the grader made under a fixed name into a per-run volume: no
 * part of the student's path is ever in a docker argv (a folder named `a,source=/etc/passwd`
 * would otherwise steer a `--mount` spec).
 * Afterwards the grader checks: cache tag gone, image intact; and, when the student's answer runs
 * `registry garbage-collect` (which needs Docker, so the grader runs it on the copy), bytes freed.
 * Everything is labelled `buildx-grader.run=<runId>` and removed in `finally`, also on abort.
 */
import { chmod, copyFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DockerCli, labelFlags, newRunId } from '../docker/docker.ts';
import { removeRun, runLabels } from '../docker/run-resources.ts';
import { InfraError, InterruptedError } from '../errors.ts';
import { ensureRuntimeImage, runtimeImage } from '../docker/runtime-images.ts';
import { toRef, type ImageRef } from '../registry/reference.ts';
import { makeTempDir } from '../util/temp-dir.ts';
import { redact } from '../util/redact.ts';
import { blockedConnectionsIn } from './blocked.ts';
import { verifyForeignDeletion } from './delete-flow.ts';
import type { BonusClient } from './ports.ts';
import { createRegistryCopy } from './registry-copy.ts';
import type { RegistryDeleteSetting } from './registry7-setup.ts';
import type { ScriptOutcome } from './types.ts';

export const DEFAULT_TIME_LIMIT_MS = 60_000;

export interface ScriptSandboxOptions {
  client: BonusClient;
  /** Folder of the submission; the script must be a regular file inside it. */
  submissionDir: string;
  /** `bonus.deleteScript` from submission.json (relative to submissionDir), or the label of `fromReport`. */
  script: string;
  /** The deletion commands of the report, rewritten for the copy (report-answer.ts): run instead of a file. */
  fromReport?: { text: string; notes: string[] };
  /** Where the student's image and cache are (refs in registry7); only repository and tags are used. */
  imageRef: ImageRef | string;
  cacheRef: ImageRef | string;
  /** registry7 storage to copy: its container (--volumes-from, read-only) or its volume. */
  source: { container: string } | { volume: string };
  /** Deleting in the copy, as the student's own registry7 was set up (registry7-setup.ts). */
  registryDelete: RegistryDeleteSetting;
  /**
   * Where the student's answer runs `registry garbage-collect` (file, line): the grader runs it on
   * the copy, since the sandbox has no Docker. null: no GC runs, so no space is given back.
   */
  gcBy: string | null;
  sandboxImage?: string;
  registryImage?: string;
  timeLimitMs?: number;
  memory?: string;
  pidsLimit?: number;
  runId?: string;
  /** Docker client without an abort signal of its own: the kill and the cleanup must run after an abort too. */
  docker?: DockerCli;
  signal?: AbortSignal;
}

/** Checks the script path: inside the submission (after symlinks), a regular file. Returns the real path or a Polish problem. */
export async function resolveScript(submissionDir: string, script: string): Promise<{ path: string } | { problem: string }> {
  if (!script || isAbsolute(script)) return { problem: `bonus.deleteScript „${script}” musi być ścieżką względną wewnątrz zgłoszenia.` };
  try {
    const root = await realpath(submissionDir);
    const path = await realpath(resolve(root, script));
    const rel = relative(root, path);
    if (rel.startsWith('..') || isAbsolute(rel) || rel === '') return { problem: `bonus.deleteScript „${script}” wskazuje poza katalog zgłoszenia.` };
    if (!(await stat(path)).isFile()) return { problem: `bonus.deleteScript „${script}” nie jest zwykłym plikiem.` };
    return { path };
  } catch {
    return { problem: `Nie znaleziono skryptu bonus.deleteScript „${script}” w zgłoszeniu.` };
  }
}

/** Where the script is inside the sandbox; the name is ours, never the student's. */
export const SANDBOX_SCRIPT = '/sandbox/script.sh';

/** Builds the `docker create` argv of the sandbox container (pure). */
export function sandboxCreateArgs(p: {
  runId: string;
  name: string;
  network: string;
  image: string;
  /** The per-run volume mounted at /sandbox (it holds the copied script). */
  scriptVolume: string;
  env: Record<string, string>;
  memory: string;
  pidsLimit: number;
}): string[] {
  return [
    'container', 'create', '--name', p.name, ...labelFlags(runLabels(p.runId)),
    '--network', p.network,
    '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges',
    '--read-only', '--tmpfs', '/tmp:rw,nosuid,nodev,size=16m,mode=1777',
    '--pids-limit', String(p.pidsLimit), '--memory', p.memory, '--memory-swap', p.memory, '--cpus', '1',
    '--user', '65534:65534', '--workdir', '/tmp',
    '--mount', `type=volume,source=${p.scriptVolume},target=/sandbox`,
    ...Object.entries(p.env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    '--entrypoint', '/bin/sh',
    p.image,
    // stderr into stdout keeps the order of curl's errors and the script's own output.
    '-c', 'exec sh "$0" 2>&1', SANDBOX_SCRIPT,
  ];
}

export async function runStudentScript(o: ScriptSandboxOptions): Promise<ScriptOutcome> {
  const image = runtimeImage('sandbox', o.sandboxImage);
  const timeLimitMs = o.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
  const outcome: ScriptOutcome = {
    script: o.script, image, exitCode: null, timedOut: false, timeLimitMs, durationMs: 0, output: '', blockedConnections: [],
    registryDelete: o.registryDelete,
    gcBy: o.gcBy,
    ...(o.fromReport ? { fromReport: o.fromReport } : {}),
  };
  const resolved = o.fromReport ? undefined : await resolveScript(o.submissionDir, o.script);
  if (resolved && 'problem' in resolved) {
    outcome.invalid = resolved.problem;
    return outcome;
  }
  const imageRef = toRef(o.imageRef);
  const cacheRef = toRef(o.cacheRef);
  const runId = o.runId ?? newRunId('sandbox');
  const docker = o.docker ?? new DockerCli();
  const call = { signal: o.signal };
  let scratch: string | undefined;
  try {
    await ensureRuntimeImage(docker, 'sandbox', image, call);
    const network = `bg-${runId}-internal`;
    await docker.createNetwork(network, runLabels(runId), {
      internal: true,
      driverOpts: { 'com.docker.network.bridge.inhibit_ipv4': 'true' },
    }, call);
    const copy = await createRegistryCopy({
      docker, runId, deleteEnabled: o.registryDelete.enabled, internalNetwork: network, image: o.registryImage, signal: o.signal,
      ...('container' in o.source ? { fromContainer: o.source.container } : { fromVolume: o.source.volume }),
    });
    const name = `bg-${runId}-sandbox`;
    const scriptVolume = `bg-${runId}-script`;
    await docker.createVolume(scriptVolume, runLabels(runId), call);
    await docker.ok(
      sandboxCreateArgs({
        runId, name, network, image, scriptVolume,
        env: {
          REGISTRY_URL: 'http://registry7:5000',
          REGISTRY: 'registry7:5000',
          REPOSITORY: cacheRef.repository,
          IMAGE_TAG: imageRef.tag ?? 'latest',
          CACHE_TAG: cacheRef.tag ?? 'latest',
        },
        memory: o.memory ?? '128m',
        pidsLimit: o.pidsLimit ?? 64,
      }),
      `utworzyć kontenera piaskownicy ${name}`,
      call,
    );
    // Our own copy under a fixed name: docker cp parses no part of the student's path.
    scratch = await makeTempDir('script-', runId);
    const copied = join(scratch, 'script.sh');
    if (resolved) await copyFile(resolved.path, copied);
    else await writeFile(copied, o.fromReport!.text);
    await chmod(copied, 0o644);
    await docker.ok(['cp', copied, `${name}:${SANDBOX_SCRIPT}`], 'skopiować skryptu studenta do piaskownicy', call);
    // The copy has the student's content under the same repository and tags, at a loopback address.
    outcome.verification = await verifyForeignDeletion(
      {
        client: o.client,
        registry7: copy,
        imageRef: `${copy.address}/${imageRef.repository}:${imageRef.tag ?? 'latest'}`,
        cacheRef: `${copy.address}/${cacheRef.repository}:${cacheRef.tag ?? 'latest'}`,
        garbageCollect: o.gcBy !== null,
        signal: o.signal,
      },
      async () => {
        const ran = await runWithLimit(docker, name, timeLimitMs, o.signal);
        Object.assign(outcome, ran);
        const logs = await docker.containerLogs(name, 300, call);
        outcome.output = redact(`${logs.stdout}${logs.stderr ? `\n${logs.stderr}` : ''}`.trim());
        outcome.blockedConnections = blockedConnectionsIn(outcome.output);
      },
    );
    return outcome;
  } catch (error) {
    if (!(error instanceof InfraError)) throw error;
    outcome.infraError = error.message;
    return outcome;
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
    let problem: string | undefined;
    try {
      const left = await removeRun(runId, docker);
      if (left.length) problem = `nie usunięto: ${left.join(', ')}`;
    } catch (error) {
      if (!(error instanceof InfraError)) throw error;
      problem = `nie sprawdzono, co zostało do usunięcia: ${error.message}`;
    }
    if (problem) outcome.infraError = `${outcome.infraError ? `${outcome.infraError}; ` : ''}${problem}`;
  }
}

/** Starts the container and waits for it; at the limit (or on abort) the grader kills it. */
async function runWithLimit(
  docker: DockerCli, name: string, limitMs: number, signal?: AbortSignal,
): Promise<Pick<ScriptOutcome, 'exitCode' | 'timedOut' | 'durationMs'>> {
  const started = performance.now();
  await docker.startContainer(name, { signal });
  let timedOut = false;
  // Never rejects: it runs from a timer and an abort listener.
  const kill = async (): Promise<void> => {
    await docker.killContainer(name, { timeoutMs: 30_000 }).catch(() => undefined);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    void kill();
  }, limitMs);
  const onAbort = (): void => void kill();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    // `docker wait` prints the exit code once the container stops (137 after the kill).
    const exitCode = await docker.waitContainer(name, { timeoutMs: limitMs + 60_000 });
    if (signal?.aborted) throw new InterruptedError('Przerwano uruchamianie skryptu studenta.');
    // Give a kill in flight a moment so the timed-out flag and the exit code agree.
    if (timedOut) await sleep(50);
    return { exitCode, timedOut, durationMs: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

