/** Data shapes of the bonus (deleting images from registry7): what the flows measured, before judging. */
import type { RegistryDeleteSetting } from './registry7-setup.ts';

/** One HTTP request to a registry and its answer, kept as evidence. */
export interface HttpStep {
  /** Polish, what the request was for. */
  title: string;
  method: 'HEAD' | 'GET' | 'PUT' | 'DELETE';
  url: string;
  /** null: no answer (connection refused, timeout). */
  status: number | null;
  /** Registry error code from the JSON body (UNSUPPORTED, DIGEST_INVALID, MANIFEST_UNKNOWN...). */
  errorCode?: string;
  /** Short extra text: a header value, the error message. */
  detail?: string;
}

/** Counts from `registry garbage-collect` output. */
export interface GcSummary {
  blobsMarked?: number;
  blobsEligible?: number;
  manifestsEligible?: number;
  /** "Deleting blob: ..." lines actually printed. */
  blobsDeleted: number;
  /** The summary line itself, e.g. "21 blobs marked, 7 blobs and 0 manifests eligible for deletion". */
  line?: string;
  /** level=error / panic lines. */
  errors: string[];
}

export interface GcRun {
  deleteUntagged: boolean;
  exitCode: number | null;
  durationMs: number;
  summary: GcSummary;
  /** The argv shown in the report (what a student would type). */
  argv: string[];
}

/** What the deletion test in registry7 observed, step by step. Missing fields: the flow stopped earlier. */
export interface DeleteFlowOutcome {
  /** host:port of the registry the flow ran against. */
  registry: string;
  repository: string;
  imageTag: string;
  cacheTag: string;
  steps: HttpStep[];
  cacheDigest?: string;
  cacheMediaType?: string;
  /** Answer of DELETE by digest. */
  deleteStatus?: number | null;
  deleteCode?: string;
  /** Other tags of the repository that pointed at the same manifest before the DELETE. */
  sharedTags: string[];
  /** Answer of HEAD on the cache tag after the DELETE (expected 404). */
  cacheStatusAfter?: number | null;
  /** Cache tag still in tags/list after the DELETE. */
  cacheListedAfter?: boolean;
  /** Answer of HEAD on the image tag after the DELETE and after GC (expected 200). */
  imageStatusAfter?: number | null;
  imageStatusAfterGc?: number | null;
  bytesBefore?: number;
  /** After the DELETE, before GC: shows that space is not freed by the DELETE itself. */
  bytesAfterDelete?: number;
  bytesAfterGc?: number;
  gc?: GcRun;
  /** Infrastructure fault (registry down, docker failed): the outcome is not gradable. */
  infraError?: string;
}

/** What the student's deletion script did in the sandbox, and what the grader found afterwards. */
export interface ScriptOutcome {
  /** Path of the script inside the submission. */
  script: string;
  image: string;
  exitCode: number | null;
  timedOut: boolean;
  timeLimitMs: number;
  durationMs: number;
  /** Tail of the script's stdout+stderr (redacted). */
  output: string;
  /** Lines of the output that show a blocked connection attempt (outside registry7). */
  blockedConnections: string[];
  /** The grader's own verification on the registry copy after the script. */
  verification?: DeleteFlowOutcome;
  /** Whether the copy allowed deleting, and why (from the student's registry7 command). */
  registryDelete: RegistryDeleteSetting;
  /** Where the student's answer runs `registry garbage-collect`; null: it does not, and no GC ran. */
  gcBy: string | null;
  /** The answer came from the report's commands (`script` is then their label): the script run, and what was rewritten. */
  fromReport?: { text: string; notes: string[] };
  /** The script named in submission.json is missing or outside the submission (the student's fault). */
  invalid?: string;
  infraError?: string;
}
