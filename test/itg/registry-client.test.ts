/**
 * RegistryClient against the real distribution registry (Debian's docker-registry = registry:2's software):
 * every manifest shape buildx publishes, deletion as registry7 answers it, Basic and Bearer auth, and faults.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes, sign } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { BODY_LIMITS, RegistryClient, RegistryError, schemeFor } from '../../grader/registry/client.ts';
import { MediaType, isIndex, type CacheConfig, type ImageIndex, type ImageManifest } from '../../grader/registry/oci-types.ts';
import { withDigest, parseReference } from '../../grader/registry/reference.ts';
import { run } from '../../grader/util/exec.ts';
import {
  createHtpasswd,
  pushSampleCache,
  pushSampleImage,
  pushSampleImageIndex,
  pushSampleManifestList,
  startRegistry,
  writeDockerConfig,
  type RegistryServer,
} from '../helpers/registry-server.ts';
import { infraError } from '../helpers/infra-error.ts';

const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const UNKNOWN_DIGEST = `sha256:${'0'.repeat(64)}`;


async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; host: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, host: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe('registry with delete enabled', () => {
  let registry: RegistryServer;
  let client: RegistryClient;
  let repo: string;

  before(async () => {
    registry = await startRegistry({ deleteEnabled: true });
    client = new RegistryClient();
    repo = `${registry.host}/s99656/app`;
  });
  after(() => registry.stop());

  it('pings /v2/ over plain HTTP on loopback', async () => {
    assert.deepEqual(await client.ping(registry.host), { status: 200, apiVersion: 'registry/2.0' });
  });

  it('resolves a Docker schema2 single-platform image; HEAD digest = GET digest = sha256 of the bytes', async () => {
    const pushed = await pushSampleImage(client, `${repo}:single`, { format: 'docker', platform: 'linux/arm64' });
    const head = await client.headManifest(`${repo}:single`);
    const got = await client.getManifest(`${repo}:single`);
    assert.ok(head && got);
    assert.equal(head.digest, pushed.digest);
    assert.equal(got.digest, pushed.digest);
    assert.equal(sha256(got.raw), got.digest);
    assert.equal(head.size, got.size);
    assert.equal(got.mediaType, MediaType.dockerManifest);
    assert.equal(head.mediaType, MediaType.dockerManifest);
    const manifest = got.manifest as ImageManifest;
    assert.equal(manifest.config.mediaType, MediaType.dockerConfig);
    assert.equal(manifest.layers.length, 3);
    const config = await client.getBlobJson<{ architecture: string; os: string; rootfs: { diff_ids: string[] } }>(repo, manifest.config.digest);
    assert.equal(config?.architecture, 'arm64');
    assert.equal(config?.rootfs.diff_ids.length, 3);
  });

  it('resolves an OCI single-platform manifest and fetches a layer blob by digest', async () => {
    const pushed = await pushSampleImage(client, `${repo}:oci-single`, { format: 'oci' });
    const got = await client.getManifest(`${repo}:oci-single`);
    assert.equal(got?.mediaType, MediaType.ociManifest);
    assert.equal(got?.digest, pushed.digest);
    const layer = pushed.layers[0]!;
    const blob = await client.getBlob(repo, layer.digest);
    assert.equal(blob?.length, layer.size);
    assert.equal(sha256(blob!), layer.digest);
  });

  it('refuses a blob over BODY_LIMITS.blob by its Content-Length, without buffering it (a student\'s registry decides what it serves)', async () => {
    const big = randomBytes(BODY_LIMITS.blob + 1);
    const pushed = await client.pushBlob(repo, big);
    const started = performance.now();
    await assert.rejects(client.getBlob(repo, pushed.digest), (e: unknown) => {
      assert.ok(e instanceof RegistryError);
      assert.equal(e.message, `Blob ${pushed.digest} z rejestru ${registry.host} ma ${BODY_LIMITS.blob + 1} B, więcej niż limit ${BODY_LIMITS.blob} B; grader go nie czyta.`);
      return true;
    });
    console.log(`oversized blob refused in ${Math.round(performance.now() - started)} ms`);
  });

  it('resolves an OCI index with linux/amd64, linux/arm64 and two attestation manifests', async () => {
    const pushed = await pushSampleImageIndex(client, `${repo}:multiarch`);
    const got = await client.getManifest(`${repo}:multiarch`);
    assert.ok(got && isIndex(got.manifest));
    assert.equal(got.mediaType, MediaType.ociIndex);
    assert.equal(got.digest, pushed.digest);
    assert.equal((await client.headManifest(`${repo}:multiarch`))?.digest, pushed.digest);
    const index: ImageIndex = got.manifest;
    const platforms = index.manifests.map((m) => `${m.platform?.os}/${m.platform?.architecture}`);
    assert.deepEqual(platforms, ['linux/amd64', 'linux/arm64', 'unknown/unknown', 'unknown/unknown']);
    const attestations = index.manifests.filter((m) => m.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest');
    assert.equal(attestations.length, 2);
    // Each attestation points at the platform manifest it describes, as buildx writes it.
    assert.deepEqual(
      attestations.map((a) => a.annotations?.['vnd.docker.reference.digest']),
      pushed.images.map((i) => i.digest),
    );
    for (const child of index.manifests) {
      const resolved = await client.getManifest(withDigest(parseReference(repo), child.digest));
      assert.equal(resolved?.digest, child.digest);
      assert.equal(resolved?.size, child.size);
      assert.equal(resolved?.mediaType, MediaType.ociManifest);
    }
  });

  it('resolves a Docker manifest list (oci-mediatypes=false) with schema2 children', async () => {
    const pushed = await pushSampleManifestList(client, `${repo}:list`);
    const got = await client.getManifest(`${repo}:list`);
    assert.ok(got && isIndex(got.manifest));
    assert.equal(got.mediaType, MediaType.dockerList);
    assert.equal(got.digest, pushed.digest);
    assert.deepEqual(got.manifest.manifests.map((m) => m.mediaType), [MediaType.dockerManifest, MediaType.dockerManifest]);
    assert.equal((await client.headManifest(`${repo}:list`))?.mediaType, MediaType.dockerList);
  });

  for (const form of ['image-manifest', 'index'] as const) {
    it(`resolves BuildKit caches (${form}): cache config blob lists the layers; mode=max has layers no final image has`, async () => {
      const image = await pushSampleImageIndex(client, `${repo}:cached`, { seed: 'cache-test' });
      const imageLayers = new Set(image.images.flatMap((i) => i.layers.map((l) => l.digest)));
      const modes = { max: 0, min: 0 };
      for (const mode of ['max', 'min'] as const) {
        const tag = `buildcache-${form}-${mode}`;
        const pushed = await pushSampleCache(client, `${repo}:${tag}`, { mode, seed: 'cache-test', form });
        const got = await client.getManifest(`${repo}:${tag}`);
        assert.ok(got);
        assert.equal(got.digest, pushed.digest);
        // HEAD with all four manifest types gets the same digest: what a deletion needs.
        assert.equal((await client.headManifest(`${repo}:${tag}`))?.digest, pushed.digest);
        assert.equal(got.mediaType, form === 'index' ? MediaType.ociIndex : MediaType.ociManifest);
        assert.equal(isIndex(got.manifest), form === 'index');
        const descriptors = isIndex(got.manifest) ? got.manifest.manifests : [got.manifest.config, ...got.manifest.layers];
        const configs = descriptors.filter((m) => m.mediaType === MediaType.buildkitCacheConfig);
        assert.equal(configs.length, 1);
        const config = await client.getBlobJson<CacheConfig>(repo, configs[0]!.digest);
        assert.ok(config);
        assert.ok(config.records.length > 0);
        const layerDescriptors = descriptors.filter((m) => m.mediaType !== MediaType.buildkitCacheConfig);
        assert.deepEqual(new Set(config.layers.map((l) => l.blob)), new Set(layerDescriptors.map((l) => l.digest)));
        modes[mode] = layerDescriptors.filter((l) => !imageLayers.has(l.digest)).length;
      }
      assert.equal(modes.min, 0, 'mode=min caches only the final image layers');
      assert.equal(modes.max, 4, 'mode=max adds 2 intermediate-stage layers per platform');
    });
  }

  it('lists tags and answers null for an unknown repository, tag or blob', async () => {
    const tags = await client.listTags(repo);
    for (const t of ['single', 'multiarch', 'list', 'buildcache-index-max']) assert.ok(tags?.includes(t), `${t} in ${tags}`);
    assert.equal(await client.listTags(`${registry.host}/nobody/nothing`), null);
    assert.equal(await client.headManifest(`${repo}:no-such-tag`), null);
    assert.equal(await client.getManifest(`${repo}:no-such-tag`), null);
    assert.equal(await client.getManifest(`${repo}@${UNKNOWN_DIGEST}`), null);
    assert.equal(await client.getBlob(repo, UNKNOWN_DIGEST), null);
  });

  it('deletes by digest (202): the tag then answers 404 and leaves tags/list; by tag answers 400 DIGEST_INVALID', async () => {
    const pushed = await pushSampleImageIndex(client, `${repo}:to-delete`, { seed: 'delete-me' });
    assert.deepEqual(await client.deleteManifest(repo, 'to-delete'), {
      status: 400,
      errorCode: 'DIGEST_INVALID',
      message: 'provided digest did not match uploaded content',
    });
    const digest = (await client.headManifest(`${repo}:to-delete`))?.digest;
    assert.equal(digest, pushed.digest);
    assert.deepEqual(await client.deleteManifest(repo, digest), { status: 202 });
    assert.equal(await client.headManifest(`${repo}:to-delete`), null);
    assert.equal(await client.getManifest(`${repo}@${pushed.digest}`), null);
    assert.ok(!(await client.listTags(repo))?.includes('to-delete'));
    const again = await client.deleteManifest(repo, digest);
    assert.equal(again.status, 404);
    assert.equal(again.errorCode, 'MANIFEST_UNKNOWN');
    // Other tags in the repository are untouched.
    assert.ok(await client.headManifest(`${repo}:multiarch`));
  });

  it('reports a registry refusal of a bad manifest as a RegistryError with status and code', async () => {
    const error = await infraError(
      () => client.putManifest(`${repo}:broken`, MediaType.ociManifest, Buffer.from(JSON.stringify({ schemaVersion: 2, config: { digest: UNKNOWN_DIGEST, size: 1, mediaType: MediaType.ociConfig }, layers: [] }))),
      [],
    );
    assert.ok(error instanceof RegistryError);
    assert.equal(error.status, 400);
    assert.equal(error.errorCode, 'MANIFEST_BLOB_UNKNOWN');
    assert.match(error.message, /HTTP 400 MANIFEST_BLOB_UNKNOWN/);
    assert.match(error.message, new RegExp(registry.host.replace(/\./g, '\\.')));
  });

  it('garbage-collect after a delete gives space back (helper used by the registry7 tests)', async () => {
    await pushSampleImageIndex(client, `${repo}:gc`, { seed: 'gc-only', layers: 2 });
    const digest = (await client.headManifest(`${repo}:gc`))!.digest;
    assert.equal((await client.deleteManifest(repo, digest)).status, 202);
    const before = await registry.storageBytes();
    const gc = await registry.garbageCollect({ deleteUntagged: true });
    assert.equal(gc.exitCode, 0, gc.stderr);
    assert.ok((await registry.storageBytes()) < before);
    // Blobs still referenced by other tags survive GC.
    const multi = await client.getManifest(`${repo}:multiarch`);
    assert.ok(multi && isIndex(multi.manifest));
    assert.ok(await client.getManifest(withDigest(parseReference(repo), multi.manifest.manifests[0]!.digest)));
  });
});

describe('registry with delete disabled (the registry:2 default)', () => {
  let registry: RegistryServer;
  before(async () => {
    registry = await startRegistry();
  });
  after(() => registry.stop());

  it('answers DELETE by digest with 405 UNSUPPORTED and keeps the tag', async () => {
    const client = new RegistryClient();
    const ref = `${registry.host}/s99656/app:keep`;
    const pushed = await pushSampleImage(client, ref);
    const result = await client.deleteManifest(ref, pushed.digest);
    assert.equal(result.status, 405);
    assert.equal(result.errorCode, 'UNSUPPORTED');
    assert.equal((await client.headManifest(ref))?.digest, pushed.digest);
  });
});

describe('registry with htpasswd Basic auth', () => {
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const wrong = `wrong-${randomBytes(8).toString('hex')}`;
  const secrets = [password, wrong, Buffer.from(`student:${password}`).toString('base64'), Buffer.from(`student:${wrong}`).toString('base64')];
  let dir: string;
  let registry: RegistryServer;
  const savedDockerConfig = process.env.DOCKER_CONFIG;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'grader-basic-'));
    registry = await startRegistry({ htpasswd: await createHtpasswd(dir, { student: password }) });
  });
  afterEach(() => {
    if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = savedDockerConfig;
  });
  after(async () => {
    await registry.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads credentials from $DOCKER_CONFIG/config.json and can push and pull', async () => {
    process.env.DOCKER_CONFIG = await writeDockerConfig(join(dir, 'good'), { [registry.host]: { username: 'student', password } });
    const client = new RegistryClient();
    assert.equal((await client.ping(registry.host)).status, 200);
    const pushed = await pushSampleImageIndex(client, `${registry.host}/s99656/app:multiarch`);
    assert.equal((await client.headManifest(`${registry.host}/s99656/app:multiarch`))?.digest, pushed.digest);
    assert.deepEqual(await client.listTags(`${registry.host}/s99656/app`), ['multiarch']);
  });

  it('matches an `https://host` key as docker login writes it, via the dockerConfigDir option', async () => {
    const configDir = await writeDockerConfig(join(dir, 'url-key'), { [`https://${registry.host}`]: { username: 'student', password } });
    const client = new RegistryClient({ dockerConfigDir: configDir });
    assert.ok(await client.headManifest(`${registry.host}/s99656/app:multiarch`));
  });

  it('wrong password: InfraError saying authentication was refused, naming the config file, no secret', async () => {
    const configDir = await writeDockerConfig(join(dir, 'bad'), { [registry.host]: { username: 'student', password: wrong } });
    const client = new RegistryClient({ dockerConfigDir: configDir });
    const error = await infraError(() => client.getManifest(`${registry.host}/s99656/app:multiarch`), secrets);
    assert.match(error.message, /odrzucił uwierzytelnienie \(HTTP 401 UNAUTHORIZED\)/);
    assert.ok(error.message.includes(registry.host));
    assert.ok(error.message.includes(join(configDir, 'config.json')));
  });

  it('no credentials: InfraError telling the user to docker login', async () => {
    const client = new RegistryClient({ dockerConfigDir: join(dir, 'empty') });
    const error = await infraError(() => client.ping(registry.host), secrets);
    assert.match(error.message, /wymaga logowania \(HTTP 401\)/);
    assert.ok(error.message.includes(`docker login ${registry.host}`));
  });
});

const sortActions = (scope: string) => scope.replace(/:([^:]*)$/, (_, actions: string) => `:${actions.split(',').sort().join(',')}`);

/** Minimal token service (https://distribution.github.io/distribution/spec/auth/token/) signing RS256 JWTs. */
async function startTokenServer(dir: string, users: Record<string, { password: string; actions: string[] }>) {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const made = await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=grader-test-token-issuer']);
  assert.equal(made.exitCode, 0, made.stderr);
  const privateKey = await readFile(key, 'utf8');
  // x5c carries base64 DER, which is the PEM body without armour.
  const x5c = [(await readFile(cert, 'utf8')).replace(/-----[^-]+-----|\s/g, '')];
  const service = 'grader-test-registry';
  const issuer = 'grader-test-issuer';
  const requests: { service: string | null; scopes: string[]; user?: string }[] = [];
  const issued: string[] = [];
  const b64url = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
  const { server, host } = await listen((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const [user = '', pass] = basic ? Buffer.from(basic, 'base64').toString().split(/:(.*)/s) : [];
    const scopes = url.searchParams.getAll('scope');
    requests.push({ service: url.searchParams.get('service'), scopes, ...(user ? { user } : {}) });
    const account = users[user];
    if (!account || account.password !== pass) {
      res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }));
      return;
    }
    const access = scopes.map((s) => {
      const [type, name, actions = ''] = s.split(':');
      return { type, name, actions: actions.split(',').filter((a) => account.actions.includes(a)) };
    });
    const now = Math.floor(Date.now() / 1000);
    const header = b64url({ typ: 'JWT', alg: 'RS256', x5c });
    const claims = b64url({ iss: issuer, sub: user, aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access });
    const signature = sign('sha256', Buffer.from(`${header}.${claims}`), privateKey).toString('base64url');
    const token = `${header}.${claims}.${signature}`;
    issued.push(token);
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token, expires_in: 300, issued_at: new Date().toISOString() }));
  });
  return { server, realm: `http://${host}/token`, service, issuer, rootCertBundle: cert, requests, issued };
}

