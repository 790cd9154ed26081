/** Pure verdicts of the bonus flows: which findings an outcome shows and whether it passes. */
import { findingOfAnswer, type FindingKey } from './explain.ts';
import type { DeleteFlowOutcome, ScriptOutcome } from './types.ts';

export type BonusStatus = 'pass' | 'fail' | 'error';

export interface Verdict {
  status: BonusStatus;
  /** Causes of a failure or error, most important first. */
  findings: FindingKey[];
  /** bytesBefore - bytesAfterGc, when both were measured. */
  bytesFreed?: number;
  /** bytesBefore - bytesAfterDelete: what the DELETE alone gave back (tag links only). */
  bytesFreedByDelete?: number;
}

/** Who runs the registry: a 405 in the grader's own registry7 is the grader's fault, not the student's. */
export type RegistryOwner = 'grader' | 'student';

/** Verdict of the deletion test: 202 + 404 + image intact + bytes freed > 0. */
export function judgeDeleteFlow(o: DeleteFlowOutcome, owner: RegistryOwner = 'grader'): Verdict {
  const sizes = sizesOf(o);
  if (o.infraError || o.steps.some((s) => s.status === null)) {
    return { status: 'error', findings: ['registry-unreachable'], ...sizes };
  }
  const findings: FindingKey[] = [];
  const head = o.steps.find((s) => s.method === 'HEAD');
  if (head && head.status === 404) return { status: 'fail', findings: ['cache-tag-missing'], ...sizes };
  if (!o.cacheDigest) return { status: 'fail', findings: ['no-digest-header'], ...sizes };
  if (o.deleteStatus !== 202) {
    const f = findingOfAnswer({ method: 'DELETE', reference: 'digest', status: o.deleteStatus ?? null, errorCode: o.deleteCode });
    const key = f ?? 'digest-unknown';
    // The grader starts its registry7 with delete enabled: a 405 there is a grader fault to regrade.
    return { status: key === 'delete-disabled' && owner === 'grader' ? 'error' : 'fail', findings: [key], ...sizes };
  }
  return finish(o, findings, sizes);
}

/** Verdict of a student's script: judged by its effect on the registry copy, not by its exit code. */
export function judgeScript(s: ScriptOutcome): Verdict {
  if (s.invalid) return { status: 'fail', findings: [] };
  if (s.infraError) return { status: 'error', findings: [] };
  const v = s.verification;
  if (!v || v.infraError) return { status: 'error', findings: ['registry-unreachable'] };
  const sizes = sizesOf(v);
  const findings: FindingKey[] = [...findingsInOutput(s.output)];
  // The student's registry7 had deleting off, and so had the copy: that is why the tag survived.
  if (!s.registryDelete.enabled && !findings.includes('delete-disabled')) findings.push('delete-disabled');
  if (v.cacheStatusAfter === 200 || v.cacheListedAfter) {
    return { status: 'fail', findings: findings.length ? findings : ['tag-still-present'], ...sizes };
  }
  if (s.gcBy === null) {
    // The cache is gone, but its layers stay on disk: the answer never runs garbage collection.
    const imageOk = v.imageStatusAfter === 200;
    return { status: 'fail', findings: [...findings, ...(imageOk ? [] : ['image-broken' as const]), 'space-not-freed'], ...sizes };
  }
  return finish(v, findings, sizes);
}

function finish(o: DeleteFlowOutcome, findings: FindingKey[], sizes: Pick<Verdict, 'bytesFreed' | 'bytesFreedByDelete'>): Verdict {
  if (o.cacheStatusAfter !== 404 || o.cacheListedAfter) findings.push('tag-still-present');
  const imageOk = o.imageStatusAfter === 200 && (o.imageStatusAfterGc === undefined || o.imageStatusAfterGc === 200);
  if (!imageOk) findings.push('image-broken');
  if (!o.gc || o.gc.exitCode !== 0) findings.push('gc-failed');
  else if (!(sizes.bytesFreed !== undefined && sizes.bytesFreed > 0)) findings.push('nothing-freed');
  // What the output showed on the way (a first try by tag, a 404 before the right header) fails nothing once the result is right.
  const failing = findings.filter((f) => f !== 'delete-by-tag' && f !== 'digest-unknown' && f !== 'no-digest-header');
  return { status: failing.length ? 'fail' : 'pass', findings, ...sizes };
}

function sizesOf(o: DeleteFlowOutcome): Pick<Verdict, 'bytesFreed' | 'bytesFreedByDelete'> {
  const out: Pick<Verdict, 'bytesFreed' | 'bytesFreedByDelete'> = {};
  if (o.bytesBefore !== undefined && o.bytesAfterGc !== undefined) out.bytesFreed = o.bytesBefore - o.bytesAfterGc;
  if (o.bytesBefore !== undefined && o.bytesAfterDelete !== undefined) out.bytesFreedByDelete = o.bytesBefore - o.bytesAfterDelete;
  return out;
}

/** What a script's output shows (curl -i, or the JSON body): tried by tag, delete was off, no digest came back. */
export function findingsInOutput(output: string): FindingKey[] {
  const found: FindingKey[] = [];
  if (/DIGEST_INVALID/.test(output)) found.push('delete-by-tag');
  if (/"code"\s*:\s*"UNSUPPORTED"|\b405 Method Not Allowed/.test(output)) found.push('delete-disabled');
  // A HEAD/GET answered 404 and no answer carried a digest: the Accept header missed the stored type.
  if (/^HTTP\/[\d.]+ 404\b/m.test(output) && !/docker-content-digest:\s*sha256:/i.test(output)) found.push('no-digest-header');
  return found;
}
