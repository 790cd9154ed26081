/**
 * Registry credentials found the way the docker CLI finds them (cli/config/configfile/file.go,
 * GetAuthConfig): the helper of `credHelpers[host]`, else the `credsStore` helper, else `auths`.
 * A helper is the program `docker-credential-<name>` speaking the docker-credential-helpers protocol.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CredentialsError, InterruptedError } from '../errors.ts';
import { run } from '../util/exec.ts';
import { addSecret, redact } from '../util/redact.ts';
import { DOCKER_HUB_API } from './reference.ts';

export interface BasicCredentials {
  username: string;
  password: string;
  /** Where they came from, as a Polish phrase after „w” (named in error messages). */
  source: string;
}

/** An OAuth2 refresh token (`docker login` to a registry that issues one), traded at the token service for access tokens. */
export interface IdentityTokenCredentials {
  identityToken: string;
  source: string;
}

export type RegistryCredentials = BasicCredentials | IdentityTokenCredentials;

/** What a helper returns, before we note where it came from. */
export type HelperCredentials = Omit<BasicCredentials, 'source'> | Omit<IdentityTokenCredentials, 'source'>;

export interface CredentialLookup {
  /** Undefined: anonymous, as docker would be. */
  credentials?: RegistryCredentials;
  /** Where credentials for this host are kept, as a Polish phrase after „w”. */
  where: string;
}

export interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

export type CredentialSource = { kind: 'auths' } | { kind: 'helper'; helper: string; key: string };

/** Directory of the docker config: explicit option, then $DOCKER_CONFIG, then ~/.docker. */
export function dockerConfigDir(explicit?: string): string {
  return explicit ?? process.env.DOCKER_CONFIG ?? join(homedir(), '.docker');
}

/** The server address docker asks helpers about: Docker Hub's legacy v1 URL, else the host as in the image ref. */
export function credentialKeyFor(apiHost: string): string {
  return apiHost === DOCKER_HUB_API ? 'https://index.docker.io/v1/' : apiHost;
}

/**
 * docker's getConfiguredCredentialStore: `credHelpers[key]` when the key is present (an empty value
 * means the file store), else `credsStore`, else `auths`. A helper's answer is final: like docker,
 * "not found" means anonymous, not a fallback to `auths`.
 */
export function credentialSourceFor(config: DockerConfigFile, key: string): CredentialSource {
  if (config.credHelpers && Object.hasOwn(config.credHelpers, key)) {
    const helper = config.credHelpers[key];
    return helper ? { kind: 'helper', helper, key: `credHelpers[${JSON.stringify(key)}]` } : { kind: 'auths' };
  }
  return config.credsStore ? { kind: 'helper', helper: config.credsStore, key: 'credsStore' } : { kind: 'auths' };
}

// The name comes from a user file and becomes part of a program name looked up on PATH.
const HELPER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export function isValidHelperName(name: string): boolean {
  return HELPER_NAME.test(name);
}

const NOT_FOUND = 'credentials not found in native keychain';
const TOKEN_USERNAME = '<token>';

/**
 * Credentials from the stdout of a successful `get` (docker's nativeStore.getCredentialsFromStore),
 * null when it holds none (Debian's docker-credential-pass answers empty fields for an unknown host),
 * undefined when it is not the protocol's JSON.
 */
export function parseHelperOutput(stdout: string): HelperCredentials | null | undefined {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const { Username: username = '', Secret: secret = '' } = json as { Username?: unknown; Secret?: unknown };
  if (typeof username !== 'string' || typeof secret !== 'string') return undefined;
  if (!secret) return null;
  if (username === TOKEN_USERNAME) return { identityToken: secret };
  // Distribution's clients send Basic credentials only when both parts are set.
  return username ? { username, password: secret } : null;
}

export interface ReadCredentialsOptions {
  /** Registry name for messages, as the user typed it. */
  registry: string;
  configDir?: string;
  /** The helper's whole environment; default: this process's (helpers need the user's HOME, GNUPGHOME, D-Bus...). */
  helperEnv?: Record<string, string>;
  signal?: AbortSignal;
}

/** Credentials for a registry as docker would use them; CredentialsError when the config or its helper fails. */
export async function readDockerCredentials(apiHost: string, options: ReadCredentialsOptions): Promise<CredentialLookup> {
  const file = join(dockerConfigDir(options.configDir), 'config.json');
  const config = await readConfig(file);
  if (!config) return { where: file };
  const key = credentialKeyFor(apiHost);
  const source = credentialSourceFor(config, key);
  if (source.kind === 'auths') return { credentials: fromAuths(config, apiHost, file, options.registry), where: file };
  const where = `magazynie haseł docker-credential-${source.helper} (${source.key} w ${file})`;
  const found = await askHelper(source.helper, key, { ...options, file, configKey: source.key });
  return { ...(found ? { credentials: { ...found, source: where } } : {}), where };
}

async function readConfig(file: string): Promise<DockerConfigFile | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CredentialsError(`Nie można odczytać pliku konfiguracji Dockera ${file}: ${(error as Error).message}.`, file, undefined, { cause: error });
  }
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch {
    // The parse error quotes the file's text, which may hold credentials: do not keep it.
    config = undefined;
  }
  const isMap = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  const c = config as DockerConfigFile;
  const valid = isMap(config)
    && (c.auths === undefined || isMap(c.auths))
    && (c.credsStore === undefined || typeof c.credsStore === 'string')
    && (c.credHelpers === undefined || (isMap(c.credHelpers) && Object.values(c.credHelpers).every((v) => typeof v === 'string')));
  if (!valid) {
    throw new CredentialsError(
      `Plik konfiguracji Dockera ${file} nie jest poprawnym JSON-em albo pola auths, credsStore lub credHelpers mają zły typ. Popraw go albo zaloguj się ponownie (docker login).`,
      file,
    );
  }
  return c;
}