describe('registry with `auth: token` (Bearer flow)', () => {
  const password = `pw-${randomBytes(8).toString('hex')}`;
  let dir: string;
  let tokens: Awaited<ReturnType<typeof startTokenServer>>;
  let registry: RegistryServer;
  const secrets = () => [password, Buffer.from(`student:${password}`).toString('base64'), ...tokens.issued];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'grader-token-'));
    tokens = await startTokenServer(dir, {
      student: { password, actions: ['pull', 'push', 'delete'] },
      reader: { password, actions: ['pull'] },
    });
    registry = await startRegistry({ token: tokens, deleteEnabled: true });
  });
  after(async () => {
    await registry.stop();
    await close(tokens.server);
    await rm(dir, { recursive: true, force: true });
  });

  it('follows WWW-Authenticate to the realm with service, scope and Basic credentials, then reuses the token', async () => {
    const configDir = await writeDockerConfig(join(dir, 'student'), { [registry.host]: { username: 'student', password } });
    const client = new RegistryClient({ dockerConfigDir: configDir });
    const ref = `${registry.host}/s99656/app:multiarch`;
    const pushed = await pushSampleImageIndex(client, ref);
    assert.ok(tokens.requests.length > 0);
    for (const r of tokens.requests) {
      assert.equal(r.service, tokens.service);
      assert.equal(r.user, 'student');
    }
    // The registry lists a challenge's actions in Go map order, so `pull,push` and `push,pull` both occur.
    assert.ok(tokens.requests.some((r) => r.scopes.map(sortActions).includes('repository:s99656/app:pull,push')), JSON.stringify(tokens.requests));
    const before = tokens.requests.length;
    assert.equal((await client.headManifest(ref))?.digest, pushed.digest);
    assert.equal((await client.getManifest(ref))?.digest, pushed.digest);
    assert.deepEqual(await client.listTags(ref), ['multiarch']);
    assert.equal(tokens.requests.length, before + 1, 'one pull token serves HEAD, GET and tags/list');
    assert.deepEqual(tokens.requests.at(-1)?.scopes, ['repository:s99656/app:pull']);
    assert.deepEqual(await client.deleteManifest(ref, pushed.digest), { status: 202 });
  });

  it('a token without push rights: the push is refused as an InfraError without leaking the token', async () => {
    const configDir = await writeDockerConfig(join(dir, 'reader'), { [registry.host]: { username: 'reader', password } });
    const client = new RegistryClient({ dockerConfigDir: configDir });
    const error = await infraError(() => client.pushBlob(`${registry.host}/s99656/app`, Buffer.from('x')), secrets());
    assert.match(error.message, /odrzucił uwierzytelnienie \(HTTP 401 UNAUTHORIZED\)/);
  });

  it('wrong password at the token service: InfraError saying authentication was refused', async () => {
    const configDir = await writeDockerConfig(join(dir, 'wrong'), { [registry.host]: { username: 'student', password: `${password}-wrong` } });
    const client = new RegistryClient({ dockerConfigDir: configDir });
    const error = await infraError(() => client.getManifest(`${registry.host}/s99656/app:multiarch`), [...secrets(), `${password}-wrong`]);
    assert.match(error.message, /Serwer tokenów rejestru .* odrzucił uwierzytelnienie \(HTTP 401 UNAUTHORIZED\)/);
    assert.ok(error.message.includes(join(configDir, 'config.json')));
  });
});

