/**
 * The reproduction part of grading: the student's own build command run twice in empty builders
 * against the grader's registry7, then the checks on what it did, then the bonus on the student's
 * deletion answer. Without a student command only the lab's reference command runs, for context.
 */
import { gradeBonus } from '../bonus/grade-bonus.ts';
import { reportAnswer, studentRepository } from '../bonus/report-answer.ts';
import { builderCheck, type BuilderCheckInput } from '../checks/builder-check.ts';
import { buildFirstCheck, cacheHitCheck, cacheImportedCheck, notRunCheck, type BuildFacts } from '../checks/build-checks.ts';
import { cacheCheck } from '../checks/cache-check.ts';
import {
  cacheExportProblem, commandModeCheck, noCacheImportCheck, noCommandCheck, notPushedCheck, referenceBuildCheck, studentCommandEvidence, unusableCommandCheck,
} from '../checks/command-checks.ts';
import { platformCheck } from '../checks/platform-check.ts';
import { buildArgv } from '../docker/build-runner.ts';
import type { Isolation } from '../docker/isolation.ts';
import { InterruptedError } from '../errors.ts';
import { readCache, readImage } from '../inspect/read-published.ts';
import type { RegistryClient } from '../registry/client.ts';
import type { Registry7 } from '../registry/registry7.ts';
import type { CheckId, CheckResult, GradeResult } from '../results/types.ts';
import { thresholdOf, type Rubric } from '../rubric/load-rubric.ts';
import type { Submission } from '../submission/load-submission.ts';
import type { PreparedInput } from './prepare-build.ts';
import type { ReportDeletionInput } from './report-evidence.ts';
import { REQUIRED_PLATFORMS } from './published-checks.ts';
import { buildRecord, reproduceBuild } from './reproduce-build.ts';
import { studentBuildArgv, type MappedRef } from './student-build.ts';

export const BONUS_CHECK: CheckId = 'bonus.registry7.delete';
/** Checks that need the student's reproduced build, in report order. */
export const REPRODUCTION_CHECKS: CheckId[] = ['build.first', 'build.index', 'cache.exported', 'cache.imported', 'cache.hit', BONUS_CHECK];

/** The rubric decides what is graded: without the deletion check in it, the deletion test is not run. */
export function gradesBonus(rubric: Rubric): boolean {
  return rubric.checks.some((c) => c.id === BONUS_CHECK);
}

/** The reproduction's checks this rubric grades. */
export function reproductionChecks(rubric: Rubric): CheckId[] {
  return REPRODUCTION_CHECKS.filter((id) => id !== BONUS_CHECK || gradesBonus(rubric));
}

export interface ReproductionContext {
  sub: Submission;
  input: PreparedInput;
  rubric: Rubric;
  client: RegistryClient;
  registry7: Registry7;
  isolation: Isolation;
  /** registry7 as the builder reaches it (registry7:5000 on the run network). */
  builderHost: string;
  outDir: string;
  tmpDir: string;
  stageCount: number;
  timeoutMs: number;
  signal: AbortSignal;
  builds: GradeResult['builds'];
  /** The report's deletion commands, the bonus answer when there is no deleteScript. */
  reportDeletion: ReportDeletionInput;
  progress: (message: string) => void;
}

export interface ReproductionOutcome {
  checks: CheckResult[];
  /** The refs in registry7 the student's command pushed to, when it ran. */
  reproduced?: { image: string; cache: string };
}

/** Checks that need a student command, when there is none or it cannot run, and the rest not run. */
export function withoutStudentBuild(input: PreparedInput, rubric: Rubric): CheckResult[] {
  const b = input.build;
  if (b.kind === 'no-command') return reproductionChecks(rubric).map((id) => (id === BONUS_CHECK ? notRunCheck(id, 'brak polecenia studenta, więc nie ma odtworzonego obrazu i cache do usunięcia') : noCommandCheck(id, b.commandsGiven)));
  if (b.kind === 'unusable') return [unusableCommandCheck(b.reason), ...reproductionChecks(rubric).slice(1).map((id) => notRunCheck(id, 'polecenia studenta nie da się powtórzyć'))];
  return [];
}

