/**
 * Registry credentials: anonymous, Basic from the user's docker config, and the
 * Bearer token flow of https://distribution.github.io/distribution/spec/auth/token/
 * (what Docker Hub and `auth: token` registries use).
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InfraError, InputError } from '../errors.ts';
import { addSecret, redact } from '../util/redact.ts';
import { DOCKER_HUB_API } from './reference.ts';

export interface BasicCredentials {
  username: string;
  password: string;
  /** The docker config file they came from (named in error messages). */
  source: string;
}

export interface AuthChallenge {
  /** Lower-case scheme: `basic`, `bearer`. */
  scheme: string;
  params: Record<string, string>;
}

/** Directory of the docker config: explicit option, then $DOCKER_CONFIG, then ~/.docker. */
export function dockerConfigDir(explicit?: string): string {
  return explicit ?? process.env.DOCKER_CONFIG ?? join(homedir(), '.docker');
}

// Keys `docker login` writes for a host; Docker Hub is stored under its legacy v1 URL.
function configKeysFor(apiHost: string): string[] {
  if (apiHost === DOCKER_HUB_API) return ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', DOCKER_HUB_API];
  return [apiHost, `https://${apiHost}`, `http://${apiHost}`, `https://${apiHost}/v1/`, `http://${apiHost}/v1/`];
}

