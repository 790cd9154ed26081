/**
 * Test helpers: a real distribution registry (Debian's `docker-registry`, the software in `registry:2`)
 * on a free loopback port, and sample content shaped like what `docker buildx build --push` and
 * `--cache-to type=registry` publish (see shared/fixtures/registry/*.json), pushed through RegistryClient.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, open, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { run, type ExecResult } from '../../grader/util/exec.ts';
import type { RegistryClient } from '../../grader/registry/client.ts';
import { MediaType, type CacheConfig, type Descriptor, type Platform } from '../../grader/registry/oci-types.ts';
import { toRef, withDigest, type ImageRef } from '../../grader/registry/reference.ts';
import { fetchWithin } from '../../grader/util/fetch-within.ts';

export const REGISTRY_BIN = process.env.REGISTRY_BIN ?? '/usr/bin/docker-registry';

export interface RegistryServerOptions {
  /** storage.delete.enabled (REGISTRY_STORAGE_DELETE_ENABLED=true in the registry:2 image). */
  deleteEnabled?: boolean;
  /** Path of a bcrypt htpasswd file: turns on Basic auth. */
  htpasswd?: string;
  /** `auth: token` settings: the registry then sends Bearer challenges pointing at `realm`. */
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
  /** storage.maintenance.readonly: pushes and deletes are refused (what to set during garbage-collect). */
  readOnly?: boolean;
}