export async function reproduceStudentBuild(ctx: ReproductionContext): Promise<ReproductionOutcome> {
  const build = ctx.input.build;
  if (build.kind !== 'student') return { checks: [...withoutStudentBuild(ctx.input, ctx.rubric), ...(build.kind === 'no-command' ? [await referenceBuild(ctx)] : [])] };
  const { plan } = build;
  const pushedRef = (m: MappedRef) => `${ctx.registry7.host}/${m.repository}:${m.tag}`;
  const imageTag = plan.output === 'push' ? plan.tags[0] : undefined;
  const cacheRef = plan.cacheTo.find((c) => c.type === 'registry')?.ref;
  const common = {
    isolation: ctx.isolation, platforms: plan.platforms, imageRefs: plan.tags.map((t) => `${ctx.builderHost}/${t.repository}:${t.tag}`),
    outDir: ctx.outDir, tmpDir: ctx.tmpDir, timeoutMs: ctx.timeoutMs, signal: ctx.signal,
    args: (builder: string, metadataPath: string) => studentBuildArgv(plan, {
      builder, host: ctx.builderHost, dockerfile: build.dockerfilePath, contextDir: build.contextDir, metadataPath, progress: 'rawjson',
    }),
  };
  ctx.progress(`budowanie 1/2 polecenia studenta w pustym builderze (${ctx.isolation.kind})`);
  const first = await reproduceBuild({ n: 1, logFile: 'logs/build-1.log', ...common });
  ctx.builds.push(buildRecord(1, first));
  if (first.verdict.kind === 'cancelled') throw new InterruptedError('Ocenę przerwano.');
  const firstCheck = buildFirstCheck(first);
  firstCheck.evidence.unshift(...studentCommandEvidence(plan, first.outcome.argv));
  const checks: CheckResult[] = [firstCheck];
  const ids = reproductionChecks(ctx.rubric);
  if (first.verdict.kind !== 'ok') {
    const why = first.verdict.kind === 'infra' ? 'budowanie 1 przerwała awaria infrastruktury' : 'pierwsze budowanie nie powiodło się';
    for (const id of ids.slice(1)) checks.push(first.verdict.kind === 'infra' && id !== BONUS_CHECK ? { ...buildFirstCheck(first), id } : notRunCheck(id, why));
    return { checks };
  }
  const image = imageTag ? await readImage(ctx.client, pushedRef(imageTag)) : undefined;
  checks.push(image ? platformCheck('build.index', image, REQUIRED_PLATFORMS) : notPushedCheck(plan, first));
  const exportProblem = cacheExportProblem(plan);
  const exported = exportProblem ?? commandModeCheck(plan, cacheCheck('cache.exported', {
    cache: await readCache(ctx.client, pushedRef(cacheRef!)),
    image: image?.ok ? image.facts : undefined,
    stageCount: ctx.stageCount,
  }).check);
  checks.push(exported);

  ctx.progress('budowanie 2/2 tego samego polecenia w kolejnym pustym builderze');
  const second: BuildFacts = await reproduceBuild({ n: 2, logFile: 'logs/build-2.log', ...common });
  ctx.builds.push(buildRecord(2, second));
  if (second.verdict.kind === 'cancelled') throw new InterruptedError('Ocenę przerwano.');
  const importRef = plan.cacheFrom[0]?.ref;
  checks.push(importRef ? cacheImportedCheck(second, pushedRef(importRef)) : noCacheImportCheck(second));
  checks.push(cacheHitCheck(second, REQUIRED_PLATFORMS, thresholdOf(ctx.rubric, 'cache.hit.minRatio', 0.8)));

  const reproduced = imageTag && cacheRef ? { image: pushedRef(imageTag), cache: pushedRef(cacheRef) } : undefined;
  if (!gradesBonus(ctx.rubric)) return { checks, ...(reproduced ? { reproduced } : {}) };
  if (exported.status !== 'pass' || !reproduced) {
    checks.push(notRunCheck(BONUS_CHECK, 'w registry7 nie ma obrazu cache z polecenia studenta do usunięcia'));
    return { checks, ...(reproduced ? { reproduced } : {}) };
  }
  const answer = ctx.sub.bonus ? undefined : reportAnswer({
    commands: ctx.reportDeletion.commands,
    repositories: [...plan.tags, ...plan.cacheTo.flatMap((c) => (c.ref ? [c.ref] : [])), ...plan.cacheFrom.map((c) => c.ref)]
      .flatMap((m) => {
        const student = studentRepository(m.student);
        return student ? [{ student, copy: m.repository }] : [];
      }),
    cache: { repository: cacheRef!.repository, tag: cacheRef!.tag },
    exportedCacheDigests: ctx.reportDeletion.exportedCacheDigests,
  });
  ctx.progress(ctx.sub.bonus
    ? 'zadanie dodatkowe: skrypt studenta usuwa obraz cache z kopii registry7'
    : answer?.kind === 'script' ? 'zadanie dodatkowe: polecenia ze sprawozdania usuwają obraz cache z kopii registry7' : 'zadanie dodatkowe: wzorcowe usuwanie obrazu cache (bez odpowiedzi studenta)');
  checks.push(await gradeBonus({
    client: ctx.client,
    registry7: ctx.registry7,
    imageRef: reproduced.image,
    cacheRef: reproduced.cache,
    submissionDir: ctx.sub.dir,
    ...(ctx.sub.bonus ? { deleteScript: ctx.sub.bonus.deleteScript } : {}),
    ...(answer ? { reportAnswer: answer } : {}),
    commands: [...ctx.input.commands, ...ctx.reportDeletion.commands],
    signal: ctx.signal,
  }));
  return { checks, reproduced };
}

/** The lab's own command on the student's Dockerfile (submission.json `build`), for context only. */
async function referenceBuild(ctx: ReproductionContext): Promise<CheckResult> {
  const repo = `${ctx.sub.student.id}/reference`;
  const b = ctx.sub.build;
  ctx.progress('budowanie wzorcowe (polecenie z laboratorium, bez punktów)');
  const facts = await reproduceBuild({
    n: 1,
    logFile: 'logs/reference-build.log',
    isolation: ctx.isolation,
    platforms: b.platforms,
    imageRefs: [`${ctx.builderHost}/${repo}:multiarch`],
    outDir: ctx.outDir, tmpDir: ctx.tmpDir, timeoutMs: ctx.timeoutMs, signal: ctx.signal,
    args: (builder, metadataPath) => buildArgv({
      builder, contextDir: b.contextDir, dockerfile: b.dockerfilePath, buildArgs: b.args, platforms: b.platforms,
      imageRef: `${ctx.builderHost}/${repo}:multiarch`, cacheRef: `${ctx.builderHost}/${repo}:buildcache`, metadataPath,
    }),
  });
  if (facts.verdict.kind === 'cancelled') throw new InterruptedError('Ocenę przerwano.');
  return referenceBuildCheck(facts);
}

/** builder.container, from the student's commands and the build that was chosen. */
export function studentBuilderCheck(input: PreparedInput, driverLines: BuilderCheckInput['driverLines'] = []): CheckResult {
  const b = input.build;
  const build = b.kind === 'student' ? input.commands.find((c) => c.source === b.plan.source) : undefined;
  return builderCheck({ commands: input.commands, driverLines, ...(build ? { build } : {}) });
}
