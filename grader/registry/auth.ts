/**
 * Registry authentication: anonymous, Basic, and the Bearer token flow of
 * https://distribution.github.io/distribution/spec/auth/token/ (what Docker Hub and `auth: token`
 * registries use), with credentials found as docker finds them (docker-credentials.ts).
 */
import { InfraError } from '../errors.ts';
import { addSecret, redact } from '../util/redact.ts';
import { readDockerCredentials, type BasicCredentials, type CredentialLookup, type RegistryCredentials } from './docker-credentials.ts';
import { fetchWithin } from '../util/fetch-within.ts';

export interface AuthChallenge {
  /** Lower-case scheme: `basic`, `bearer`. */
  scheme: string;
  params: Record<string, string>;
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
  credentials?: RegistryCredentials;
  /** Registry host for messages. */
  registry: string;
  fetch: typeof fetch;
  timeoutMs: number;
  signal?: AbortSignal;
  /** May credentials travel to this realm URL (https, or a host allowed plain HTTP)? */
  mayReceiveCredentials: (url: URL) => boolean;
}

// OAuth2 wants a client_id; distribution's clients send their own name.
const OAUTH_CLIENT_ID = 'buildx-grader';

/** What to do when a registry or its token service refuses our credentials (or the lack of them). */
export function loginAdvice(registry: string, credentials: RegistryCredentials | undefined): string {
  if (!credentials) return `Zaloguj się: docker login ${registry}.`;
  const what = 'identityToken' in credentials ? 'token tożsamości (identity token)' : 'login i hasło';
  return `Sprawdź ${what} dla ${registry} w ${credentials.source}; zaloguj się ponownie: docker login ${registry}.`;
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
  const scope = req.challenge.params.scope ?? req.scope;
  const scopes = scope ? scope.split(' ').filter(Boolean) : [];
  const creds = req.credentials;
  if (creds && !req.mayReceiveCredentials(url)) {
    const what = 'identityToken' in creds ? 'tokenu tożsamości' : 'hasła';
    throw new InfraError(`Serwer tokenów rejestru ${req.registry} (${url.origin}) działa bez HTTPS; nie wysyłam tam ${what}. Użyj HTTPS albo dodaj host do --insecure.`);
  }
  const init: RequestInit = { headers: { Accept: 'application/json' } };
  if (creds && 'identityToken' in creds) {
    // As docker (distribution's fetchTokenWithOAuth): an identity token is an OAuth2 refresh token.
    init.method = 'POST';
    init.body = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: creds.identityToken,
      service: service ?? '',
      scope: scopes.join(' '),
      client_id: OAUTH_CLIENT_ID,
    });
  } else {
    if (service) url.searchParams.set('service', service);
    // A challenge may ask for several scopes separated by spaces; the token API takes one parameter each.
    for (const s of scopes) url.searchParams.append('scope', s);
    if (creds) {
      init.headers = { ...init.headers, Authorization: basicHeader(creds) };
      url.searchParams.set('account', creds.username);
    }
  }
  let res: Response;
  try {
    res = await fetchWithin(req.fetch, url, init, req.timeoutMs, req.signal);
  } catch (error) {
    throw new InfraError(`Nie można pobrać tokenu dla rejestru ${req.registry} z ${url.origin}${url.pathname}: ${describeNetworkError(error)}. Sprawdź połączenie i spróbuj ponownie.`, { cause: error });
  }
  const body = await res.text().catch(() => '');
  if (res.status === 401 || res.status === 403) {
    throw new InfraError(`Serwer tokenów rejestru ${req.registry} odrzucił uwierzytelnienie (HTTP ${res.status}${errorCodeSuffix(body)}). ${loginAdvice(req.registry, creds)}`);
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
  /** Whole environment of credential helpers (default: this process's). */
  helperEnv?: Record<string, string>;
  /** Cancels token requests and credential helpers. */
  signal?: AbortSignal;
  mayReceiveCredentials: (url: URL) => boolean;
}

/** Per-registry auth state: answers 401 challenges and remembers the resulting Authorization header per scope. */
export class RegistryAuthorizer {
  private lookup?: Promise<CredentialLookup>;
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

  /** Credentials as docker would use them (config, then helper), looked up once. */
  loadCredentials(): Promise<CredentialLookup> {
    const { apiHost, registry, dockerConfigDir, helperEnv, signal } = this.options;
    this.lookup ??= readDockerCredentials(apiHost, { registry, configDir: dockerConfigDir, helperEnv, signal });
    return this.lookup;
  }

  /** Builds the Authorization header that answers a 401's WWW-Authenticate; InfraError when impossible. */
  async answer(wwwAuthenticate: string | null, scope: string): Promise<string> {
    const { registry } = this.options;
    const challenges = parseWwwAuthenticate(wwwAuthenticate);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const { credentials, where } = await this.loadCredentials();
    if (bearer) {
      const token = await fetchBearerToken({
        challenge: bearer,
        scope: scope || undefined,
        credentials,
        registry,
        fetch: this.options.fetch,
        timeoutMs: this.options.timeoutMs,
        signal: this.options.signal,
        mayReceiveCredentials: this.options.mayReceiveCredentials,
      });
      const header = `Bearer ${token}`;
      this.tokens.set(scope, header);
      return header;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      if (!credentials) {
        throw new InfraError(`Rejestr ${registry} wymaga logowania (HTTP 401), a w ${where} nie ma danych dla tego hosta. Zaloguj się: docker login ${registry}.`);
      }
      // Docker sends no Basic header for an identity token either: it only works with a token service.
      if ('identityToken' in credentials) {
        throw new InfraError(
          `Rejestr ${registry} wymaga logowania hasłem (HTTP 401, Basic), a w ${where} jest dla niego tylko token tożsamości (identity token). Zaloguj się loginem i hasłem: docker login ${registry}.`,
        );
      }
      this.basic = basicHeader(credentials);
      return this.basic;
    }
    throw new InfraError(`Rejestr ${registry} odpowiedział HTTP 401 bez obsługiwanego nagłówka WWW-Authenticate (${redact(wwwAuthenticate ?? 'brak')}).`);
  }
}
