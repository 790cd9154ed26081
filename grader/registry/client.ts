/**
 * OCI distribution client over plain fetch (no Docker needed).
 * Endpoints: https://github.com/opencontainers/distribution-spec/blob/main/spec.md
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { InfraError, InterruptedError } from '../errors.ts';
import { redact } from '../util/redact.ts';
import { RegistryAuthorizer, describeNetworkError, loginAdvice, registryErrorCode } from './auth.ts';
import { MANIFEST_ACCEPT, type Manifest } from './oci-types.ts';
import { apiHostOf, referenceOf, toRef, type ImageRef } from './reference.ts';
import { fetchWithin } from '../util/fetch-within.ts';

export interface RegistryClientOptions {
  /** Hosts (host or host:port) that may be reached over plain HTTP besides loopback (the CLI's --insecure). */
  insecureHosts?: string[];
  /** Per-request time limit, including reading the body. */
  timeoutMs?: number;
  /** Extra attempts after a network error, 429 or 5xx. */
  retries?: number;
  /** First backoff delay; doubles on each retry. */
  retryDelayMs?: number;
  /** Longest Retry-After we wait for; a longer one fails at once. */
  maxRetryAfterMs?: number;
  fetch?: typeof fetch;
  /** Directory with config.json (default: $DOCKER_CONFIG or ~/.docker). */
  dockerConfigDir?: string;
  /** Whole environment of credential helpers (`credsStore`, `credHelpers`) instead of this process's. */
  helperEnv?: Record<string, string>;
  /** Cancels every request (Ctrl-C). */
  signal?: AbortSignal;
}

export interface ManifestHead {
  /** Docker-Content-Digest of the manifest. */
  digest: string;
  mediaType: string;
  /** Size in bytes of the raw manifest. */
  size: number;
}

export interface ManifestResult extends ManifestHead {
  manifest: Manifest;
  /** The exact bytes the digest was computed over. */
  raw: Buffer;
}

/** The registry's answer to DELETE, as data: 202 accepted, 405 UNSUPPORTED, 400 DIGEST_INVALID, 404 MANIFEST_UNKNOWN... */
export interface DeleteResult {
  status: number;
  errorCode?: string;
  message?: string;
}

export interface PingResult {
  status: number;
  /** Docker-Distribution-API-Version header (`registry/2.0`). */
  apiVersion?: string;
}

export interface PushedBlob {
  digest: string;
  size: number;
}

/** A registry failure with the HTTP status and the registry's error code, for callers that branch on them. */
export class RegistryError extends InfraError {
  readonly registry: string;
  readonly status?: number;
  readonly errorCode?: string;
  constructor(message: string, details: { registry: string; status?: number; errorCode?: string; cause?: unknown }) {
    super(redact(message), { cause: details.cause });
    this.registry = details.registry;
    this.status = details.status;
    this.errorCode = details.errorCode;
  }
}

/** localhost, 127.0.0.0/8 and ::1: the only hosts reached over HTTP without --insecure (as in the Docker engine). */
export function isLoopbackHost(host: string): boolean {
  const name = hostnameOf(host).toLowerCase();
  return name === 'localhost' || name === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/** `http` for loopback and --insecure hosts, else `https`. */
export function schemeFor(apiHost: string, insecureHosts: readonly string[] = []): 'http' | 'https' {
  if (isLoopbackHost(apiHost)) return 'http';
  const host = apiHost.toLowerCase();
  const allowed = insecureHosts.map((h) => h.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/\/+$/, ''));
  return allowed.includes(host) || allowed.includes(hostnameOf(host)) ? 'http' : 'https';
}

function hostnameOf(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const parts = host.split(':');
  // More than one colon without brackets is a bare IPv6 address.
  return parts.length === 2 ? (parts[0] ?? host) : host;
}

