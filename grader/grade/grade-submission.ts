/**
 * Grades one submission: what the student published, the student's own build command reproduced
 * twice in isolated builders against the grader's registry7, the student's deletion answer, and
 * the score.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { notRunCheck, refusedBuildCheck } from '../checks/build-checks.ts';
import { sourceText } from '../commands/describe.ts';
import { infraCheck } from '../checks/infra-check.ts';
import { DockerCli, newRunId } from '../docker/docker.ts';
import { resolveIsolation, type Isolation, type IsolationMode } from '../docker/isolation.ts';
import { InfraError, InputError, InterruptedError } from '../errors.ts';
import { RegistryClient } from '../registry/client.ts';
import { stagesOf } from '../registry/manifest-analysis.ts';
import { startRegistry7, useExistingRegistry, type Registry7 } from '../registry/registry7.ts';
import type { CheckResult, GradeResult } from '../results/types.ts';
import type { Rubric } from '../rubric/load-rubric.ts';
import { score } from '../rubric/score.ts';
import { frontendProblem } from '../submission/frontend.ts';
import { summarizeSubmission, type Submission } from '../submission/load-submission.ts';
import { redactDeep } from '../util/redact.ts';
import { isInside, realPathOfNearest } from '../util/inside.ts';
import { makeTempDir } from '../util/temp-dir.ts';
import { toolVersion } from '../version.ts';
import { gradedDockerfile, prepareBuild } from './prepare-build.ts';
import { publishedChecks, type PublishedOutcome } from './published-checks.ts';
import { consistencyOf, gradeReport } from './report-evidence.ts';
import { reproduceStudentBuild, reproductionChecks, studentBuilderCheck, withoutStudentBuild } from './reproduction.ts';
import { collectVersions } from './versions.ts';

export { gradesBonus } from './reproduction.ts';

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
  /** Download the report's remote screenshots for OCR (the instructor's explicit choice). */
  fetchImages?: boolean;
}


/** Logs written during build 1 would change the context of build 2 (COPY . .) and cost a correct student cache.hit. */
export async function refuseOutputInContext(outDir: string, sub: Submission): Promise<void> {
  if (isInside(sub.build.contextDir, await realPathOfNearest(outDir))) {
    throw new InputError(`Katalog wyników ${outDir} leży w kontekście budowania ${sub.build.contextDir}: zapisane w nim pliki zmieniłyby kontekst budowania. Wskaż --out poza kontekstem.`);
  }
}

