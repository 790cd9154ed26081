/** Shapes returned by the build-log parser (grader/build-log/parse.ts). */

import type { CacheImportStatus, LogLine, PlatformSteps } from '../results/types.ts';

/** Which buildx progress format the log was written in. */
export type BuildLogFormat = 'plain' | 'tty' | 'mixed' | 'unknown';

/** One Dockerfile step of one platform, e.g. `[linux/arm64 build1 4/5] ADD src ./`. */
export interface BuildStep {
  /** Identity across repeated lines and tty frames: `platform|stage|index`. */
  key: string;
  /** Vertex number `#N` of --progress=plain; null for tty (it prints none). */
  vertex: number | null;
  /** Target platform (`linux/arm64`); null when the build was single-platform. */
  platform: string | null;
  /** Stage name (`build1`, `stage-1`); null for a single unnamed stage. */
  stage: string | null;
  /** `4/5`: this command's number / commands in the stage. */
  index: string;
  /** Instruction text as printed (`ADD src ./`); may be cut at terminal width in tty logs. */
  instruction: string;
  /** The tty line looked cut at terminal width (the instruction may be incomplete). */
  instructionCut: boolean;
  /** The stage's `FROM <image>` (command 1/n; `FROM scratch` / `FROM <stage>` print no FROM step). */
  from: boolean;
  /** Counted in per-platform cached/total (every step except `FROM`). */
  counted: boolean;
  /** buildx marked it CACHED at least once. */
  cached: boolean;
  /** It pulled/extracted layers: a cache hit buildx shows as work, not as CACHED. */
  extracted: boolean;
  done: boolean;
  canceled: boolean;
  /** The vertex error text; `''` when tty printed ERROR without a message. */
  error: string | null;
  firstLine: number;
  lastLine: number;
}

export interface CacheImportInfo {
  status: CacheImportStatus;
  /** The `--cache-from` ref as printed; tty may cut it (see refCut). */
  ref: string | null;
  refCut: boolean;
  /** Importer error text (plain logs only: tty prints `ERROR` without the message). */
  message: string | null;
  /** All import attempts (one per `--cache-from`), at most a few. */
  attempts: CacheImportAttempt[];
  lines: LogLine[];
}

export interface CacheImportAttempt {
  status: Exclude<CacheImportStatus, 'not-requested'>;
  ref: string;
  refCut: boolean;
  message: string | null;
  firstLine: number;
}

export interface CacheExportInfo {
  exported: boolean;
  /** An `exporting cache` vertex appeared at all. */
  attempted: boolean;
  /** Digest from `writing cache manifest sha256:...` (index form) or `writing cache image manifest sha256:...`. buildx never prints the --cache-to ref itself. */
  manifestDigest: string | null;
  error: string | null;
  lines: LogLine[];
}

export interface PushedManifest {
  ref: string;
  digest: string;
}

export interface PushInfo {
  /** `exporting manifest list sha256:...` (the image index of a multi-platform build). */
  manifestList: string | null;
  /** `exporting manifest sha256:...` (one per platform; attestation manifests excluded). */
  manifests: string[];
  /** `pushing manifest for <ref>@sha256:...`. */
  pushed: PushedManifest[];
}

export interface BuildErrorSummary {
  /** Text after `ERROR: ` of the final error line, e.g. `failed to solve: process ... exit code: 127`. */
  message: string;
  exitCode: number | null;
  /** The failing command, e.g. `/bin/sh -c npm install`. */
  command: string | null;
  /** Title of the failing step, e.g. `[linux/amd64 build1 5/5] RUN npm install`. */
  step: string | null;
  dockerfile: { file: string; line: number } | null;
  /** The Dockerfile excerpt buildx prints; the `>>>` line is highlighted. */
  excerpt: LogLine[];
  /** What a report shows: step output box, location, excerpt, ERROR line (bounded). */
  lines: LogLine[];
}

export interface BuildProgress {
  /** tty header `[+] Building 55.2s (28/28) FINISHED`: the last one seen. */
  seconds: number;
  completed: number;
  total: number;
  finished: boolean;
}

export interface BuildLogAnalysis {
  format: BuildLogFormat;
  lineCount: number;
  /** `#0 building with "default" instance using docker driver` or the tty header's `docker:default`. */
  builder: { name: string; driver: string } | null;
  /** tty only. */
  progress: BuildProgress | null;
  /** Dockerfile steps (including FROM), sorted by platform, stage, index. */
  steps: BuildStep[];
  /** More distinct steps than the parser keeps (a garbage or concatenated log). */
  stepsTruncated: boolean;
  /** Per platform, sorted by name: counted steps and how many were CACHED. */
  platforms: PlatformSteps[];
  totals: { cached: number; total: number };
  cacheImport: CacheImportInfo;
  cacheExport: CacheExportInfo;
  push: PushInfo;
  /** Set when the build failed (a top-level `ERROR:` line). */
  error: BuildErrorSummary | null;
  /** Highlighted evidence (CACHED, importing cache manifest), sorted by line, bounded. */
  evidence: LogLine[];
}