const sha256 = (bytes: Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/**
 * Largest bodies read into memory. Registries must accept manifests of at least 4 MiB (OCI
 * distribution spec, "Pushing Manifests"); blobs read here are configs and cache configs, far
 * smaller than layers. A student's registry answering more is refused, not buffered.
 */
export const BODY_LIMITS = { manifest: 4 * 1024 * 1024, blob: 32 * 1024 * 1024 };

/** The body, refused past `limit` bytes (by Content-Length, or while streaming when it lies or is missing). */
async function readBounded(res: Response, limit: number, what: string, registry: string): Promise<Buffer> {
  const tooLarge = (n: string) => new RegistryError(`${what} z rejestru ${registry} ma ${n} B, więcej niż limit ${limit} B; grader go nie czyta.`, { registry, status: res.status });
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    await res.body?.cancel();
    throw tooLarge(String(declared));
  }
  if (!res.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw tooLarge(`ponad ${total}`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

const RETRYABLE = new Set([429, 500, 502, 503, 504]);

interface Target {
  registry: string;
  apiHost: string;
}

interface SendInit {
  method: string;
  /** Path and query under the registry root, e.g. `/v2/x/manifests/latest`. */
  path: string;
  /** Absolute URL (upload Location) instead of path. */
  url?: URL;
  scope: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
}

export class RegistryClient {
  private readonly options: Required<Omit<RegistryClientOptions, 'dockerConfigDir' | 'helperEnv' | 'signal'>> &
    Pick<RegistryClientOptions, 'dockerConfigDir' | 'helperEnv' | 'signal'>;
  private readonly authorizers = new Map<string, RegistryAuthorizer>();

  constructor(options: RegistryClientOptions = {}) {
    this.options = {
      insecureHosts: options.insecureHosts ?? [],
      timeoutMs: options.timeoutMs ?? 30_000,
      retries: options.retries ?? 3,
      retryDelayMs: options.retryDelayMs ?? 300,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 10_000,
      fetch: options.fetch ?? globalThis.fetch,
      dockerConfigDir: options.dockerConfigDir,
      helperEnv: options.helperEnv,
      signal: options.signal,
    };
  }

  /** `http(s)://host[:port]` of a registry's API. */
  baseUrl(registry: string): string {
    const apiHost = apiHostOf(registry);
    return `${schemeFor(apiHost, this.options.insecureHosts)}://${apiHost}`;
  }

  /** GET /v2/: is the registry up and do our credentials work? */
  async ping(registry: string): Promise<PingResult> {
    const target = { registry, apiHost: apiHostOf(registry) };
    const res = await this.send(target, { method: 'GET', path: '/v2/', scope: '' });
    if (res.status !== 200) throw await this.unexpected(target, res, 'GET /v2/');
    await res.body?.cancel();
    return { status: res.status, apiVersion: res.headers.get('docker-distribution-api-version') ?? undefined };
  }

  /** HEAD of a manifest: its digest, media type and size; null when the tag or digest does not exist. */
  async headManifest(input: ImageRef | string): Promise<ManifestHead | null> {
    const ref = toRef(input);
    const res = await this.read(ref, 'HEAD', manifestPath(ref), { Accept: MANIFEST_ACCEPT.join(', ') });
    if (!res) return null;
    const digest = res.headers.get('docker-content-digest');
    const mediaType = contentType(res);
    const size = Number(res.headers.get('content-length') ?? NaN);
    // Some registries omit the digest on HEAD; the GET computes it from the bytes.
    if (!digest || !mediaType || !Number.isFinite(size)) {
      const full = await this.getManifest(ref);
      return full && { digest: full.digest, mediaType: full.mediaType, size: full.size };
    }
    return { digest, mediaType, size };
  }

  /** The manifest (image, index or list) with its digest; null when the tag or digest does not exist. */
  async getManifest(input: ImageRef | string): Promise<ManifestResult | null> {
    const ref = toRef(input);
    const res = await this.read(ref, 'GET', manifestPath(ref), { Accept: MANIFEST_ACCEPT.join(', ') });
    if (!res) return null;
    const raw = await readBounded(res, BODY_LIMITS.manifest, `Manifest ${ref.canonical}`, ref.registry);
    const computed = sha256(raw);
    if (ref.digest?.startsWith('sha256:') && ref.digest !== computed) {
      throw new RegistryError(`Rejestr ${ref.registry} zwrócił manifest ${ref.repository}@${ref.digest}, którego treść ma inny skrót (${computed}). Dane w rejestrze mogą być uszkodzone.`, {
        registry: ref.registry,
        status: res.status,
      });
    }
    let manifest: Manifest;
    try {
      manifest = JSON.parse(raw.toString('utf8')) as Manifest;
    } catch (error) {
      throw new RegistryError(`Manifest ${ref.canonical} nie jest poprawnym JSON-em.`, { registry: ref.registry, status: res.status, cause: error });
    }
    const digest = res.headers.get('docker-content-digest') ?? computed;
    const mediaType = contentType(res) ?? manifest.mediaType ?? '';
    return { manifest, digest, mediaType, size: raw.length, raw };
  }

  /** Blob bytes (config, cache config, layer); null when the repository has no such blob. Content is verified against the digest. */
  async getBlob(input: ImageRef | string, digest: string): Promise<Buffer | null> {
    const ref = toRef(input);
    const res = await this.read(ref, 'GET', `/v2/${ref.repository}/blobs/${digest}`);
    if (!res) return null;
    const bytes = await readBounded(res, BODY_LIMITS.blob, `Blob ${digest}`, ref.registry);
    if (digest.startsWith('sha256:') && sha256(bytes) !== digest) {
      throw new RegistryError(`Blob ${digest} z ${ref.registry}/${ref.repository} ma inną treść niż wskazuje skrót. Dane w rejestrze mogą być uszkodzone.`, {
        registry: ref.registry,
        status: res.status,
      });
    }
    return bytes;
  }

  /** A JSON blob (image config, BuildKit cache config) parsed; null when missing. */
  async getBlobJson<T>(input: ImageRef | string, digest: string): Promise<T | null> {
    const ref = toRef(input);
    const bytes = await this.getBlob(ref, digest);
    if (!bytes) return null;
    try {
      return JSON.parse(bytes.toString('utf8')) as T;
    } catch (error) {
      throw new RegistryError(`Blob ${digest} z ${ref.registry}/${ref.repository} nie jest poprawnym JSON-em.`, { registry: ref.registry, cause: error });
    }
  }

  /** All tags of the ref's repository (following pagination); null when the repository does not exist. */
  async listTags(input: ImageRef | string): Promise<string[] | null> {
    const ref = toRef(input);
    const tags: string[] = [];
    let path = `/v2/${ref.repository}/tags/list`;
    for (let page = 0; page < 1000; page++) {
      const res = await this.send(ref, { method: 'GET', path, scope: pull(ref) });
      if (res.status === 404) {
        await res.body?.cancel();
        return page === 0 ? null : tags;
      }
      if (res.status !== 200) throw await this.unexpected(ref, res, `GET /v2/${ref.repository}/tags/list`);
      const body = (await res.json()) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(res.headers.get('link') ?? '')?.[1];
      if (!next) return tags;
      const url = new URL(next, this.baseUrl(ref.registry));
      path = `${url.pathname}${url.search}`;
    }
    return tags;
  }

  /**
   * DELETE of a manifest. Pass a digest (a tag makes distribution answer 400 DIGEST_INVALID).
   * Refusals (405, 400, 404) come back as data: they are the lab's subject, not infrastructure faults.
   */
  async deleteManifest(input: ImageRef | string, digestOrTag?: string): Promise<DeleteResult> {
    const ref = toRef(input);
    const path = `/v2/${ref.repository}/manifests/${digestOrTag ?? referenceOf(ref)}`;
    const res = await this.send(ref, { method: 'DELETE', path, scope: `repository:${ref.repository}:delete` });
    const body = await res.text();
    if (res.status === 202 || res.status === 200) return { status: res.status };
    const errorCode = registryErrorCode(body);
    const message = registryErrorMessage(body);
    return { status: res.status, ...(errorCode ? { errorCode } : {}), ...(message ? { message } : {}) };
  }

  /** Uploads a blob in one piece (POST, then PUT with the digest); skips it when the repository already has it. */
  async pushBlob(input: ImageRef | string, bytes: Uint8Array): Promise<PushedBlob> {
    const ref = toRef(input);
    const digest = sha256(bytes);
    const scope = push(ref);
    const headPath = `/v2/${ref.repository}/blobs/${digest}`;
    const head = await this.send(ref, { method: 'HEAD', path: headPath, scope });
    if (head.status === 200) return { digest, size: bytes.length };
    await head.body?.cancel();
    const startPath = `/v2/${ref.repository}/blobs/uploads/`;
    const start = await this.send(ref, { method: 'POST', path: startPath, scope, headers: { 'Content-Length': '0' } });
    const location = start.headers.get('location');
    if (start.status !== 202 || !location) throw await this.unexpected(ref, start, `POST ${startPath}`);
    await start.body?.cancel();
    const url = new URL(location, this.baseUrl(ref.registry));
    url.searchParams.set('digest', digest);
    const put = await this.send(ref, {
      method: 'PUT',
      path: url.pathname,
      url,
      scope,
      headers: { 'Content-Type': 'application/octet-stream' },
      body: bytes,
    });
    if (put.status !== 201) throw await this.unexpected(ref, put, `PUT ${url.pathname}`);
    await put.body?.cancel();
    return { digest, size: bytes.length };
  }

  /** Uploads a manifest under the ref's tag (or digest); returns the digest the registry stored it under. */
  async putManifest(input: ImageRef | string, mediaType: string, bytes: Uint8Array): Promise<string> {
    const ref = toRef(input);
    const path = manifestPath(ref);
    const res = await this.send(ref, { method: 'PUT', path, scope: push(ref), headers: { 'Content-Type': mediaType }, body: bytes });
    if (res.status !== 201) throw await this.unexpected(ref, res, `PUT ${path}`);
    await res.body?.cancel();
    return res.headers.get('docker-content-digest') ?? sha256(bytes);
  }

  private authorizer(target: Target): RegistryAuthorizer {
    let auth = this.authorizers.get(target.apiHost);
    if (!auth) {
      auth = new RegistryAuthorizer({
        registry: target.registry,
        apiHost: target.apiHost,
        fetch: this.options.fetch,
        timeoutMs: this.options.timeoutMs,
        dockerConfigDir: this.options.dockerConfigDir,
        helperEnv: this.options.helperEnv,
        signal: this.options.signal,
        mayReceiveCredentials: (url) => url.protocol === 'https:' || schemeFor(url.host, this.options.insecureHosts) === 'http',
      });
      this.authorizers.set(target.apiHost, auth);
    }
    return auth;
  }

  /** A pull-scoped read: the 200 response, null on 404 (no such manifest or blob), any other answer a RegistryError. */
  private async read(ref: ImageRef, method: 'GET' | 'HEAD', path: string, headers?: Record<string, string>): Promise<Response | null> {
    const res = await this.send(ref, { method, path, scope: pull(ref), ...(headers ? { headers } : {}) });
    if (res.status === 404) return null;
    if (res.status !== 200) throw await this.unexpected(ref, res, `${method} ${path}`);
    return res;
  }

  /** One request with retries and at most one authentication round; 401/403 after it become InfraError. */
  private async send(target: Target, init: SendInit): Promise<Response> {
    const auth = this.authorizer(target);
    const what = `${init.method} ${init.path.split('?')[0]}`;
    const cached = auth.cached(init.scope);
    let res = await this.attempt(target, init, cached, what);
    if (res.status === 401) {
      const challenge = res.headers.get('www-authenticate');
      await res.body?.cancel();
      if (cached) auth.forget(init.scope);
      const header = await auth.answer(challenge, init.scope);
      res = await this.attempt(target, init, header, what);
      if (res.status === 401) throw await this.authRefused(target, res, what, auth);
    }
    if (res.status === 403) throw await this.accessDenied(target, res, what);
    return res;
  }

  /** Retries network errors, 429 and 5xx with exponential backoff (Retry-After wins when given). */
  private async attempt(target: Target, init: SendInit, authorization: string | undefined, what: string): Promise<Response> {
    const url = init.url ?? new URL(init.path, this.baseUrl(target.registry));
    const headers: Record<string, string> = { ...init.headers, ...(authorization ? { Authorization: authorization } : {}) };
    const attempts = this.options.retries + 1;
    for (let attempt = 1; ; attempt++) {
      this.throwIfCancelled();
      let res: Response;
      try {
        res = await fetchWithin(this.options.fetch, url, { method: init.method, headers, body: init.body && new Uint8Array(init.body) }, this.options.timeoutMs, this.options.signal);
      } catch (error) {
        this.throwIfCancelled();
        if (attempt < attempts) {
          await this.pause(this.backoff(attempt));
          continue;
        }
        throw new RegistryError(
          `Nie można połączyć się z rejestrem ${target.registry} (${url.origin}, ${what}) po ${attempts} ${attemptsWord(attempts)}: ${describeNetworkError(error)}. ${connectHint(url, error)}`,
          { registry: target.registry, cause: error },
        );
      }
      if (!RETRYABLE.has(res.status)) return res;
      const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
      const tooLong = retryAfter !== undefined && retryAfter > this.options.maxRetryAfterMs;
      if (attempt < attempts && !tooLong) {
        await res.body?.cancel();
        await this.pause(retryAfter ?? this.backoff(attempt));
        continue;
      }
      const body = await res.text().catch(() => '');
      const errorCode = registryErrorCode(body);
      const status = `HTTP ${res.status}${errorCode ? ` ${errorCode}` : ''}`;
      const advice =
        res.status === 429
          ? `Rejestr ogranicza liczbę zapytań${retryAfter !== undefined ? ` (Retry-After: ${Math.ceil(retryAfter / 1000)} s)` : ''}; odczekaj i uruchom ponownie.`
          : 'Rejestr ma awarię lub jest przeciążony; sprawdź jego stan (logi, miejsce na dysku) i spróbuj ponownie.';
      throw new RegistryError(`Rejestr ${target.registry} odpowiedział ${status} na ${what} (po ${attempt} ${attemptsWord(attempt)}). ${advice}`, {
        registry: target.registry,
        status: res.status,
        errorCode,
      });
    }
  }

  private backoff(attempt: number): number {
    const base = this.options.retryDelayMs * 2 ** (attempt - 1);
    // Jitter spreads retries of parallel graders so they do not hit the registry in lockstep.
    return Math.round(base * (0.75 + Math.random() * 0.5));
  }

  private async pause(ms: number): Promise<void> {
    try {
      await sleep(ms, undefined, this.options.signal ? { signal: this.options.signal } : undefined);
    } catch {
      this.throwIfCancelled();
    }
  }

  private throwIfCancelled(): void {
    if (this.options.signal?.aborted) throw new InterruptedError('Przerwano zapytania do rejestru.');
  }

  private async authRefused(target: Target, res: Response, what: string, auth: RegistryAuthorizer): Promise<RegistryError> {
    const errorCode = registryErrorCode(await res.text().catch(() => ''));
    const { credentials } = await auth.loadCredentials();
    return new RegistryError(`Rejestr ${target.registry} odrzucił uwierzytelnienie (HTTP ${res.status}${errorCode ? ` ${errorCode}` : ''}) przy ${what}. ${loginAdvice(target.registry, credentials)}`, {
      registry: target.registry,
      status: res.status,
      errorCode,
    });
  }

  private async accessDenied(target: Target, res: Response, what: string): Promise<RegistryError> {
    const errorCode = registryErrorCode(await res.text().catch(() => ''));
    return new RegistryError(
      `Rejestr ${target.registry} odmówił dostępu (HTTP 403${errorCode ? ` ${errorCode}` : ''}) przy ${what}. Sprawdź uprawnienia konta zapisanego w konfiguracji Dockera.`,
      { registry: target.registry, status: res.status, errorCode },
    );
  }

  private async unexpected(target: Target, res: Response, what: string): Promise<RegistryError> {
    const body = await res.text().catch(() => '');
    const errorCode = registryErrorCode(body);
    const detail = registryErrorMessage(body);
    return new RegistryError(
      `Rejestr ${target.registry} odpowiedział HTTP ${res.status}${errorCode ? ` ${errorCode}` : ''} na ${what}${detail ? `: ${detail}` : ''}.`,
      { registry: target.registry, status: res.status, errorCode },
    );
  }
}

const pull = (ref: ImageRef) => `repository:${ref.repository}:pull`;
const push = (ref: ImageRef) => `repository:${ref.repository}:pull,push`;
const manifestPath = (ref: ImageRef) => `/v2/${ref.repository}/manifests/${referenceOf(ref)}`;

function contentType(res: Response): string | undefined {
  return res.headers.get('content-type')?.split(';')[0]?.trim() || undefined;
}

function registryErrorMessage(body: string): string | undefined {
  try {
    const message = (JSON.parse(body) as { errors?: { message?: unknown }[] }).errors?.[0]?.message;
    return typeof message === 'string' ? redact(message.slice(0, 200)) : undefined;
  } catch {
    return undefined;
  }
}

/** Retry-After in ms: delay-seconds or an HTTP date. */
function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function attemptsWord(n: number): string {
  return n === 1 ? 'próbie' : 'próbach';
}

function connectHint(url: URL, error: unknown): string {
  const text = describeNetworkError(error);
  if (url.protocol === 'https:' && /EPROTO|wrong version|SSL|TLS/i.test(`${text} ${String((error as { cause?: unknown })?.cause ?? '')}`)) {
    return `Rejestr nie mówi HTTPS; jeśli działa po HTTP, dodaj ${url.host} do --insecure.`;
  }
  return 'Sprawdź, czy rejestr działa i czy adres oraz port są poprawne.';
}
