/**
 * The deletion test in registry7 (check `bonus.registry7.delete`): after the grader's two builds,
 * delete the cache image the way lab 7 expects and measure what it gives back.
 * Every request is kept as evidence; an infrastructure fault stops the flow and is recorded.
 */
import { InfraError } from '../errors.ts';
import { RegistryError } from '../registry/client.ts';
import { isIndex, MANIFEST_ACCEPT } from '../registry/oci-types.ts';
import { toRef, withDigest, type ImageRef } from '../registry/reference.ts';
import type { BonusClient, GcCapableRegistry } from './ports.ts';
import type { DeleteFlowOutcome, HttpStep } from './types.ts';

export interface DeleteFlowOptions {
  client: BonusClient;
  /** The registry the refs live in, able to measure its storage and run GC safely. */
  registry7: GcCapableRegistry;
  imageRef: ImageRef | string;
  cacheRef: ImageRef | string;
  /**
   * Default false: in registry:2 (distribution 2.8) `--delete-untagged` also removes the untagged
   * platform manifests of a tagged multi-platform index, which breaks the image
   * (https://github.com/distribution/distribution/issues/3178, seen here for real).
   */
  deleteUntagged?: boolean;
  /** Run garbage collection after the deletion (default true); false when the student's answer has none. */
  garbageCollect?: boolean;
  /** Most other tags compared with the cache digest (to report tags the DELETE removes too). */
  maxSharedTagProbes?: number;
  signal?: AbortSignal;
}

/** Runs the flow; never throws for registry answers or infrastructure faults (they are in the outcome). */
export async function runDeleteFlow(o: DeleteFlowOptions): Promise<DeleteFlowOutcome> {
  const { outcome, rec, image, cache } = startOutcome(o);
  try {
    const before = await inspectBefore(o, outcome, rec);
    if (!before) return outcome;
    const del = await o.client.deleteManifest(cache, before.cacheDigest);
    rec.push({
      title: 'Usunięcie obrazu cache po digeście (oczekiwane 202)',
      method: 'DELETE',
      url: rec.url(cache, `manifests/${before.cacheDigest}`),
      status: del.status,
      ...(del.errorCode ? { errorCode: del.errorCode } : {}),
      ...(del.message ? { detail: del.message } : {}),
    });
    outcome.deleteStatus = del.status;
    if (del.errorCode) outcome.deleteCode = del.errorCode;
    if (del.status !== 202) return outcome;
    await verifyAfter(o, outcome, rec, image, cache, before.children);
    return outcome;
  } catch (error) {
    return recordInfra(error, outcome);
  }
}

/** State measured before somebody (the grader or a student's script) deletes the cache. */
export interface BeforeDeletion {
  cacheDigest: string;
  /** Platform manifests of the image index, checked again after GC. */
  children: string[];
}

/**
 * For a deletion done by someone else (the student's script): measure before, let `act` delete,
 * then verify and run GC exactly as the grader's own flow does.
 */
export async function verifyForeignDeletion(o: DeleteFlowOptions, act: () => Promise<void>): Promise<DeleteFlowOutcome> {
  const { outcome, rec, image, cache } = startOutcome(o);
  try {
    const before = await inspectBefore(o, outcome, rec);
    if (!before) return outcome;
    await act();
    await verifyAfter(o, outcome, rec, image, cache, before.children);
    return outcome;
  } catch (error) {
    return recordInfra(error, outcome);
  }
}

function startOutcome(o: DeleteFlowOptions) {
  const image = toRef(o.imageRef);
  const cache = toRef(o.cacheRef);
  const outcome: DeleteFlowOutcome = {
    registry: cache.registry,
    repository: cache.repository,
    imageTag: image.tag ?? image.digest ?? 'latest',
    cacheTag: cache.tag ?? 'latest',
    steps: [],
    sharedTags: [],
  };
  return { outcome, rec: new Recorder(o.client, outcome.steps), image, cache };
}

function recordInfra(error: unknown, outcome: DeleteFlowOutcome): DeleteFlowOutcome {
  if (!(error instanceof InfraError)) throw error;
  outcome.infraError = error.message;
  return outcome;
}

async function inspectBefore(o: DeleteFlowOptions, outcome: DeleteFlowOutcome, rec: Recorder): Promise<BeforeDeletion | undefined> {
  const image = toRef(o.imageRef);
  const cache = toRef(o.cacheRef);
  outcome.bytesBefore = await o.registry7.storageBytes({ signal: o.signal });
  const imageBefore = await rec.get('Obraz aplikacji przed usunięciem cache', image);
  const children = imageBefore && isIndex(imageBefore.manifest) ? imageBefore.manifest.manifests.map((d) => d.digest) : [];
  const head = await rec.head('Digest obrazu cache (HEAD z Accept dla wszystkich czterech typów manifestu)', cache);
  if (!head) return undefined;
  outcome.cacheDigest = head.digest;
  outcome.cacheMediaType = head.mediaType;
  const tagsBefore = (await rec.tags('Tagi repozytorium przed usunięciem', cache)) ?? [];
  outcome.sharedTags = await sharedTagsOf(o.client, cache, head.digest, tagsBefore, o.maxSharedTagProbes ?? 50);
  return { cacheDigest: head.digest, children };
}

