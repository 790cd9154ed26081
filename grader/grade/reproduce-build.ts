/** One reproduced build: a fresh isolated builder, the lab's command, the parsed log, the verdict. */
import path from 'node:path';
import type { BuildFacts } from '../checks/build-checks.ts';
import { classifyBuild } from '../checks/build-failure.ts';
import { parseBuildLogFile, UNLABELLED_PLATFORM, type BuildLogAnalysis } from '../docker/build-log.ts';
import { runBuild } from '../docker/build-runner.ts';
import type { Isolation } from '../docker/isolation.ts';
import type { BuildRecord } from '../results/types.ts';
import type { Submission } from '../submission/load-submission.ts';

export interface ReproduceOptions {
  n: 1 | 2;
  submission: Submission;
  isolation: Isolation;
  imageRef: string;
  cacheRef: string;
  outDir: string;
  tmpDir: string;
  timeoutMs: number;
  signal: AbortSignal;
}

export async function reproduceBuild(o: ReproduceOptions): Promise<BuildFacts> {
  const logFile = `logs/build-${o.n}.log`;
  const logPath = path.join(o.outDir, logFile);
  // An empty builder per build: any CACHED step of build 2 can only come from the registry.
  const builder = await o.isolation.prepare({ imageRefs: [o.imageRef] });
  try {
    const outcome = await runBuild({
      builder: builder.builderName,
      contextDir: o.submission.build.contextDir,
      dockerfile: o.submission.build.dockerfilePath,
      buildArgs: o.submission.build.args,
      platforms: o.submission.build.platforms,
      imageRef: o.imageRef,
      cacheRef: o.cacheRef,
      metadataPath: path.join(o.tmpDir, `metadata-${o.n}.json`),
      logPath,
      timeoutMs: o.timeoutMs,
      signal: o.signal,
    });
    const analysis = labelSinglePlatform(await parseBuildLogFile(logPath), o.submission.build.platforms);
    return { outcome, analysis, verdict: classifyBuild(outcome, analysis), logFile };
  } finally {
    await builder.dispose();
  }
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
