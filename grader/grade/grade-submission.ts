/**
 * Grades one submission: what the student published, two reproduced builds in isolated
 * builders against the grader's registry7, the bonus deletion test, and the score.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { gradeBonus } from '../bonus/grade-bonus.ts';
import { buildFirstCheck, cacheHitCheck, cacheImportedCheck, notRunCheck, type BuildFacts } from '../checks/build-checks.ts';
import { cacheCheck } from '../checks/cache-check.ts';
import { infraCheck } from '../checks/infra-check.ts';
import { platformCheck } from '../checks/platform-check.ts';
import { DockerCli, newRunId } from '../docker/docker.ts';
import { resolveIsolation, type Isolation, type IsolationMode } from '../docker/isolation.ts';
import { InfraError, InterruptedError } from '../errors.ts';
import { readCache, readImage } from '../inspect/read-published.ts';
import { RegistryClient } from '../registry/client.ts';
import { stagesOf } from '../registry/manifest-analysis.ts';
import { startRegistry7, useExistingRegistry, type Registry7 } from '../registry/registry7.ts';
import type { CheckId, CheckResult, GradeResult } from '../results/types.ts';
import { thresholdOf, type Rubric } from '../rubric/load-rubric.ts';
import { score } from '../rubric/score.ts';
import { summarizeSubmission, type Submission } from '../submission/load-submission.ts';
import { makeTempDir } from '../util/temp-dir.ts';
import { toolVersion } from '../version.ts';
import { buildRecord, reproduceBuild } from './reproduce-build.ts';
import { collectVersions } from './versions.ts';
import { publishedChecks, REQUIRED_PLATFORMS } from './published-checks.ts';

export interface GradeOptions {
  outDir: string;
  rubric: Rubric;
  isolation: IsolationMode;
  /** host:port of an existing registry to use instead of starting registry7. */
  registry?: string;
  insecureHosts?: string[];
  buildTimeoutMs: number;
  signal: AbortSignal;
  /** Polish progress lines for the terminal. */
  onProgress?: (message: string) => void;
  runId?: string;
}


const BONUS_CHECK: CheckId = 'bonus.registry7.delete';
const REPRODUCTION_CHECKS: CheckId[] = ['build.first', 'build.index', 'cache.exported', 'cache.imported', 'cache.hit', BONUS_CHECK];

/** The rubric decides what is graded: without the deletion check in it, the deletion test is not run. */
export function gradesBonus(rubric: Rubric): boolean {
  return rubric.checks.some((c) => c.id === BONUS_CHECK);
}

/** The reproduction's checks this rubric grades. */
function reproductionChecks(rubric: Rubric): CheckId[] {
  return REPRODUCTION_CHECKS.filter((id) => id !== BONUS_CHECK || gradesBonus(rubric));
}

