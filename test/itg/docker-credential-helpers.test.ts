/**
 * Credentials from docker credential helpers (`credsStore`, `credHelpers`): the real Debian
 * docker-credential-pass over a throwaway GnuPG key and password store, against the real registry
 * with htpasswd; small shell helpers only for answers pass cannot give (not found, failure, identity token).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CredentialsError, ExitCode, exitCodeOf } from '../../grader/errors.ts';
import { RegistryClient } from '../../grader/registry/client.ts';
import { run } from '../../grader/util/exec.ts';
import { createHtpasswd, pushSampleImageIndex, startRegistry, type RegistryServer } from '../helpers/registry-server.ts';
import { infraError } from '../helpers/infra-error.ts';

const PASS_HELPER = 'docker-credential-pass';

async function passSkip(): Promise<string | false> {
  if (process.env.CI === 'true') return false;
  const probe = await run(PASS_HELPER, ['version'], { timeoutMs: 10_000 });
  return probe.exitCode === 0 ? false : `${PASS_HELPER} not installed (run scripts/setup.sh)`;
}

async function writeConfig(dir: string, config: unknown): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  return dir;
}

/** A `docker-credential-<name>` shell script in bin that records its argv and stdin, then runs body. */
async function stubHelper(bin: string, name: string, body: string): Promise<string> {
  const path = join(bin, `docker-credential-${name}`);
  await writeFile(path, `#!/bin/sh\nprintf '%s\\n' "$@" > "$0.args"\ncat > "$0.stdin"\nenv > "$0.env"\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}


describe('docker credential helpers against a registry with htpasswd', { skip: await passSkip() }, () => {
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const secrets = [password, Buffer.from(`student:${password}`).toString('base64')];
  let dir: string;
  let bin: string;
  let registry: RegistryServer;
  /** All a pass-backed helper needs: no HOME, no DOCKER_CONFIG (helpers never read it). */
  let passEnv: Record<string, string>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'grader-credhelpers-'));
    bin = join(dir, 'bin');
    await mkdir(bin);
    const gnupg = join(dir, 'gnupg');
    await mkdir(gnupg, { mode: 0o700 });
    passEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', GNUPGHOME: gnupg, PASSWORD_STORE_DIR: join(dir, 'store') };
    const inEnv = { env: passEnv, extendEnv: false, timeoutMs: 60_000 };
    const key = await run('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'grader-test <grader-test@example.invalid>', 'default', 'default', 'never'], inEnv);
    assert.equal(key.exitCode, 0, key.stderr);
    const listed = await run('gpg', ['--batch', '--list-keys', '--with-colons'], inEnv);
    const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(listed.stdout)?.[1];
    assert.ok(fingerprint, listed.stdout);
    const init = await run('pass', ['init', fingerprint], inEnv);
    assert.equal(init.exitCode, 0, init.stderr);
    registry = await startRegistry({ htpasswd: await createHtpasswd(dir, { student: password }) });
    const stored = await run(PASS_HELPER, ['store'], { ...inEnv, input: JSON.stringify({ ServerURL: registry.host, Username: 'student', Secret: password }) });
    assert.equal(stored.exitCode, 0, stored.stdout + stored.stderr);
  });

  after(async () => {
    // pass started a gpg-agent for this GNUPGHOME; it would outlive the test.
    if (passEnv) await run('gpgconf', ['--kill', 'all'], { env: passEnv, extendEnv: false, timeoutMs: 10_000 });
    await registry?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('credsStore "pass": pushes and reads the registry with what docker-credential-pass holds', async () => {
    const configDir = await writeConfig(join(dir, 'creds-store'), { auths: {}, credsStore: 'pass' });
    const client = new RegistryClient({ dockerConfigDir: configDir, helperEnv: passEnv });
    const ref = `${registry.host}/s99656/app:multiarch`;
    const pushed = await pushSampleImageIndex(client, ref);
    assert.equal((await client.headManifest(ref))?.digest, pushed.digest);
    assert.deepEqual(await client.listTags(ref), ['multiarch']);
  });

  it('credHelpers[host] "pass" comes before credsStore and auths', async () => {
    const configDir = await writeConfig(join(dir, 'cred-helpers'), {
      auths: { [registry.host]: { auth: Buffer.from('student:wrong-password').toString('base64') } },
      credsStore: 'grader-test-absent',
      credHelpers: { [registry.host]: 'pass' },
    });
    const client = new RegistryClient({ dockerConfigDir: configDir, helperEnv: passEnv });
    assert.equal((await client.ping(registry.host)).status, 200);
  });

  it('a host pass does not know (empty answer): anonymous, so the 401 asks to log in and names the store', async () => {
    // Same registry under another name: docker keys credentials by the host as written.
    const other = `localhost:${registry.port}`;
    const configDir = await writeConfig(join(dir, 'unknown-host'), { credsStore: 'pass' });
    const client = new RegistryClient({ dockerConfigDir: configDir, helperEnv: passEnv });
    const error = await infraError(() => client.ping(other), secrets);
    assert.equal(
      error.message,
      `Rejestr ${other} wymaga logowania (HTTP 401), a w magazynie haseł docker-credential-pass (credsStore w ${join(configDir, 'config.json')}) nie ma danych dla tego hosta. Zaloguj się: docker login ${other}.`,
    );
  });

  it('"credentials not found in native keychain": anonymous, the same log-in message; argv is `get`, stdin the bare host', async () => {
    const helper = await stubHelper(bin, 'notfound', "echo 'credentials not found in native keychain'\nexit 1");
    const configDir = await writeConfig(join(dir, 'not-found'), { credHelpers: { [registry.host]: 'notfound' } });
    const client = new RegistryClient({ dockerConfigDir: configDir, helperEnv: { PATH: `${bin}:/usr/bin:/bin` } });
    const error = await infraError(() => client.ping(registry.host), secrets);
    assert.match(error.message, /wymaga logowania \(HTTP 401\)/);
    assert.ok(error.message.includes(`docker login ${registry.host}`));
    assert.equal(await readFile(`${helper}.args`, 'utf8'), 'get\n');
    assert.equal(await readFile(`${helper}.stdin`, 'utf8'), registry.host);
    const env = (await readFile(`${helper}.env`, 'utf8')).split('\n').map((l) => l.split('=')[0]);
    assert.ok(!env.includes('DOCKER_CONFIG') && !env.includes('GNUPGHOME') && !env.includes('HOME'), env.join(' '));
  });

  it('helper not on PATH: CredentialsError (exit 3) naming the program, the key, the file and what to do', async () => {
    const configDir = await writeConfig(join(dir, 'missing'), { credHelpers: { [registry.host]: 'grader-test-absent' } });
    const client = new RegistryClient({ dockerConfigDir: configDir, helperEnv: passEnv });
    const error = await infraError(() => client.ping(registry.host), secrets);
    assert.ok(error instanceof CredentialsError);
    assert.equal(exitCodeOf(error), ExitCode.infrastructure);
    const file = join(configDir, 'config.json');
    assert.equal(error.configFile, file);
    assert.equal(error.key, `credHelpers["${registry.host}"]`);
    assert.equal(
      error.message,
      `Nie znaleziono programu docker-credential-grader-test-absent w PATH, a credHelpers["${registry.host}"] w ${file} każe go używać dla ${registry.host}. Zainstaluj ten pomocnik albo usuń credHelpers["${registry.host}"] z pliku i zaloguj się: docker login ${registry.host}.`,
    );
  });

  it('a failing helper: CredentialsError quoting its error line, redacted', async () => {
    await stubHelper(bin, 'broken', `echo 'error getting credentials - err: exit status 2, out: gpg: decryption failed: No secret key {"Secret":"${password}"}'\nexit 1`);
    const configDir = await writeConfig(join(dir, 'broken'), { credsStore: 'broken' });
    const client = new RegistryClient({ dockerConfigDir: configDir, helperEnv: { PATH: `${bin}:/usr/bin:/bin` } });
    const error = await infraError(() => client.ping(registry.host), secrets);
    assert.ok(error instanceof CredentialsError);
    assert.match(error.message, /^Pomocnik poświadczeń docker-credential-broken \(credsStore w .*config\.json\) zakończył się błędem \(kod 1\): error getting credentials .*No secret key/);
    assert.ok(error.message.endsWith(`Sprawdź ten pomocnik albo zaloguj się ponownie: docker login ${registry.host}.`));
  });

  it('helper names with a path or `..` are refused before anything runs', async () => {
    const marker = join(dir, 'ran');
    // `docker-credential-..` is a valid file name: only the name check keeps this stub from running.
    await stubHelper(bin, '..', `touch ${marker}`);
    for (const name of ['..', '../x', 'a/b', '/usr/bin/env']) {
      const configDir = await writeConfig(join(dir, 'bad-name'), { credsStore: name });
      const client = new RegistryClient({ dockerConfigDir: configDir, helperEnv: { PATH: bin } });
      const error = await infraError(() => client.ping(registry.host), secrets);
      assert.ok(error instanceof CredentialsError && error.key === 'credsStore', name);
      assert.ok(error.message.startsWith(`credsStore w ${join(configDir, 'config.json')} wskazuje pomocnika poświadczeń o niedozwolonej nazwie ${JSON.stringify(name)}`), error.message);
    }
    await assert.rejects(readFile(marker), { code: 'ENOENT' });
  });
});

describe('identity tokens from a helper (Username "<token>")', () => {
  const identityToken = `idtok-${randomBytes(8).toString('hex')}`;
  let dir: string;
  let bin: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'grader-idtoken-'));
    bin = join(dir, 'bin');
    await mkdir(bin);
    await stubHelper(bin, 'token', `printf '{"ServerURL":"x","Username":"<token>","Secret":"${identityToken}"}'`);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** Registry answering 401 with `challenge` until it sees `Bearer access-ok`; the realm answers OAuth2 refresh_token grants. */
  function fakeRegistry(challenge: string) {
    const tokenRequests: { method: string; form: Record<string, string> }[] = [];
    const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(String(input));
      if (url.pathname === '/token') {
        const form = Object.fromEntries(new URLSearchParams(String(init?.body ?? '')));
        tokenRequests.push({ method: init?.method ?? 'GET', form });
        return form.refresh_token === identityToken ? Response.json({ access_token: 'access-ok', expires_in: 300 }) : new Response('{"error":"invalid_grant"}', { status: 401 });
      }
      if (new Headers(init?.headers).get('authorization') === 'Bearer access-ok') return new Response('{}', { status: 200 });
      return new Response('{"errors":[{"code":"UNAUTHORIZED"}]}', { status: 401, headers: { 'WWW-Authenticate': challenge } });
    }) as typeof fetch;
    return { fetch: fetchImpl, tokenRequests };
  }

  it('is traded at the realm with an OAuth2 refresh_token grant, as docker does; Docker Hub is asked for under its v1 URL', async () => {
    const fake = fakeRegistry('Bearer realm="https://auth.example.edu/token",service="registry.docker.io"');
    const configDir = await writeConfig(join(dir, 'hub'), { credsStore: 'token' });
    const client = new RegistryClient({ fetch: fake.fetch, dockerConfigDir: configDir, helperEnv: { PATH: `${bin}:/usr/bin:/bin` } });
    assert.ok(await client.headManifest('docker.io/s99656/app:multiarch'));
    assert.equal(await readFile(join(bin, 'docker-credential-token.stdin'), 'utf8'), 'https://index.docker.io/v1/');
    assert.deepEqual(fake.tokenRequests, [
      {
        method: 'POST',
        form: {
          grant_type: 'refresh_token',
          refresh_token: identityToken,
          service: 'registry.docker.io',
          scope: 'repository:s99656/app:pull',
          client_id: 'buildx-grader',
        },
      },
    ]);
  });

  it('`auths[host].identitytoken` (docker login without a helper) is traded the same way', async () => {
    const fake = fakeRegistry('Bearer realm="https://auth.example.edu/token",service="reg"');
    const configDir = await writeConfig(join(dir, 'auths-token'), { auths: { 'registry7.example.edu': { identitytoken: identityToken } } });
    const client = new RegistryClient({ fetch: fake.fetch, dockerConfigDir: configDir });
    assert.equal((await client.ping('registry7.example.edu')).status, 200);
    assert.equal(fake.tokenRequests[0]?.form.refresh_token, identityToken);
  });

  it('is no password: a Basic-only registry gets an error telling to log in with a password, without the token', async () => {
    const fake = fakeRegistry('Basic realm="r"');
    const configDir = await writeConfig(join(dir, 'basic'), { credsStore: 'token' });
    const client = new RegistryClient({ fetch: fake.fetch, dockerConfigDir: configDir, helperEnv: { PATH: `${bin}:/usr/bin:/bin` } });
    const error = await infraError(() => client.ping('registry7.example.edu'), [identityToken]);
    assert.match(error.message, /jest dla niego tylko token tożsamości \(identity token\)\. Zaloguj się loginem i hasłem: docker login registry7\.example\.edu\.$/);
  });
});
