/** Shapes of results.json: the contract between checks, scoring, reports and batch. */

/** `manual`: "do sprawdzenia ręcznie": the evidence may be in something the grader could not read (a screenshot); neither pass nor fail. */
export type CheckStatus = 'pass' | 'fail' | 'error' | 'skip' | 'manual';

/** Stable check ids; rubrics refer to these. */
export const CHECK_IDS = [
  'image.multiplatform',
  'cache.published',
  'builder.container',
  'build.first',
  'build.index',
  'cache.exported',
  'cache.imported',
  'cache.hit',
  'bonus.registry7.delete',
  'reference.build',
  'report.twoBuilds',
  'report.platforms',
  'report.manifest',
  'report.cacheEvidence',
  'report.builder',
  'report.registry7',
  'report.cacheTo',
  'report.bonus',
  'report.consistency',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export interface LogLine {
  /** 1-based line number in the full log file. */
  n: number;
  text: string;
  /** The line is the evidence itself (CACHED, importing cache manifest, ERROR...). */
  highlight?: boolean;
}

/** Evidence shown under a check in the report. All strings are untrusted text, rendered escaped. */
export type Evidence =
  | { kind: 'command'; title: string; argv: string[] }
  | { kind: 'log'; title: string; file?: string; lines: LogLine[] }
  | { kind: 'table'; title: string; columns: string[]; rows: string[][] }
  | { kind: 'http'; title: string; method: string; url: string; status: number | null; detail?: string }
  | { kind: 'text'; title: string; text: string };

export interface DocLink {
  title: string;
  url: string;
}

/** One check's verdict: status, a Polish message, and the evidence. */
export interface CheckResult {
  id: CheckId;
  status: CheckStatus;
  /** Polish, one or two sentences: what was found. */
  message: string;
  /** Polish: likely cause and how to fix it (failures and errors). */
  hint?: string;
  docs?: DocLink[];
  evidence: Evidence[];
  /** Extra numbers a check measured (e.g. cached/total steps). */
  metrics?: Record<string, number | string>;
  /**
   * Partial credit in [0, 1] for a `pass` or `fail` (e.g. 0.5 = half the points); absent = 1 for pass, 0 for fail.
   * Ignored for `skip` and `error`. A `fail` with partial credit still counts as a failed required check.
   */
  partial?: number;
  /** Filled in by scoring. */
  points?: number;
  maxPoints?: number;
  /** An instructor's decision (overrides.json) replaced the verdict above; the grader's own verdict is kept here. */
  override?: CheckOverride;
}

/** The instructor's word on one check, with what the grader had decided. */
export interface CheckOverride {
  original: { status: CheckStatus; message: string; partial?: number };
  /** Polish, the instructor's reason; untrusted text, rendered escaped. */
  comment: string;
  by?: string;
  /** ISO 8601. */
  at?: string;
}

export type CacheImportStatus = 'imported' | 'not-found' | 'failed' | 'not-requested';

export interface PlatformSteps {
  platform: string;
  cached: number;
  total: number;
}

export interface BuildRecord {
  /** 1 = exports the cache from an empty builder, 2 = imports it in another empty builder. */
  n: 1 | 2;
  argv: string[];
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  /** File name of the full log, relative to the results.json folder. */
  logFile: string;
  steps: PlatformSteps[];
  cacheImport: CacheImportStatus;
  cacheExported: boolean;
  /** Digest of the pushed image index, from --metadata-file. */
  imageDigest?: string;
  errorSummary?: string;
}

export interface Score {
  points: number;
  /** Maximum of the base (non-bonus) checks. */
  max: number;
  bonusPoints: number;
  bonusMax: number;
  /** points / max * 100, bonus included (up to 150). */
  percent: number;
  /** Polish grade line, e.g. "Zaliczone z dodatkiem: 150% (15 / 10 pkt)". */
  grade: string;
  /** A required check failed. */
  requiredFailed: string[];
  /** Filled in by scoring: no required check failed or errored (the base part is passed). */
  passed?: boolean;
  /** Filled in by scoring: checks that could not be graded (status `error`); the score is incomplete. */
  notGradable?: string[];
  /** Filled in by scoring: checks left to the instructor (status `manual`, "do sprawdzenia ręcznie"). */
  manualReview?: string[];
}

/** One pasted piece of evidence, hashed after normalising whitespace; `digest` is the sha256 digest itself. */
export interface EvidenceFingerprint {
  kind: 'build-log' | 'manifest' | 'digest';
  file: string;
  line: number;
  hash: string;
}

/** A value the grader worked out itself (no submission.json), with where it came from. */
export interface Inferred {
  /** The submission.json field it stands for, e.g. `build.dockerfile`. */
  field: string;
  value: string;
  /** Polish: the file and line, or the rule, it came from. */
  from: string;
}

export interface GradeResult {
  schemaVersion: 1;
  tool: { name: 'buildx-grader'; version: string };
  gradedAt: string;
  rubric: { id: string; title: string };
  student: { id: string; name: string };
  submission: {
    image?: string;
    cache?: string;
    /** Of the build that was reproduced: the student's command, else submission.json's `build`. */
    dockerfile: string;
    context: string;
    platforms: string[];
    /** The student's reproduced `docker buildx build`, where it was written. */
    command?: { source: string; text: string };
    /** No submission.json: what was inferred from the repository, and from where. */
    inferred?: Inferred[];
    /** The report files read as evidence (relative paths). */
    report?: string[];
    /** Fingerprints of what the report pastes (logs, manifests, digests): a batch flags the same evidence in two works. */
    evidence?: EvidenceFingerprint[];
  };
  environment: {
    isolation?: 'container' | 'prune';
    isolationReason?: string;
    registry7?: string;
    versions: Record<string, string>;
  };
  /** The refs the grader pushed to in registry7. */
  reproduced?: { image: string; cache: string };
  builds: BuildRecord[];
  checks: CheckResult[];
  score: Score;
  /** Some check was not gradable (infrastructure fault): grade again later. */
  needsRegrade: boolean;
}