describe('faults: retries, rate limits, timeouts, refused connections', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(close));
  });

  // A stub, not the real registry: a registry that answers 503/429 on demand cannot be produced with
  // docker-registry itself, and these faults only need the HTTP status line and headers.
  async function stub(answers: { status: number; headers?: Record<string, string>; body?: unknown }[]) {
    let hits = 0;
    const { server, host } = await listen((_req, res) => {
      const a = answers[Math.min(hits, answers.length - 1)]!;
      hits++;
      res.writeHead(a.status, { 'Content-Type': 'application/json', ...a.headers }).end(JSON.stringify(a.body ?? {}));
    });
    servers.push(server);
    return { host, hits: () => hits };
  }

  const fast = { retries: 2, retryDelayMs: 5, timeoutMs: 2_000 };
  const unavailable = { status: 503, body: { errors: [{ code: 'UNAVAILABLE', message: 'service unavailable' }] } };

  it('a manifest streamed without Content-Length is cut off past BODY_LIMITS.manifest (no registry sends that, so a stub does)', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const { server, host } = await listen((_req, res) => {
      res.writeHead(200, { 'Content-Type': MediaType.ociManifest });
      // Chunked, without an end: only the client's limit stops it.
      const pump = () => {
        while (sent < 64 * BODY_LIMITS.manifest && res.write(chunk)) sent += chunk.length;
        if (sent < 64 * BODY_LIMITS.manifest) res.once('drain', pump);
      };
      pump();
    });
    servers.push(server);
    await assert.rejects(new RegistryClient({ retries: 0, timeoutMs: 20_000 }).getManifest(`${host}/s1/app:big`), (e: unknown) => {
      assert.ok(e instanceof RegistryError);
      assert.match(e.message, new RegExp(`^Manifest ${host}/s1/app:big z rejestru ${host} ma ponad \\d+ B, więcej niż limit ${BODY_LIMITS.manifest} B; grader go nie czyta\\.$`));
      return true;
    });
    assert.ok(sent < 64 * BODY_LIMITS.manifest, `the server was stopped early (sent ${sent} B)`);
  });

  it('retries 503 and succeeds when the registry recovers', async () => {
    const s = await stub([unavailable, unavailable, { status: 200 }]);
    assert.equal((await new RegistryClient(fast).ping(s.host)).status, 200);
    assert.equal(s.hits(), 3);
  });

  it('503 after every retry: InfraError with status, registry code and host', async () => {
    const s = await stub([unavailable]);
    const error = await infraError(() => new RegistryClient(fast).getManifest(`${s.host}/a/b:c`), []);
    assert.equal(s.hits(), 3);
    assert.ok(error instanceof RegistryError && error.status === 503);
    assert.match(error.message, new RegExp(`Rejestr ${s.host} odpowiedział HTTP 503 UNAVAILABLE na GET /v2/a/b/manifests/c \\(po 3 próbach\\)`));
  });

  it('429 honours Retry-After, then gives up with an InfraError about the rate limit', async () => {
    const limited = { status: 429, headers: { 'Retry-After': '0' }, body: { errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] } };
    const recovering = await stub([limited, { status: 200 }]);
    assert.equal((await new RegistryClient(fast).ping(recovering.host)).status, 200);
    const s = await stub([limited]);
    const error = await infraError(() => new RegistryClient(fast).ping(s.host), []);
    assert.equal(s.hits(), 3);
    assert.match(error.message, /HTTP 429 TOOMANYREQUESTS/);
    assert.match(error.message, /ogranicza liczbę zapytań/);
  });

  it('a Retry-After longer than the limit fails at once instead of stalling the grader', async () => {
    const s = await stub([{ status: 429, headers: { 'Retry-After': '3600' } }]);
    const started = Date.now();
    const error = await infraError(() => new RegistryClient(fast).ping(s.host), []);
    assert.equal(s.hits(), 1);
    assert.ok(Date.now() - started < 1_000);
    assert.match(error.message, /Retry-After: 3600 s/);
  });

  it('a registry that never answers times out into an InfraError', async () => {
    const { server, host } = await listen(() => {
      /* never responds */
    });
    servers.push(server);
    const error = await infraError(() => new RegistryClient({ retries: 1, retryDelayMs: 5, timeoutMs: 200 }).ping(host), []);
    assert.match(error.message, /przekroczono limit czasu/);
    server.closeAllConnections();
  });

  it('a refused connection is retried, then an InfraError names the registry and ECONNREFUSED', async () => {
    const { server, host } = await listen(() => undefined);
    await close(server); // the port is now closed
    const error = await infraError(() => new RegistryClient(fast).ping(host), []);
    assert.match(error.message, new RegExp(`Nie można połączyć się z rejestrem ${host} .*po 3 próbach: ECONNREFUSED`));
  });
});