function normalizeKey(key: string): string {
  return key.replace(/^https?:\/\//, '').replace(/\/.*$/, '').toLowerCase();
}

/**
 * Basic credentials for a registry from config.json `auths`, or undefined when the user has none.
 * Credential helpers (`credsStore`) are not run: the grader never executes external programs for secrets.
 */
export async function readDockerCredentials(apiHost: string, configDir?: string): Promise<BasicCredentials | undefined> {
  const file = join(dockerConfigDir(configDir), 'config.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError(`Nie można odczytać pliku konfiguracji Dockera ${file}: ${(error as Error).message}.`, [], { cause: error });
  }
  let config: { auths?: Record<string, { auth?: string; username?: string; password?: string }> };
  try {
    config = JSON.parse(text) as typeof config;
  } catch {
    // The parse error quotes the file's text, which may hold credentials: do not keep it.
    throw new InputError(`Plik konfiguracji Dockera ${file} nie jest poprawnym JSON-em. Popraw go albo zaloguj się ponownie (docker login).`);
  }
  const auths = config.auths ?? {};
  const wanted = new Set(configKeysFor(apiHost).map(normalizeKey));
  const exact = configKeysFor(apiHost).find((k) => auths[k] !== undefined);
  const key = exact ?? Object.keys(auths).find((k) => wanted.has(normalizeKey(k)));
  const entry = key === undefined ? undefined : auths[key];
  if (!entry) return undefined;
  let username = entry.username ?? '';
  let password = entry.password ?? '';
  if (entry.auth) {
    addSecret(entry.auth);
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const sep = decoded.indexOf(':');
    if (sep < 0) throw new InputError(`Wpis auths["${key}"] w ${file} jest uszkodzony (oczekiwano base64 z „login:hasło”). Zaloguj się ponownie: docker login ${apiHost}.`);
    username = decoded.slice(0, sep);
    password = decoded.slice(sep + 1);
  }
  if (!username && !password) return undefined;
  addSecret(password);
  return { username, password, source: file };
}

/** Parses a WWW-Authenticate header: `Bearer realm="...",service="...",scope="..."`. */
export function parseWwwAuthenticate(header: string | null): AuthChallenge[] {
  if (!header) return [];
  const challenges: AuthChallenge[] = [];
  let current: AuthChallenge | undefined;
  let i = 0;
  const skip = (chars: RegExp) => {
    while (i < header.length && chars.test(header[i] ?? '')) i++;
  };
  const token = (): string => {
    const start = i;
    skip(/[\w!#$%&'*+.^`|~-]/);
    return header.slice(start, i);
  };
  while (i < header.length) {
    skip(/[\s,]/);
    const name = token();
    if (!name) break;
    skip(/\s/);
    if (header[i] !== '=') {
      // A bare token starts a new challenge: `Bearer realm=...`.
      current = { scheme: name.toLowerCase(), params: {} };
      challenges.push(current);
      continue;
    }
    i++;
    skip(/\s/);
    let value = '';
    if (header[i] === '"') {
      for (i++; i < header.length && header[i] !== '"'; i++) {
        if (header[i] === '\\') i++;
        value += header[i] ?? '';
      }
      i++;
    } else {
      const start = i;
      skip(/[^,\s]/);
      value = header.slice(start, i);
    }
    if (current) current.params[name.toLowerCase()] = value;
  }
  return challenges;
}

export function basicHeader(creds: Pick<BasicCredentials, 'username' | 'password'>): string {
  const value = Buffer.from(`${creds.username}:${creds.password}`).toString('base64');
  addSecret(value);
  return `Basic ${value}`;
}

export interface TokenRequest {
  challenge: AuthChallenge;
  /** Scope to ask for when the challenge names none. */
  scope?: string;
  credentials?: BasicCredentials;
  /** Registry host for messages. */
  registry: string;
  fetch: typeof fetch;
  timeoutMs: number;
  signal?: AbortSignal;
  /** May Basic credentials travel to this realm URL (https, or a host allowed plain HTTP)? */
  mayReceiveCredentials: (url: URL) => boolean;
}

/** Gets a Bearer token from the challenge's realm; InfraError when the token service refuses or fails. */
export async function fetchBearerToken(req: TokenRequest): Promise<string> {
  const { realm, service } = req.challenge.params;
  if (!realm) throw new InfraError(`Rejestr ${req.registry} żąda tokenu (Bearer), ale nie podał adresu serwera tokenów (realm).`);
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    throw new InfraError(`Rejestr ${req.registry} podał niepoprawny adres serwera tokenów: ${redact(realm)}.`);
  }
  if (service) url.searchParams.set('service', service);
  const scope = req.challenge.params.scope ?? req.scope;
  // A challenge may ask for several scopes separated by spaces; the token API takes one parameter each.
  for (const s of scope ? scope.split(' ').filter(Boolean) : []) url.searchParams.append('scope', s);
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (req.credentials) {
    if (!req.mayReceiveCredentials(url)) {
      throw new InfraError(`Serwer tokenów rejestru ${req.registry} (${url.origin}) działa bez HTTPS; nie wysyłam tam hasła. Użyj HTTPS albo dodaj host do --insecure.`);
    }
    headers.Authorization = basicHeader(req.credentials);
    url.searchParams.set('account', req.credentials.username);
  }
  const signals = [AbortSignal.timeout(req.timeoutMs), ...(req.signal ? [req.signal] : [])];
  let res: Response;
  try {
    res = await req.fetch(url, { headers, signal: AbortSignal.any(signals) });
  } catch (error) {
    throw new InfraError(`Nie można pobrać tokenu dla rejestru ${req.registry} z ${url.origin}${url.pathname}: ${describeNetworkError(error)}. Sprawdź połączenie i spróbuj ponownie.`, { cause: error });
  }
  const body = await res.text().catch(() => '');
  if (res.status === 401 || res.status === 403) {
    const how = req.credentials
      ? `Sprawdź login i hasło dla ${req.registry} w ${req.credentials.source} (docker login ${req.registry}).`
      : `Zaloguj się: docker login ${req.registry}.`;
    throw new InfraError(`Serwer tokenów rejestru ${req.registry} odrzucił uwierzytelnienie (HTTP ${res.status}${errorCodeSuffix(body)}). ${how}`);
  }
  if (!res.ok) {
    throw new InfraError(`Serwer tokenów rejestru ${req.registry} odpowiedział HTTP ${res.status}${errorCodeSuffix(body)}. Spróbuj ponownie później.`);
  }
  let token: string | undefined;
  try {
    const json = JSON.parse(body) as { token?: unknown; access_token?: unknown };
    token = typeof json.token === 'string' ? json.token : typeof json.access_token === 'string' ? json.access_token : undefined;
  } catch {
    token = undefined;
  }
  if (!token) throw new InfraError(`Serwer tokenów rejestru ${req.registry} nie zwrócił tokenu (brak pola token/access_token).`);
  addSecret(token);
  return token;
}

/** ` CODE` from a distribution/OAuth JSON error body, or ''. */
export function errorCodeSuffix(body: string): string {
  const code = registryErrorCode(body);
  return code ? ` ${code}` : '';
}

/** `errors[0].code` of a registry error body (or OAuth `error`), if any. */
export function registryErrorCode(body: string): string | undefined {
  try {
    const json = JSON.parse(body) as { errors?: { code?: unknown }[]; error?: unknown };
    const code = json.errors?.[0]?.code ?? json.error;
    return typeof code === 'string' && /^[\w.-]{1,64}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

/** `ECONNREFUSED`, `timeout` etc. from a fetch failure, without URLs that might carry secrets. */
export function describeNetworkError(error: unknown): string {
  if (error instanceof DOMException || (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))) {
    return error.name === 'TimeoutError' ? 'przekroczono limit czasu' : 'przerwano';
  }
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const detail = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return redact(detail);
}

export interface AuthorizerOptions {
  /** Registry name for messages, as the user typed it. */
  registry: string;
  apiHost: string;
  fetch: typeof fetch;
  timeoutMs: number;
  dockerConfigDir?: string;
  mayReceiveCredentials: (url: URL) => boolean;
}

/** Per-registry auth state: answers 401 challenges and remembers the resulting Authorization header per scope. */
export class RegistryAuthorizer {
  private credentials?: Promise<BasicCredentials | undefined>;
  private basic?: string;
  private readonly tokens = new Map<string, string>();

  constructor(private readonly options: AuthorizerOptions) {}

  /** Authorization header known for this scope from an earlier challenge, if any. */
  cached(scope: string): string | undefined {
    return this.tokens.get(scope) ?? this.basic;
  }

  /** Forgets a header the registry no longer accepts (expired token). */
  forget(scope: string): void {
    this.tokens.delete(scope);
  }

  /** Credentials from the docker config, read once. */
  loadCredentials(): Promise<BasicCredentials | undefined> {
    this.credentials ??= readDockerCredentials(this.options.apiHost, this.options.dockerConfigDir);
    return this.credentials;
  }

  /** Builds the Authorization header that answers a 401's WWW-Authenticate; InfraError when impossible. */
  async answer(wwwAuthenticate: string | null, scope: string, signal?: AbortSignal): Promise<string> {
    const { registry } = this.options;
    const challenges = parseWwwAuthenticate(wwwAuthenticate);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const credentials = await this.loadCredentials();
    if (bearer) {
      const token = await fetchBearerToken({
        challenge: bearer,
        scope: scope || undefined,
        credentials,
        registry,
        fetch: this.options.fetch,
        timeoutMs: this.options.timeoutMs,
        signal,
        mayReceiveCredentials: this.options.mayReceiveCredentials,
      });
      const header = `Bearer ${token}`;
      this.tokens.set(scope, header);
      return header;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      if (!credentials) {
        throw new InfraError(
          `Rejestr ${registry} wymaga logowania (HTTP 401), a w ${join(dockerConfigDir(this.options.dockerConfigDir), 'config.json')} nie ma danych dla tego hosta. Zaloguj się: docker login ${registry}.`,
        );
      }
      this.basic = basicHeader(credentials);
      return this.basic;
    }
    throw new InfraError(`Rejestr ${registry} odpowiedział HTTP 401 bez obsługiwanego nagłówka WWW-Authenticate (${redact(wwwAuthenticate ?? 'brak')}).`);
  }
}
