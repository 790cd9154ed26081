/**
 * The images the grader runs itself (registry7's registry:2, the deletion-script sandbox,
 * BuildKit for docker-container builders): used when local, else pulled (or, for the
 * sandbox, built from a public base) on first use with progress, else an InfraError that
 * says what is missing and every way to get it. Students and instructors are online;
 * the Debian setup script's local builds are the offline path.
 */
import { InfraError, InterruptedError } from '../errors.ts';
import type { DockerCli } from './docker.ts';

export type RuntimeImageKind = 'registry' | 'sandbox' | 'buildkit';

export const DEFAULT_IMAGES: Record<RuntimeImageKind, string> = {
  registry: 'registry:2',
  sandbox: 'buildx-grader/sandbox:1',
  // What buildx itself runs for a docker-container builder.
  buildkit: 'moby/buildkit:buildx-stable-1',
};

/** Environment variables naming another image (a mirror, an air-gapped copy). */
export const IMAGE_ENV: Record<RuntimeImageKind, string> = {
  registry: 'GRADER_REGISTRY_IMAGE',
  sandbox: 'GRADER_SANDBOX_IMAGE',
  buildkit: 'GRADER_BUILDKIT_IMAGE',
};

/** The image of that kind: explicit option, then its environment variable, then the default. */
export function runtimeImage(kind: RuntimeImageKind, option?: string, env: NodeJS.ProcessEnv = process.env): string {
  return option || env[IMAGE_ENV[kind]] || DEFAULT_IMAGES[kind];
}

/**
 * The default sandbox, built when missing: busybox sh, curl and jq, nothing else, as nobody.
 * setup.sh builds the same tools from Debian's packages when offline.
 */
export const SANDBOX_DOCKERFILE = [
  'FROM alpine:3.20',
  'RUN apk add --no-cache curl jq',
  'ENV HOME=/tmp',
  'USER 65534:65534',
  'WORKDIR /tmp',
  'CMD ["sh"]',
  '',
].join('\n');

const PURPOSE: Record<RuntimeImageKind, string> = {
  registry: 'registry7 (rejestr, do którego trafiają odtworzone budowania)',
  sandbox: 'piaskownica, w której działa skrypt usuwania studenta',
  buildkit: 'builder docker-container (każde budowanie w pustym builderze)',
};

export interface EnsureImageOptions {
  /** Polish progress lines (pull/build output) for the terminal. */
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

/** Makes sure the image of `kind` is local; true when it had to be fetched. Never deletes or retags anything. */
export async function ensureRuntimeImage(docker: DockerCli, kind: RuntimeImageKind, ref: string, options: EnsureImageOptions = {}): Promise<boolean> {
  if (await docker.imageExists(ref)) return false;
  const progress = options.onProgress ?? (() => undefined);
  // Only the default sandbox has a recipe; any other ref (a mirror) is pulled like the rest.
  const build = kind === 'sandbox' && ref === DEFAULT_IMAGES.sandbox;
  progress(build ? `budowanie obrazu ${ref} (${PURPOSE[kind]}) z alpine:3.20…` : `pobieranie obrazu ${ref} (${PURPOSE[kind]})…`);
  const argv = build
    ? ['buildx', 'build', '--builder', 'default', '--load', '--provenance=false', '-t', ref, '-']
    : ['pull', ref];
  const result = await docker.exec(argv, {
    timeoutMs: 15 * 60_000,
    signal: options.signal,
    ...(build ? { input: SANDBOX_DOCKERFILE } : {}),
    onLine: (line) => line.trim() && progress(`  ${line.trim()}`),
  });
  if (result.cancelled) throw new InterruptedError(`Przerwano pobieranie obrazu ${ref}.`);
  if (result.exitCode === 0 && (await docker.imageExists(ref))) return true;
  throw new InfraError(missingImageMessage(kind, ref, build ? 'build' : 'pull', result.timedOut ? 'przekroczono limit czasu' : `kod ${result.exitCode ?? '?'}`));
}

/** What is missing and every way to get it (Polish); tested as it is shown. */
export function missingImageMessage(kind: RuntimeImageKind, ref: string, tried: 'pull' | 'build', why: string): string {
  const how = tried === 'build' ? `zbudować go z alpine:3.20 (${why})` : `pobrać (docker pull ${ref}: ${why})`;
  const choices = [
    tried === 'build'
      ? 'połącz się z internetem (potrzebny obraz alpine:3.20 z Docker Hub) i uruchom polecenie ponownie'
      : `połącz się z internetem albo zaloguj do rejestru obrazu i uruchom: docker pull ${ref}`,
    `wskaż kopię obrazu w lokalnym rejestrze lub mirrorze: ${IMAGE_ENV[kind]}=HOST/ŚCIEŻKA:TAG`,
    kind === 'buildkit'
      ? 'użyj --isolation prune: sterownik docker, ale przed każdym budowaniem program wyczyści CAŁY cache budowania Dockera na tej maszynie'
      : 'na Debianie bez internetu: npm run setup (buduje registry:2 i piaskownicę lokalnie z pakietów Debiana)',
  ];
  return `Brak obrazu ${ref} — ${PURPOSE[kind]} — i nie udało się go ${how}. Możliwości:\n` +
    choices.map((c, i) => `  ${i + 1}. ${c}`).join('\n');
}
