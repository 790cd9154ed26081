/**
 * One reproduced build: a fresh isolated builder, the given command, BuildKit's structured
 * progress (rawjson, see build-log/rawjson.ts), the verdict. The log file is its plain-text
 * rendering, for the report; nothing is read back from it.
 */
import path from 'node:path';
import type { BuildFacts } from '../checks/build-checks.ts';
import { classifyBuild, type BuildVerdict } from '../checks/build-failure.ts';
import { UNLABELLED_PLATFORM, type BuildLogAnalysis } from '../build-log/parse.ts';
import { runBuild, type BuildRun } from '../docker/build-runner.ts';
import type { Isolation } from '../docker/isolation.ts';
import type { BuildRecord } from '../results/types.ts';

export interface ReproduceOptions {
  n: 1 | 2;
  /** The log file relative to outDir, e.g. logs/build-1.log. */
  logFile: string;
  /** The command after `docker`, for the builder the isolation prepared and the metadata file. */
  args: (builder: string, metadataPath: string) => string[];
  /** Platforms the command builds ([] = the builder's own). */
  platforms: readonly string[];
  isolation: Isolation;
  /** Refs the build pushes, as the builder names them. */
  imageRefs: string[];
  outDir: string;
  tmpDir: string;
  timeoutMs: number;
  signal: AbortSignal;
}

export async function reproduceBuild(o: ReproduceOptions): Promise<BuildFacts> {
  const logPath = path.join(o.outDir, o.logFile);
  const metadataPath = path.join(o.tmpDir, `metadata-${path.basename(o.logFile, '.log')}.json`);
  // An empty builder per build: any CACHED step of build 2 can only come from the registry.
  const builder = await o.isolation.prepare({ imageRefs: o.imageRefs });
  try {
    const outcome = await runBuild({
      args: o.args(builder.builderName, metadataPath),
      metadataPath,
      logPath,
      timeoutMs: o.timeoutMs,
      signal: o.signal,
    });
    const analysis = labelSinglePlatform(outcome.progress.analysis, o.platforms);
    return { outcome, analysis, verdict: verdictOf(outcome, analysis), logFile: o.logFile };
  } finally {
    await builder.dispose();
  }
}

/**
 * A client that ran but printed no rawjson status at all is older than buildx 0.12 (the first
 * with `--progress=rawjson`) or broken; its exit code and text prove nothing about the
 * Dockerfile, and its plain text is exactly what a RUN step can forge.
 */
export function verdictOf(outcome: BuildRun, analysis: BuildLogAnalysis): BuildVerdict {
  const ran = !outcome.cancelled && !outcome.timedOut && !outcome.spawnError && !outcome.logOverflow;
  if (ran && outcome.progress.stats.jsonLines === 0) {
    return {
      kind: 'infra',
      reason: `klient docker buildx nie wypisał postępu w formacie rawjson (kod wyjścia ${outcome.exitCode ?? 'brak'}); grader wymaga buildx w wersji co najmniej 0.12`,
    };
  }
  return classifyBuild(outcome, analysis);
}

/**
 * buildx prints no platform in the step titles of a single-platform build (`[build1 2/4]`), so
 * the parser files them under `default`; they belong to the one platform that was built.
 */
export function labelSinglePlatform(analysis: BuildLogAnalysis, platforms: readonly string[]): BuildLogAnalysis {
  const [only] = platforms;
  if (platforms.length !== 1 || !only || analysis.platforms.some((p) => p.platform === only)) return analysis;
  return {
    ...analysis,
    steps: analysis.steps.map((s) => (s.platform === null ? { ...s, platform: only } : s)),
    platforms: analysis.platforms.map((p) => (p.platform === UNLABELLED_PLATFORM ? { ...p, platform: only } : p)),
  };
}

export function buildRecord(n: 1 | 2, b: BuildFacts): BuildRecord {
  return {
    n,
    argv: b.outcome.argv,
    exitCode: b.outcome.exitCode,
    timedOut: b.outcome.timedOut,
    durationMs: b.outcome.durationMs,
    logFile: b.logFile,
    steps: b.analysis.platforms,
    cacheImport: b.analysis.cacheImport.status,
    cacheExported: b.analysis.cacheExport.exported,
    ...(b.outcome.metadata.imageDigest ? { imageDigest: b.outcome.metadata.imageDigest } : {}),
    ...(b.analysis.error ? { errorSummary: b.analysis.error.message } : {}),
  };
}