describe('HTTP only for loopback and --insecure hosts', () => {
  /** A fetch that records URLs and answers like a registry: no network involved. */
  function recordingFetch(answer: (url: URL) => Response = () => new Response('{}', { status: 200 })) {
    const urls: string[] = [];
    const fetchImpl = (async (input: string | URL | Request) => {
      const url = new URL(input instanceof Request ? input.url : input);
      urls.push(url.href);
      return answer(url);
    }) as typeof fetch;
    return { urls, fetch: fetchImpl };
  }

  it('uses https for a non-loopback host unless it is in insecureHosts', async () => {
    const rec = recordingFetch();
    await new RegistryClient({ fetch: rec.fetch }).ping('registry7.example.edu:5000');
    await new RegistryClient({ fetch: rec.fetch, insecureHosts: ['registry7.example.edu:5000'] }).ping('registry7.example.edu:5000');
    await new RegistryClient({ fetch: rec.fetch, insecureHosts: ['10.0.0.7'] }).ping('10.0.0.7:5000');
    await new RegistryClient({ fetch: rec.fetch }).ping('docker.io');
    assert.deepEqual(rec.urls, [
      'https://registry7.example.edu:5000/v2/',
      'http://registry7.example.edu:5000/v2/',
      'http://10.0.0.7:5000/v2/',
      'https://registry-1.docker.io/v2/',
    ]);
  });

  it('treats localhost, 127.0.0.0/8 and [::1] as loopback, and nothing else', () => {
    for (const h of ['localhost:5000', '127.0.0.1:5055', '127.1.2.3', '[::1]:5000']) assert.equal(schemeFor(h), 'http', h);
    for (const h of ['10.0.0.7:5000', '127.example.edu', 'localhost.example.edu:5000', '192.168.1.1']) assert.equal(schemeFor(h), 'https', h);
  });

  it('reads access_token (OAuth style) and never sends a password to a plain-HTTP token realm on a non-loopback host', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'grader-realm-'));
    try {
      const configDir = await writeDockerConfig(dir, { 'registry7.example.edu': { username: 'u', password: 'secret-password-123' } });
      const challenge = (realm: string) =>
        new Response('{"errors":[{"code":"UNAUTHORIZED"}]}', { status: 401, headers: { 'WWW-Authenticate': `Bearer realm="${realm}",service="reg"` } });
      const ok = recordingFetch((url) =>
        url.pathname === '/token'
          ? Response.json({ access_token: 'oauth-token-abcdef' })
          : new Response('{}', { status: 200 }),
      );
      let first = true;
      const okFetch = (async (input: string | URL | Request, init?: RequestInit) => {
        const auth = new Headers(init?.headers).get('authorization');
        if (new URL(String(input)).pathname === '/v2/' && first) {
          first = false;
          return challenge('https://auth.example.edu/token');
        }
        if (new URL(String(input)).pathname === '/v2/') assert.equal(auth, 'Bearer oauth-token-abcdef');
        return ok.fetch(input, init);
      }) as typeof fetch;
      assert.equal((await new RegistryClient({ fetch: okFetch, dockerConfigDir: configDir }).ping('registry7.example.edu')).status, 200);
      assert.ok(ok.urls.some((u) => u.startsWith('https://auth.example.edu/token?service=reg')));

      const plain = recordingFetch(() => challenge('http://auth.example.edu/token'));
      const error = await infraError(() => new RegistryClient({ fetch: plain.fetch, dockerConfigDir: configDir }).ping('registry7.example.edu'), ['secret-password-123']);
      assert.match(error.message, /bez HTTPS; nie wysyłam tam hasła/);
      assert.ok(!plain.urls.some((u) => u.startsWith('http://auth.example.edu')));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
