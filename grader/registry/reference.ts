/**
 * Image references (`registry/repo:tag@digest`) as the Docker CLI reads them.
 * Grammar mirrors https://github.com/distribution/reference/blob/main/regexp.go
 * and the Docker Hub defaults of https://github.com/distribution/reference/blob/main/normalize.go.
 */
import { InputError } from '../errors.ts';

export interface ImageRef {
  /** Registry host[:port] as typed; `docker.io` when the ref names none. */
  registry: string;
  /** Host[:port] the HTTP API lives on (`registry-1.docker.io` for Docker Hub). */
  apiHost: string;
  /** Repository path, e.g. `s99656/app` or `library/alpine`. */
  repository: string;
  tag?: string;
  digest?: string;
  /** Fully qualified form: `registry/repository[:tag][@digest]`. */
  canonical: string;
}

export const DOCKER_HUB = 'docker.io';
export const DOCKER_HUB_API = 'registry-1.docker.io';
const HUB_ALIASES = new Set([DOCKER_HUB, 'index.docker.io', DOCKER_HUB_API]);

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const HEX_LENGTH: Record<string, number> = { sha256: 64, sha512: 128 };
const MAX_NAME = 255;

/** The API host for a registry name as typed (`docker.io` → `registry-1.docker.io`). */
export function apiHostOf(registry: string): string {
  return HUB_ALIASES.has(registry.toLowerCase()) ? DOCKER_HUB_API : registry;
}

/** Parses an image reference; throws InputError (Polish) naming the ref when it is invalid. */
export function parseReference(input: string): ImageRef {
  const fail = (why: string): never => {
    throw new InputError(`Nieprawidłowa nazwa obrazu „${input}”: ${why}.`, [`${input}: ${why}`]);
  };
  const ref = input.trim();
  if (ref === '') fail('nazwa jest pusta');
  if (/\s/.test(ref)) fail('nazwa zawiera białe znaki');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) fail('podaj nazwę obrazu bez schematu (http:// lub https://)');

  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    checkDigest(digest, fail);
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  // A colon after the last slash separates the tag; one before it belongs to host:port.
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) fail(`tag „${tag}” jest niepoprawny (dozwolone litery, cyfry, _ . -, do 128 znaków)`);
  }

  let registry = DOCKER_HUB;
  let repository = rest;
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  // Same rule as the Docker CLI: the first component is a host only if it looks like one.
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['))) {
    registry = first;
    repository = rest.slice(slash + 1);
    checkHost(registry, fail);
  }
  if (repository === '') fail('brak nazwy repozytorium');
  if (repository !== repository.toLowerCase()) fail('nazwa repozytorium musi być zapisana małymi literami');
  for (const part of repository.split('/')) {
    if (!PATH_COMPONENT.test(part)) fail(`niepoprawny fragment ścieżki repozytorium „${part}”`);
  }
  const apiHost = apiHostOf(registry);
  if (apiHost === DOCKER_HUB_API && !repository.includes('/')) repository = `library/${repository}`;
  if (registry.length + 1 + repository.length > MAX_NAME) fail(`nazwa dłuższa niż ${MAX_NAME} znaków`);
  if (!tag && !digest) tag = 'latest';
  return build(registry, repository, tag, digest);
}

/** The same repository with a different tag and no digest. */
export function withTag(ref: ImageRef, tag: string): ImageRef {
  return build(ref.registry, ref.repository, tag, undefined);
}

/** The same repository pinned to a digest (the tag is dropped: registries resolve by digest). */
export function withDigest(ref: ImageRef, digest: string): ImageRef {
  return build(ref.registry, ref.repository, undefined, digest);
}

/** What a manifest URL addresses: the digest when known, else the tag. */
export function referenceOf(ref: ImageRef): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

/** Accepts a parsed ref or a string to parse. */
export function toRef(ref: ImageRef | string): ImageRef {
  return typeof ref === 'string' ? parseReference(ref) : ref;
}

function build(registry: string, repository: string, tag: string | undefined, digest: string | undefined): ImageRef {
  const canonical = `${registry}/${repository}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
  return {
    registry,
    apiHost: apiHostOf(registry),
    repository,
    ...(tag ? { tag } : {}),
    ...(digest ? { digest } : {}),
    canonical,
  };
}

function checkDigest(digest: string, fail: (why: string) => never): void {
  if (!DIGEST.test(digest)) fail(`skrót „${digest}” ma zły format (oczekiwano np. sha256:<64 znaki szesnastkowe>)`);
  const [algorithm, hex = ''] = digest.split(':');
  const want = HEX_LENGTH[algorithm ?? ''];
  if (want !== undefined && (hex.length !== want || !/^[a-f0-9]+$/.test(hex))) {
    fail(`skrót ${algorithm} musi mieć ${want} małych znaków szesnastkowych`);
  }
}

function checkHost(host: string, fail: (why: string) => never): void {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  if (!m) return fail(`niepoprawny adres rejestru „${host}”`);
  const [, name = '', port] = m;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) fail(`niepoprawny port rejestru „${port}”`);
  if (name.startsWith('[')) return;
  if (!name.split('.').every((c) => DOMAIN_COMPONENT.test(c))) fail(`niepoprawny adres rejestru „${host}”`);
}