export async function gradeSubmission(sub: Submission, o: GradeOptions): Promise<GradeResult> {
  const progress = o.onProgress ?? (() => {});
  await refuseOutputInContext(o.outDir, sub);
  const runId = o.runId ?? newRunId();
  await mkdir(path.join(o.outDir, 'logs'), { recursive: true });
  const tmpDir = await makeTempDir('', runId);
  // Cleanup must run after Ctrl-C too, so the docker wrapper used for it carries no abort signal.
  const docker = new DockerCli();
  const client = new RegistryClient({ insecureHosts: o.insecureHosts ?? [], signal: o.signal });
  const input = await prepareBuild(sub);
  const prepared = input.build;
  // The reference command builds submission.json's Dockerfile; the student's command its own.
  const dockerfileText = prepared.kind === 'student' ? prepared.dockerfileText : await readFile(sub.build.dockerfilePath, 'utf8');
  const buildArgs = prepared.kind === 'student' ? Object.fromEntries(prepared.plan.buildArgs.map((a) => [a.name, a.value] as const)) : sub.build.args;
  const stages = stagesOf(dockerfileText);
  const report = await gradeReport(sub, o.rubric, { fetchImages: o.fetchImages ?? false, signal: o.signal, progress });
  const reportFiles = report.files;
  const checks: CheckResult[] = [studentBuilderCheck(input, report.driverLines), ...report.checks];
  // Independent of each other: the tool versions, the published image, starting registry7, choosing the isolation.
  const versions = collectVersions(docker);
  const environment: GradeResult['environment'] = { versions: {} };
  let reproduced: GradeResult['reproduced'];
  const builds: GradeResult['builds'] = [];

  const refused = prepared.kind === 'unusable' ? undefined : frontendProblem(dockerfileText, buildArgs);
  let publishedDigests: PublishedOutcome['digests'] = {};
  try {
    progress('sprawdzam opublikowany obraz i cache');
    const published = publishedChecks(client, sub, stages.length);
    if (refused || prepared.kind === 'unusable') {
      // Nothing of the student's runs: no registry7, no builder.
      const got = await published;
      publishedDigests = got.digests;
      checks.push(...got.checks);
      if (refused) {
        checks.push(refusedBuildCheck(refused));
        for (const id of reproductionChecks(o.rubric).slice(1)) checks.push(notRunCheck(id, 'budowanie odrzucono (niedozwolony frontend)'));
      } else {
        checks.push(...withoutStudentBuild(input, o.rubric));
      }
    } else {
      progress(o.registry ? `używam rejestru ${o.registry}` : 'uruchamiam registry7');
      const starting = o.registry ? useExistingRegistry(o.registry) : startRegistry7({ docker, runId, onProgress: progress });
      starting.catch(() => undefined); // awaited below; a failure there becomes infra checks
      // The strategy's checks (docker info, pulling BuildKit) need registry7 only on prepare().
      const platforms = prepared.kind === 'student' ? prepared.plan.platforms : sub.build.platforms;
      const isolating = resolveIsolation(o.isolation, { docker, runId, registry7: starting, platforms, signal: o.signal, onProgress: progress });
      isolating.catch(() => undefined);
      try {
        const got = await published;
        publishedDigests = got.digests;
        checks.push(...got.checks);
      } catch (error) {
        await starting.then((r) => r.stop(), () => undefined);
        throw error;
      }

      let registry7: Registry7 | undefined;
      let isolation: Isolation | undefined;
      try {
        registry7 = await starting;
        environment.registry7 = registry7.host;
        isolation = await isolating;
        environment.isolation = isolation.kind;
        environment.isolationReason = isolation.reason;
        const outcome = await reproduceStudentBuild({
          sub, input, rubric: o.rubric, client, registry7, isolation,
          // The same registry under the name the builder reaches it by (registry7:5000 on the run network).
          builderHost: await isolation.registryHost(),
          outDir: o.outDir, tmpDir, stageCount: stages.length, timeoutMs: o.buildTimeoutMs, signal: o.signal, builds, progress,
          reportDeletion: report.deletion,
        });
        checks.push(...outcome.checks);
        reproduced = outcome.reproduced;
      } catch (error) {
        if (!(error instanceof InfraError) || o.signal.aborted) throw error;
        // registry7 or the builder could not be set up: nothing of the reproduction is gradable.
        for (const id of reproductionChecks(o.rubric)) if (!checks.some((c) => c.id === id)) checks.push(infraCheck(id, error, 'przygotować registry7 i buildera'));
      } finally {
        progress('sprzątam (registry7, buildery)');
        await registry7?.stop();
        await isolation?.close();
      }
    }
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
  if (o.signal.aborted) throw new InterruptedError('Ocenę przerwano.');
  environment.versions = await versions;
  const consistency = consistencyOf(report.facts, {
    commands: input.commands, reportFiles, published: publishedDigests,
    dockerfile: { file: gradedDockerfile(sub, input), text: dockerfileText },
  });
  if (consistency) checks.push(consistency);

  const scored = score(checks, o.rubric);
  // Checks quote student text (logs, scripts' output, errors): no token or password goes on.
  return redactDeep({
    schemaVersion: 1,
    tool: { name: 'buildx-grader', version: toolVersion() },
    gradedAt: new Date().toISOString(),
    rubric: { id: o.rubric.id, title: o.rubric.title },
    student: sub.student,
    submission: {
      ...summarizeSubmission(sub),
      ...(reportFiles.length ? { report: reportFiles } : {}),
      ...(report.fingerprints.length ? { evidence: report.fingerprints } : {}),
      ...(prepared.kind === 'student'
        ? {
          dockerfile: prepared.dockerfile,
          context: path.relative(sub.dir, prepared.contextDir).split(path.sep).join('/') || '.',
          platforms: prepared.plan.platforms,
          command: { source: sourceText(prepared.plan.source), text: prepared.plan.text },
        }
        : {}),
    },
    environment,
    ...(reproduced ? { reproduced } : {}),
    builds,
    checks: scored.checks,
    score: scored.score,
    needsRegrade: scored.needsRegrade,
  });
}