// Keys `docker login` writes for a host; Docker Hub is stored under its legacy v1 URL.
function configKeysFor(apiHost: string): string[] {
  if (apiHost === DOCKER_HUB_API) return ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', DOCKER_HUB_API];
  return [apiHost, `https://${apiHost}`, `http://${apiHost}`, `https://${apiHost}/v1/`, `http://${apiHost}/v1/`];
}

function normalizeKey(key: string): string {
  return key.replace(/^https?:\/\//, '').replace(/\/.*$/, '').toLowerCase();
}

function fromAuths(config: DockerConfigFile, apiHost: string, file: string, registry: string): RegistryCredentials | undefined {
  const auths = config.auths ?? {};
  const wanted = new Set(configKeysFor(apiHost).map(normalizeKey));
  const exact = configKeysFor(apiHost).find((k) => auths[k] !== undefined);
  const key = exact ?? Object.keys(auths).find((k) => wanted.has(normalizeKey(k)));
  const entry = key === undefined ? undefined : auths[key];
  if (!entry) return undefined;
  if (entry.identitytoken) {
    addSecret(entry.identitytoken);
    return { identityToken: entry.identitytoken, source: file };
  }
  let username = entry.username ?? '';
  let password = entry.password ?? '';
  if (entry.auth) {
    addSecret(entry.auth);
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const sep = decoded.indexOf(':');
    const configKey = `auths[${JSON.stringify(key)}]`;
    if (sep < 0) throw new CredentialsError(`Wpis ${configKey} w ${file} jest uszkodzony (oczekiwano base64 z „login:hasło”). Zaloguj się ponownie: docker login ${registry}.`, file, configKey);
    username = decoded.slice(0, sep);
    password = decoded.slice(sep + 1);
  }
  if (!username && !password) return undefined;
  addSecret(password);
  return { username, password, source: file };
}

// Long enough to unlock a keyring without typing; short enough not to stall a batch on a hung helper.
const HELPER_TIMEOUT_MS = 10_000;

interface HelperContext extends ReadCredentialsOptions {
  file: string;
  /** `credsStore` or `credHelpers["host"]`. */
  configKey: string;
}

/** Runs `docker-credential-<helper> get` with the server address on stdin (no shell); null when it has nothing. */
async function askHelper(helper: string, serverUrl: string, ctx: HelperContext): Promise<HelperCredentials | null> {
  const { file, configKey, registry } = ctx;
  const fail = (message: string) => new CredentialsError(redact(message), file, configKey);
  if (!isValidHelperName(helper)) {
    throw fail(
      `${configKey} w ${file} wskazuje pomocnika poświadczeń o niedozwolonej nazwie ${JSON.stringify(helper)} (dozwolone są litery, cyfry oraz „_”, „.” i „-” po pierwszym znaku, np. „desktop”, „pass”). Popraw plik albo usuń ten klucz i zaloguj się: docker login ${registry}.`,
    );
  }
  const program = `docker-credential-${helper}`;
  const result = await run(program, ['get'], {
    input: serverUrl,
    timeoutMs: HELPER_TIMEOUT_MS,
    signal: ctx.signal,
    maxBuffer: 1024 * 1024,
    ...(ctx.helperEnv ? { env: ctx.helperEnv, extendEnv: false } : {}),
  });
  if (result.cancelled) throw new InterruptedError('Przerwano odczyt danych logowania z pomocnika poświadczeń.');
  const named = `Pomocnik poświadczeń ${program} (${configKey} w ${file})`;
  if (result.spawnError && /ENOENT/.test(result.spawnError)) {
    throw fail(
      `Nie znaleziono programu ${program} w PATH, a ${configKey} w ${file} każe go używać dla ${registry}. Zainstaluj ten pomocnik albo usuń ${configKey} z pliku i zaloguj się: docker login ${registry}.`,
    );
  }
  if (result.timedOut) {
    throw fail(`${named} nie odpowiedział w ciągu ${HELPER_TIMEOUT_MS / 1000} s. Odblokuj magazyn haseł (np. podając hasło klucza GPG) i spróbuj ponownie albo zaloguj się: docker login ${registry}.`);
  }
  // On failure the protocol puts the error text on stdout; a successful stdout holds the secret and is never quoted.
  if (result.spawnError || result.exitCode !== 0) {
    const out = result.stdout.trim();
    if (out === NOT_FOUND) return null;
    const said = (out || result.stderr.trim() || result.spawnError || '').split('\n')[0]?.slice(0, 200) ?? '';
    throw fail(`${named} zakończył się błędem${result.exitCode === undefined ? '' : ` (kod ${result.exitCode})`}${said ? `: ${said}` : ''}. Sprawdź ten pomocnik albo zaloguj się ponownie: docker login ${registry}.`);
  }
  const found = parseHelperOutput(result.stdout);
  if (found === undefined) throw fail(`${named} zwrócił odpowiedź, która nie jest JSON-em protokołu docker-credential-helpers (pola Username, Secret). Sprawdź ten pomocnik.`);
  if (found) addSecret('identityToken' in found ? found.identityToken : found.password);
  return found;
}