export async function gradeSubmission(sub: Submission, o: GradeOptions): Promise<GradeResult> {
  const progress = o.onProgress ?? (() => {});
  const runId = o.runId ?? newRunId();
  await mkdir(path.join(o.outDir, 'logs'), { recursive: true });
  const tmpDir = await makeTempDir('', runId);
  // Cleanup must run after Ctrl-C too, so the docker wrapper used for it carries no abort signal.
  const docker = new DockerCli();
  const client = new RegistryClient({ insecureHosts: o.insecureHosts ?? [], signal: o.signal });
  const dockerfileText = await readFile(sub.build.dockerfilePath, 'utf8');
  const stages = stagesOf(dockerfileText);
  const checks: CheckResult[] = [];
  // Independent of each other: the tool versions, the published image, starting registry7, choosing the isolation.
  const versions = collectVersions(docker);
  const environment: GradeResult['environment'] = { versions: {} };
  let reproduced: GradeResult['reproduced'];
  const builds: GradeResult['builds'] = [];

  try {
    progress('sprawdzam opublikowany obraz i cache');
    const published = publishedChecks(client, sub, stages.length);
    progress(o.registry ? `używam rejestru ${o.registry}` : 'uruchamiam registry7');
    const starting = o.registry ? useExistingRegistry(o.registry) : startRegistry7({ docker, runId });
    starting.catch(() => undefined); // awaited below; a failure there becomes infra checks
    // The strategy's checks (docker info, the builder) need only registry7's address, read on prepare().
    const insecureRegistries = starting.then((r) => [r.host, ...loopbackHostsOf(stages.map((s) => s.base))]);
    insecureRegistries.catch(() => undefined);
    const isolating = resolveIsolation(o.isolation, { docker, runId, insecureRegistries, platforms: sub.build.platforms });
    isolating.catch(() => undefined);
    try {
      checks.push(...(await published));
    } catch (error) {
      await starting.then((r) => r.stop(), () => undefined);
      throw error;
    }

    let registry7: Registry7 | undefined;
    try {
      registry7 = await starting;
      environment.registry7 = registry7.host;
      const repo = `${registry7.host}/${sub.student.id}/lab7`;
      reproduced = { image: `${repo}:multiarch`, cache: `${repo}:buildcache` };
      const isolation = await isolating;
      environment.isolation = isolation.kind;
      environment.isolationReason = isolation.reason;
      checks.push(...(await reproduction(sub, o, { client, registry7, isolation, tmpDir, stageCount: stages.length, ...reproduced }, builds, progress)));
    } catch (error) {
      if (!(error instanceof InfraError) || o.signal.aborted) throw error;
      // registry7 or the builder could not be set up: nothing of the reproduction is gradable.
      for (const id of reproductionChecks(o.rubric)) if (!checks.some((c) => c.id === id)) checks.push(infraCheck(id, error, 'przygotować registry7 i buildera'));
    } finally {
      progress('sprzątam (registry7, buildery)');
      await registry7?.stop();
    }
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
  if (o.signal.aborted) throw new InterruptedError('Ocenę przerwano.');
  environment.versions = await versions;

  const scored = score(checks, o.rubric);
  return {
    schemaVersion: 1,
    tool: { name: 'buildx-grader', version: toolVersion() },
    gradedAt: new Date().toISOString(),
    rubric: { id: o.rubric.id, title: o.rubric.title },
    student: sub.student,
    submission: summarizeSubmission(sub),
    environment,
    ...(reproduced ? { reproduced } : {}),
    builds,
    checks: scored.checks,
    score: scored.score,
    needsRegrade: scored.needsRegrade,
  };
}


interface ReproductionContext {
  client: RegistryClient;
  registry7: Registry7;
  isolation: Isolation;
  tmpDir: string;
  stageCount: number;
  image: string;
  cache: string;
}

async function reproduction(
  sub: Submission,
  o: GradeOptions,
  ctx: ReproductionContext,
  builds: GradeResult['builds'],
  progress: (m: string) => void,
): Promise<CheckResult[]> {
  const common = { submission: sub, isolation: ctx.isolation, imageRef: ctx.image, cacheRef: ctx.cache, outDir: o.outDir, tmpDir: ctx.tmpDir, timeoutMs: o.buildTimeoutMs, signal: o.signal };
  progress(`budowanie 1/2 w pustym builderze (${ctx.isolation.kind}), eksport cache`);
  const first = await reproduceBuild({ n: 1, ...common });
  builds.push(buildRecord(1, first));
  if (first.verdict.kind === 'cancelled') throw new InterruptedError('Ocenę przerwano.');
  const checks: CheckResult[] = [buildFirstCheck(first)];
  if (first.verdict.kind !== 'ok') {
    const why = first.verdict.kind === 'infra' ? 'budowanie 1 przerwała awaria infrastruktury' : 'pierwsze budowanie nie powiodło się';
    for (const id of reproductionChecks(o.rubric).slice(1)) {
      checks.push(first.verdict.kind === 'infra' && id !== BONUS_CHECK ? { ...buildFirstCheck(first), id } : notRunCheck(id, why));
    }
    return checks;
  }
  const image = await readImage(ctx.client, ctx.image);
  checks.push(platformCheck('build.index', image, REQUIRED_PLATFORMS));
  const cacheVerdict = cacheCheck('cache.exported', { cache: await readCache(ctx.client, ctx.cache), image: image.ok ? image.facts : undefined, stageCount: ctx.stageCount });
  checks.push(cacheVerdict.check);

  progress('budowanie 2/2 w kolejnym pustym builderze, import cache');
  const second: BuildFacts = await reproduceBuild({ n: 2, ...common });
  builds.push(buildRecord(2, second));
  if (second.verdict.kind === 'cancelled') throw new InterruptedError('Ocenę przerwano.');
  checks.push(cacheImportedCheck(second, ctx.cache));
  checks.push(cacheHitCheck(second, REQUIRED_PLATFORMS, thresholdOf(o.rubric, 'cache.hit.minRatio', 0.8)));

  if (!gradesBonus(o.rubric)) {
    // Not in the rubric: no deletion test, no check.
  } else if (cacheVerdict.check.status === 'pass') {
    progress('zadanie dodatkowe: usuwanie obrazu cache z registry7');
    checks.push(await gradeBonus({
      client: ctx.client,
      registry7: ctx.registry7,
      imageRef: ctx.image,
      cacheRef: ctx.cache,
      submissionDir: sub.dir,
      ...(sub.bonus ? { deleteScript: sub.bonus.deleteScript } : {}),
      signal: o.signal,
    }));
  } else {
    checks.push(notRunCheck('bonus.registry7.delete', 'w registry7 nie ma obrazu cache do usunięcia'));
  }
  return checks;
}

/** Loopback registries of FROM images: BuildKit must reach them over plain HTTP too. */
function loopbackHostsOf(bases: string[]): string[] {
  const hosts = bases
    .map((b) => /^((?:localhost|127(?:\.\d{1,3}){3})(?::\d+)?)\//.exec(b)?.[1])
    .filter((h): h is string => Boolean(h));
  return [...new Set(hosts)];
}