export interface RegistryServer {
  /** `127.0.0.1:PORT`: use it in image refs. */
  host: string;
  port: number;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** Temp dir holding config, storage and log; removed by stop(). */
  dir: string;
  storageDir: string;
  configPath: string;
  logPath: string;
  /** Runs `registry garbage-collect` on this registry's storage (stop the server first, as in production). */
  garbageCollect(options?: { deleteUntagged?: boolean; dryRun?: boolean }): Promise<ExecResult>;
  /** Bytes stored under storageDir (what `du` reports, without block rounding). */
  storageBytes(): Promise<number>;
  /** Kills the process and removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts `docker-registry serve` with its own config and storage on a free loopback port; waits until /v2/ answers. */
export async function startRegistry(options: RegistryServerOptions = {}): Promise<RegistryServer> {
  const dir = await mkdtemp(join(tmpdir(), 'grader-registry-'));
  const storageDir = join(dir, 'storage');
  const configPath = join(dir, 'config.yml');
  const logPath = join(dir, 'registry.log');
  await mkdir(storageDir);
  let lastError: unknown;
  // A free port can be taken between probing and binding; a few tries make that race harmless.
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    // JSON is valid YAML, and JSON.stringify escapes paths safely.
    await writeFile(configPath, JSON.stringify(registryConfig(port, storageDir, options), null, 2));
    try {
      const child = await spawnAndWait(configPath, logPath, port);
      return makeServer(child, { port, dir, storageDir, configPath, logPath });
    } catch (error) {
      lastError = error;
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}

function registryConfig(port: number, storageDir: string, options: RegistryServerOptions): unknown {
  const auth = options.htpasswd
    ? { htpasswd: { realm: 'grader-test', path: options.htpasswd } }
    : options.token
      ? {
          token: {
            realm: options.token.realm,
            service: options.token.service,
            issuer: options.token.issuer,
            rootcertbundle: options.token.rootCertBundle,
          },
        }
      : undefined;
  return {
    version: '0.1',
    log: { level: 'warn', accesslog: { disabled: true }, fields: { service: 'registry' } },
    storage: {
      // No blob descriptor cache: after a delete or GC the test sees the storage as it is.
      filesystem: { rootdirectory: storageDir },
      delete: { enabled: Boolean(options.deleteEnabled) },
      ...(options.readOnly ? { maintenance: { readonly: { enabled: true } } } : {}),
    },
    http: { addr: `127.0.0.1:${port}`, secret: randomBytes(16).toString('hex'), headers: { 'X-Content-Type-Options': ['nosniff'] } },
    ...(auth ? { auth } : {}),
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function spawnAndWait(configPath: string, logPath: string, port: number): Promise<ChildProcess> {
  const log = await open(logPath, 'a');
  const child = spawn(REGISTRY_BIN, ['serve', configPath], { stdio: ['ignore', log.fd, log.fd] });
  await log.close();
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `exit ${code ?? signal}`));
  child.once('error', (error) => (exited = error.message));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (exited) break;
    try {
      // Any HTTP answer (200, or 401 with auth on) means the server is listening.
      const res = await fetchWithin(fetch, `http://127.0.0.1:${port}/v2/`, {}, 1_000);
      await res.body?.cancel();
      return child;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  child.kill('SIGKILL');
  const tail = (await readFile(logPath, 'utf8').catch(() => '')).split('\n').slice(-15).join('\n');
  throw new Error(`registry did not answer on 127.0.0.1:${port} (${exited ?? 'timeout'}); log:\n${tail}`);
}

function makeServer(
  child: ChildProcess,
  paths: { port: number; dir: string; storageDir: string; configPath: string; logPath: string },
): RegistryServer {
  // If a test crashes before stop(), do not leave a registry running after the test process.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let stopped: Promise<void> | undefined;
  return {
    ...paths,
    host: `127.0.0.1:${paths.port}`,
    url: `http://127.0.0.1:${paths.port}`,
    garbageCollect: ({ deleteUntagged = false, dryRun = false } = {}) =>
      run(REGISTRY_BIN, ['garbage-collect', ...(deleteUntagged ? ['--delete-untagged'] : []), ...(dryRun ? ['--dry-run'] : []), paths.configPath], {
        timeoutMs: 60_000,
      }),
    storageBytes: () => directoryBytes(paths.storageDir),
    stop() {
      stopped ??= (async () => {
        process.removeListener('exit', killOnExit);
        if (child.exitCode === null && child.signalCode === null) {
          const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
          await gone;
          clearTimeout(timer);
        }
        await rm(paths.dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

async function directoryBytes(path: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) total += await directoryBytes(full);
    else if (entry.isFile()) total += (await stat(full)).size;
  }
  return total;
}

/** Writes a bcrypt htpasswd file (`htpasswd -Bbn`, Debian's apache2-utils) into dir; returns its path. */
export async function createHtpasswd(dir: string, users: Record<string, string>): Promise<string> {
  const lines: string[] = [];
  for (const [user, password] of Object.entries(users)) {
    const result = await run('htpasswd', ['-Bbn', user, password], { timeoutMs: 30_000 });
    if (result.exitCode !== 0) throw new Error(`htpasswd failed (${result.spawnError ?? result.stderr}); install apache2-utils`);
    lines.push(result.stdout.trim());
  }
  const path = join(dir, 'htpasswd');
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

/** Writes DOCKER_CONFIG-style `config.json` with `auths[host].auth` = base64(user:pass) into dir; returns dir. */
export async function writeDockerConfig(dir: string, auths: Record<string, { username: string; password: string }>): Promise<string> {
  const entries = Object.fromEntries(
    Object.entries(auths).map(([host, c]) => [host, { auth: Buffer.from(`${c.username}:${c.password}`).toString('base64') }]),
  );
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: entries }, null, 2));
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Sample content. Layer bytes depend only on (seed, platform, stage, index), so an image and a
// cache pushed with the same seed share their final layers, exactly as a real build does.

export type SampleFormat = 'oci' | 'docker';

export interface PushedImage {
  digest: string;
  mediaType: string;
  size: number;
  platform: Platform;
  config: Descriptor;
  layers: Descriptor[];
}

export interface PushedIndex {
  digest: string;
  mediaType: string;
  size: number;
  /** Platform manifests, in index order. */
  images: PushedImage[];
  /** Attestation manifests (platform unknown/unknown), one per image, in index order. */
  attestations: Descriptor[];
}

export interface PushedCache {
  digest: string;
  mediaType: string;
  size: number;
  mode: 'max' | 'min';
  /** The cache config descriptor (application/vnd.buildkit.cacheconfig.v0). */
  config: Descriptor;
  cacheConfig: CacheConfig;
  /** Every layer descriptor the cache manifest lists. */
  layers: Descriptor[];
  /** Layers also present in the final image pushed with the same seed. */
  finalLayers: Descriptor[];
  /** Layers of the intermediate build stage (mode=max only). */
  intermediateLayers: Descriptor[];
}

export interface SampleImageOptions {
  /** `os/arch[/variant]`, default linux/amd64. */
  platform?: string;
  format?: SampleFormat;
  /** Number of layers, default 3. */
  layers?: number;
  /** Varies the content; images and caches with the same seed share layers. Default `sample`. */
  seed?: string;
  /** Put the manifest by its digest only (a child of an index), not under the ref's tag. */
  untagged?: boolean;
}

/** Pushes config + layers + a single-platform image manifest (OCI or Docker schema2) under the ref's tag. */
export async function pushSampleImage(client: RegistryClient, ref: ImageRef | string, options: SampleImageOptions = {}): Promise<PushedImage> {
  const target = toRef(ref);
  const platform = parsePlatform(options.platform ?? 'linux/amd64');
  const format = options.format ?? 'oci';
  const seed = options.seed ?? 'sample';
  const layerBlobs = Array.from({ length: options.layers ?? 3 }, (_, i) => sampleLayer(seed, platform, 'final', i));
  const layers: Descriptor[] = [];
  for (const layer of layerBlobs) {
    const pushed = await client.pushBlob(target, layer.bytes);
    layers.push({ mediaType: format === 'oci' ? LAYER_OCI : LAYER_DOCKER, digest: pushed.digest, size: pushed.size });
  }
  const configBytes = json({
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'], WorkingDir: '/app' },
    created: '2026-11-22T23:41:48Z',
    rootfs: { type: 'layers', diff_ids: layerBlobs.map((l) => l.diffId) },
    history: layerBlobs.map((_, i) => ({ created: '2026-11-22T23:41:48Z', created_by: `RUN step ${i + 1} # buildkit`, comment: 'buildkit.dockerfile.v0' })),
  });
  const config = await pushDescriptor(client, target, format === 'oci' ? MediaType.ociConfig : MediaType.dockerConfig, configBytes);
  const mediaType = format === 'oci' ? MediaType.ociManifest : MediaType.dockerManifest;
  const bytes = json({ schemaVersion: 2, mediaType, config, layers });
  const digest = await client.putManifest(options.untagged ? withDigest(target, digestOf(bytes)) : target, mediaType, bytes);
  return { digest, mediaType, size: bytes.length, platform, config, layers };
}

export interface SampleIndexOptions {
  /** Default linux/amd64 + linux/arm64. */
  platforms?: string[];
  /** Add one attestation manifest per platform, as buildx does by default (OCI only). Default true for OCI. */
  attestations?: boolean;
  /** `oci`: OCI image index (buildx default); `docker`: Docker manifest list (oci-mediatypes=false). */
  format?: SampleFormat;
  layers?: number;
  seed?: string;
}

/** Pushes one image per platform (by digest) plus attestations, then the index under the ref's tag. */
export async function pushSampleImageIndex(client: RegistryClient, ref: ImageRef | string, options: SampleIndexOptions = {}): Promise<PushedIndex> {
  const target = toRef(ref);
  const format = options.format ?? 'oci';
  const withAttestations = options.attestations ?? format === 'oci';
  if (withAttestations && format === 'docker') throw new Error('attestation manifests need an OCI index (format: oci)');
  const images: PushedImage[] = [];
  const attestations: Descriptor[] = [];
  for (const platform of options.platforms ?? ['linux/amd64', 'linux/arm64']) {
    // Children are pushed by digest only, like buildx does: the tag names just the index.
    const image = await pushSampleImage(client, target, { platform, format, layers: options.layers, seed: options.seed, untagged: true });
    images.push(image);
    if (withAttestations) attestations.push(await pushAttestation(client, target, image));
  }
  const mediaType = format === 'oci' ? MediaType.ociIndex : MediaType.dockerList;
  const bytes = json({
    schemaVersion: 2,
    mediaType,
    manifests: [
      ...images.map((i) => ({ mediaType: i.mediaType, digest: i.digest, size: i.size, platform: i.platform })),
      ...attestations,
    ],
  });
  const digest = await client.putManifest(target, mediaType, bytes);
  return { digest, mediaType, size: bytes.length, images, attestations };
}

/** A Docker manifest list (buildx with oci-mediatypes=false, --provenance=false): no attestations. */
export function pushSampleManifestList(
  client: RegistryClient,
  ref: ImageRef | string,
  options: Omit<SampleIndexOptions, 'format' | 'attestations'> = {},
): Promise<PushedIndex> {
  return pushSampleImageIndex(client, ref, { ...options, format: 'docker', attestations: false });
}

export interface SampleCacheOptions {
  /** max: layers of every stage (here: a `build` stage too); min: only the final image's layers. */
  mode: 'max' | 'min';
  /** Platforms built; default linux/amd64 + linux/arm64. */
  platforms?: string[];
  /** Final image layers per platform (match the image's `layers` option), default 3. */
  layers?: number;
  /** Steps of the intermediate stage per platform, default 2; mode=max stores a layer for each. */
  intermediateLayers?: number;
  seed?: string;
  /**
   * `image-manifest`: an OCI image manifest with the cache config as its config (BuildKit >= 0.21,
   * the default); `index`: an OCI index listing the layers and the config (older BuildKit, or
   * `image-manifest=false`).
   */
  form?: 'image-manifest' | 'index';
}

/**
 * Pushes a BuildKit registry cache in either form (see SampleCacheOptions.form): layer descriptors
 * plus one application/vnd.buildkit.cacheconfig.v0 descriptor pointing at a config with `layers` and `records`.
 */
export async function pushSampleCache(client: RegistryClient, ref: ImageRef | string, options: SampleCacheOptions): Promise<PushedCache> {
  const target = toRef(ref);
  const seed = options.seed ?? 'sample';
  const buildSteps = options.intermediateLayers ?? 2;
  const finalLayers: Descriptor[] = [];
  const intermediateLayers: Descriptor[] = [];
  const cacheConfig: CacheConfig = { layers: [], records: [] };
  const createdAt = '2026-11-22T23:41:48.000000000Z';
  for (const p of options.platforms ?? ['linux/amd64', 'linux/arm64']) {
    const platform = parsePlatform(p);
    const chains: [SampleStage, number, Descriptor[]][] = [
      ['build', buildSteps, intermediateLayers],
      ['final', options.layers ?? 3, finalLayers],
    ];
    let buildResult = -1;
    for (const [stage, count, into] of chains) {
      // Each stage is a chain: layer i's parent is layer i-1; each step has a record, linked to the previous record.
      // As BuildKit writes it (cache-config.ts): mode=min stores the build stage's steps without layers,
      // and the final stage's first step also takes the build stage's result (COPY --from).
      let parent = -1;
      let previousRecord = cacheConfig.records.length;
      cacheConfig.records.push({ digest: fakeDigest(`${seed} ${p} ${stage} source`) });
      for (let i = 0; i < count; i++) {
        const inputs = [[{ selector: fakeDigest('selector'), link: previousRecord }]];
        if (stage === 'final' && i === 0 && buildResult >= 0) inputs.push([{ selector: fakeDigest('selector'), link: buildResult }]);
        const record: CacheConfig['records'][number] = { digest: fakeDigest(`${seed} ${p} ${stage} step ${i}`), inputs };
        if (stage === 'final' || options.mode === 'max') {
          const layer = sampleLayer(seed, platform, stage, i);
          const pushed = await client.pushBlob(target, layer.bytes);
          into.push({
            mediaType: LAYER_OCI,
            digest: pushed.digest,
            size: pushed.size,
            annotations: { 'buildkit/createdat': createdAt, 'containerd.io/uncompressed': layer.diffId },
          });
          cacheConfig.layers.push({ blob: pushed.digest, parent });
          parent = cacheConfig.layers.length - 1;
          record.layers = [{ layer: parent }];
        }
        cacheConfig.records.push(record);
        previousRecord = cacheConfig.records.length - 1;
      }
      if (stage === 'build') buildResult = previousRecord;
    }
  }
  const config = await pushDescriptor(client, target, MediaType.buildkitCacheConfig, json(cacheConfig));
  const layers = [...finalLayers, ...intermediateLayers].sort((a, b) => a.digest.localeCompare(b.digest));
  const mediaType = options.form === 'index' ? MediaType.ociIndex : MediaType.ociManifest;
  const bytes = json(
    options.form === 'index'
      ? { schemaVersion: 2, mediaType, manifests: [...layers, config] }
      : { schemaVersion: 2, mediaType, config, layers },
  );
  const digest = await client.putManifest(target, mediaType, bytes);
  return { digest, mediaType, size: bytes.length, mode: options.mode, config, cacheConfig, layers, finalLayers, intermediateLayers };
}

const LAYER_OCI = 'application/vnd.oci.image.layer.v1.tar+gzip';
const LAYER_DOCKER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

type SampleStage = 'final' | 'build';

function sampleLayer(seed: string, platform: Platform, stage: SampleStage, index: number): { bytes: Buffer; diffId: string } {
  const plain = Buffer.from(`${seed} ${platformString(platform)} ${stage} layer ${index}\n`);
  // gzip of a fixed input is deterministic in Node (mtime 0), so equal inputs give equal digests.
  return { bytes: gzipSync(plain), diffId: digestOf(plain) };
}

async function pushAttestation(client: RegistryClient, repo: ImageRef, image: PushedImage): Promise<Descriptor> {
  const statement = json({
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: 'https://slsa.dev/provenance/v0.2',
    subject: [{ name: `pkg:docker/${repo.repository}`, digest: { sha256: image.digest.slice('sha256:'.length) } }],
    predicate: { builder: { id: '' }, buildType: 'https://mobyproject.org/buildkit@v1' },
  });
  const layer = await pushDescriptor(client, repo, 'application/vnd.in-toto+json', statement, {
    'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2',
  });
  const config = await pushDescriptor(
    client,
    repo,
    MediaType.ociConfig,
    json({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [layer.digest] } }),
  );
  const bytes = json({ schemaVersion: 2, mediaType: MediaType.ociManifest, config, layers: [layer] });
  const digest = await client.putManifest(withDigest(repo, digestOf(bytes)), MediaType.ociManifest, bytes);
  return {
    mediaType: MediaType.ociManifest,
    digest,
    size: bytes.length,
    annotations: { 'vnd.docker.reference.digest': image.digest, 'vnd.docker.reference.type': 'attestation-manifest' },
    platform: { architecture: 'unknown', os: 'unknown' },
  };
}

async function pushDescriptor(
  client: RegistryClient,
  repo: ImageRef,
  mediaType: string,
  bytes: Buffer,
  annotations?: Record<string, string>,
): Promise<Descriptor> {
  const pushed = await client.pushBlob(repo, bytes);
  return { mediaType, digest: pushed.digest, size: pushed.size, ...(annotations ? { annotations } : {}) };
}

function parsePlatform(value: string): Platform {
  const [os = '', architecture = '', variant] = value.split('/');
  if (!os || !architecture) throw new Error(`platform must be os/arch[/variant], got ${value}`);
  return { architecture, os, ...(variant ? { variant } : {}) };
}

function platformString(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function digestOf(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function fakeDigest(text: string): string {
  return digestOf(Buffer.from(text));
}
