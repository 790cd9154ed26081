/**
 * Self-check against the student's own registry7 (CLI: `--registry7 HOST:PORT`): is deletion
 * enabled? Proven with a throwaway manifest the grader pushes and deletes itself, in a throwaway
 * repository, so nothing of the student's is touched. The student's own tag is deleted only with
 * `allowDelete: true` (CLI `--allow-delete`).
 */
import { randomBytes } from 'node:crypto';
import { InfraError } from '../errors.ts';
import { RegistryError } from '../registry/client.ts';
import { MediaType } from '../registry/oci-types.ts';
import { toRef, type ImageRef } from '../registry/reference.ts';
import { explain, findingOfAnswer, type Explanation } from './explain.ts';
import type { BonusClient } from './ports.ts';
import type { HttpStep } from './types.ts';

export const SELF_CHECK_REPOSITORY = 'buildx-grader-selfcheck';

export interface SelfCheckOptions {
  client: BonusClient;
  /** HOST:PORT of the student's registry7. */
  registry: string;
  /** Also delete this ref of the student's (by its digest). Ignored unless allowDelete is true. */
  target?: ImageRef | string;
  allowDelete?: boolean;
  repository?: string;
}

export interface SelfCheckOutcome {
  registry: string;
  /** true: 202; false: 405 UNSUPPORTED; undefined: could not tell (see infraError). */
  deleteEnabled?: boolean;
  throwawayRef?: string;
  /** The throwaway manifest could not be deleted (delete disabled): it stays, an empty index of ~100 B. */
  leftBehind?: string;
  steps: HttpStep[];
  explanations: Explanation[];
  /** Only with allowDelete: the answer for the student's own ref. */
  targetDeleted?: { ref: string; digest?: string; status: number | null; errorCode?: string };
  infraError?: string;
}

/** An empty OCI index: needs no blobs; the annotation makes its digest unique to this probe. */
export function throwawayManifest(nonce: string): Uint8Array {
  return Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: [],
    annotations: { 'buildx-grader.selfcheck': nonce },
  }));
}

export async function selfCheckRegistry7(o: SelfCheckOptions): Promise<SelfCheckOutcome> {
  const nonce = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const repository = o.repository ?? SELF_CHECK_REPOSITORY;
  const ref = toRef(`${o.registry}/${repository}:probe-${nonce}`);
  const base = `${o.client.baseUrl(o.registry)}/v2/${repository}/manifests`;
  const out: SelfCheckOutcome = { registry: o.registry, steps: [], explanations: [], throwawayRef: ref.canonical };
  const ctx = { registry: o.registry, repository, tag: ref.tag ?? '' };
  try {
    const digest = await o.client.putManifest(ref, MediaType.ociIndex, throwawayManifest(nonce));
    out.steps.push({ title: 'Jednorazowy manifest (pusty indeks OCI) w jednorazowym repozytorium', method: 'PUT', url: `${base}/${ref.tag}`, status: 201, detail: `Docker-Content-Digest: ${digest}` });

    const byTag = await o.client.deleteManifest(ref, ref.tag);
    out.steps.push(step('Usunięcie po tagu (pokazuje, że trzeba podać digest)', `${base}/${ref.tag}`, byTag));
    const byDigest = await o.client.deleteManifest(ref, digest);
    out.steps.push(step('Usunięcie po digeście (202 = usuwanie włączone, 405 = wyłączone)', `${base}/${digest}`, byDigest));

    if (byDigest.status === 202) {
      out.deleteEnabled = true;
      const after = await o.client.headManifest(ref);
      out.steps.push({ title: 'Jednorazowy tag po usunięciu (oczekiwane 404)', method: 'HEAD', url: `${base}/${ref.tag}`, status: after ? 200 : 404 });
      const tagKey = findingOfAnswer({ method: 'DELETE', reference: 'tag', status: byTag.status, errorCode: byTag.errorCode });
      if (tagKey === 'delete-by-tag') out.explanations.push(explain(tagKey, ctx));
    } else {
      const key = findingOfAnswer({ method: 'DELETE', reference: 'digest', status: byDigest.status, errorCode: byDigest.errorCode });
      if (key === 'delete-disabled') {
        out.deleteEnabled = false;
        out.leftBehind = `${repository}@${digest}`;
      }
      if (key) out.explanations.push(explain(key, ctx));
    }

    if (o.allowDelete && o.target && out.deleteEnabled) out.targetDeleted = await deleteTarget(o.client, toRef(o.target), out.steps);
    return out;
  } catch (error) {
    if (!(error instanceof InfraError)) throw error;
    out.infraError = error.message;
    if (!(error instanceof RegistryError && error.status !== undefined)) out.explanations.push(explain('registry-unreachable', ctx));
    return out;
  }
}

async function deleteTarget(client: BonusClient, ref: ImageRef, steps: HttpStep[]): Promise<NonNullable<SelfCheckOutcome['targetDeleted']>> {
  const base = `${client.baseUrl(ref.registry)}/v2/${ref.repository}/manifests`;
  const head = await client.headManifest(ref);
  steps.push({ title: `Digest ${ref.canonical}`, method: 'HEAD', url: `${base}/${ref.tag}`, status: head ? 200 : 404, ...(head ? { detail: `Docker-Content-Digest: ${head.digest}` } : {}) });
  if (!head) return { ref: ref.canonical, status: 404 };
  const del = await client.deleteManifest(ref, head.digest);
  steps.push(step(`Usunięcie ${ref.canonical} po digeście (--allow-delete)`, `${base}/${head.digest}`, del));
  return { ref: ref.canonical, digest: head.digest, status: del.status, ...(del.errorCode ? { errorCode: del.errorCode } : {}) };
}

function step(title: string, url: string, r: { status: number; errorCode?: string; message?: string }): HttpStep {
  return { title, method: 'DELETE', url, status: r.status, ...(r.errorCode ? { errorCode: r.errorCode } : {}), ...(r.message ? { detail: r.message } : {}) };
}

/** Polish lines for the terminal: the verdict, then cause and fix when deletion is off. */
export function describeSelfCheck(o: SelfCheckOutcome): { ok: boolean; lines: string[] } {
  const lines: string[] = [];
  if (o.infraError) lines.push(`Nie można sprawdzić rejestru ${o.registry}: ${o.infraError}`);
  else if (o.deleteEnabled) lines.push(`Rejestr ${o.registry}: usuwanie włączone (DELETE po digeście → 202).`);
  else if (o.deleteEnabled === false) lines.push(`Rejestr ${o.registry}: usuwanie wyłączone (DELETE → 405 UNSUPPORTED).`);
  else lines.push(`Rejestr ${o.registry}: nieoczekiwana odpowiedź na DELETE.`);
  for (const s of o.steps) lines.push(`  ${s.method} ${s.url} → ${s.status ?? 'brak odpowiedzi'}${s.errorCode ? ` ${s.errorCode}` : ''}`);
  if (o.leftBehind) lines.push(`Jednorazowy manifest ${o.leftBehind} został w rejestrze (nie dało się go usunąć; to pusty indeks, ~100 B).`);
  if (o.targetDeleted) lines.push(`Usunięto ${o.targetDeleted.ref}: ${o.targetDeleted.status}${o.targetDeleted.errorCode ? ` ${o.targetDeleted.errorCode}` : ''}.`);
  for (const e of o.explanations) lines.push('', e.cause, e.fix, ...e.docs.map((d) => `  ${d.title}: ${d.url}`));
  return { ok: o.deleteEnabled === true && !o.infraError, lines };
}