async function verifyAfter(o: DeleteFlowOptions, outcome: DeleteFlowOutcome, rec: Recorder, image: ImageRef, cache: ImageRef, children: string[]): Promise<void> {
  outcome.cacheStatusAfter = (await rec.head('Tag cache po usunięciu (oczekiwane 404)', cache)) ? 200 : 404;
  const tagsAfter = await rec.tags('Tagi repozytorium po usunięciu', cache);
  outcome.cacheListedAfter = (tagsAfter ?? []).includes(outcome.cacheTag);
  outcome.imageStatusAfter = (await rec.head('Obraz aplikacji po usunięciu cache (oczekiwane 200)', image)) ? 200 : 404;
  outcome.bytesAfterDelete = await o.registry7.storageBytes({ signal: o.signal });
  if (o.garbageCollect === false) return;

  const gc = await o.registry7.garbageCollect({ deleteUntagged: o.deleteUntagged ?? false, signal: o.signal });
  outcome.gc = { deleteUntagged: o.deleteUntagged ?? false, ...gc };
  outcome.bytesAfterGc = await o.registry7.storageBytes({ signal: o.signal });

  // Intact = the tag and every platform manifest it lists still resolve after GC.
  let intact = (await rec.head('Obraz aplikacji po garbage-collect (oczekiwane 200)', image)) !== null;
  for (const digest of children) {
    if (!intact) break;
    intact = (await o.client.headManifest(withDigest(image, digest))) !== null;
    if (!intact) rec.push({ title: 'Manifest platformy obrazu po garbage-collect', method: 'HEAD', url: rec.url(image, `manifests/${digest}`), status: 404 });
  }
  outcome.imageStatusAfterGc = intact ? 200 : 404;
}

/** Tags other than the cache tag that resolve to the same manifest: the DELETE removes them as well. */
async function sharedTagsOf(client: BonusClient, ref: ImageRef, digest: string, tags: string[], max: number): Promise<string[]> {
  const shared: string[] = [];
  for (const tag of tags.filter((t) => t !== ref.tag).slice(0, max)) {
    const head = await client.headManifest(`${ref.registry}/${ref.repository}:${tag}`);
    if (head?.digest === digest) shared.push(tag);
  }
  return shared;
}

/** Makes each client call and keeps it as an HttpStep, including a failing one. */
class Recorder {
  constructor(
    private readonly client: BonusClient,
    private readonly steps: HttpStep[],
  ) {}

  url(ref: ImageRef, path: string): string {
    return `${this.client.baseUrl(ref.registry)}/v2/${ref.repository}/${path}`;
  }

  push(step: HttpStep): void {
    this.steps.push(step);
  }

  async head(title: string, ref: ImageRef) {
    const url = this.url(ref, `manifests/${ref.digest ?? ref.tag ?? 'latest'}`);
    const accept = `Accept: ${MANIFEST_ACCEPT.join(', ')}`;
    const r = await this.guard({ title, method: 'HEAD', url }, () => this.client.headManifest(ref));
    this.push({ title, method: 'HEAD', url, status: r ? 200 : 404, detail: r ? `Docker-Content-Digest: ${r.digest} (${r.mediaType}); ${accept}` : accept });
    return r;
  }

  async get(title: string, ref: ImageRef) {
    const url = this.url(ref, `manifests/${ref.digest ?? ref.tag ?? 'latest'}`);
    const r = await this.guard({ title, method: 'GET', url }, () => this.client.getManifest(ref));
    this.push({ title, method: 'GET', url, status: r ? 200 : 404, ...(r ? { detail: `${r.digest} (${r.mediaType})` } : {}) });
    return r;
  }

  async tags(title: string, ref: ImageRef) {
    const url = this.url(ref, 'tags/list');
    const r = await this.guard({ title, method: 'GET', url }, () => this.client.listTags(ref));
    this.push({ title, method: 'GET', url, status: r ? 200 : 404, detail: r ? `tags: [${r.join(', ')}]` : 'repozytorium nie istnieje' });
    return r;
  }

  /** Records the failed request (status from the registry, or null when it never answered), then rethrows. */
  private async guard<T>(step: Omit<HttpStep, 'status'>, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof RegistryError) {
        this.push({ ...step, status: error.status ?? null, ...(error.errorCode ? { errorCode: error.errorCode } : {}), detail: error.message });
      } else if (error instanceof InfraError) {
        this.push({ ...step, status: null, detail: error.message });
      }
      throw error;
    }
  }
}
