/**
 * `grader check --quick`: only what the student published (image index, cache image), scored
 * like a full grade with the reproduction checks left out. No Docker engine needed.
 */
import { notRunCheck } from '../checks/build-checks.ts';
import { cacheCheck } from '../checks/cache-check.ts';
import { platformCheck } from '../checks/platform-check.ts';
import { readCache, readImage } from '../inspect/read-published.ts';
import type { RegistryClient } from '../registry/client.ts';
import { countStages } from '../registry/manifest-analysis.ts';
import type { CheckResult, GradeResult } from '../results/types.ts';
import type { Rubric } from '../rubric/load-rubric.ts';
import { formatNumber, score } from '../rubric/score.ts';
import { DEFAULT_PLATFORMS, type Submission } from '../submission/load-submission.ts';
import { toolVersion } from '../version.ts';

export const QUICK_SKIP = 'pominięte (--quick): budowania nie były odtwarzane';

export async function quickCheck(sub: Submission, rubric: Rubric, client: RegistryClient, dockerfileText: string): Promise<GradeResult> {
  const { image, cache } = sub.published ?? {};
  const imageRead = image ? await readImage(client, image) : undefined;
  const checks: CheckResult[] = [
    imageRead ? platformCheck('image.multiplatform', imageRead, DEFAULT_PLATFORMS) : notRunCheck('image.multiplatform', 'submission.json nie podaje opublikowanego obrazu (published.image)'),
    cache
      ? cacheCheck('cache.published', { cache: await readCache(client, cache), image: imageRead?.ok ? imageRead.facts : undefined, stageCount: countStages(dockerfileText) }).check
      : notRunCheck('cache.published', 'submission.json nie podaje opublikowanego obrazu cache (published.cache)'),
  ];
  for (const rule of rubric.checks) if (!checks.some((c) => c.id === rule.id)) checks.push({ id: rule.id, status: 'skip', message: QUICK_SKIP, evidence: [] });
  const scored = score(checks, rubric);
  const checkedMax = scored.checks.filter((c) => c.status !== 'skip').reduce((a, c) => a + (c.maxPoints ?? 0), 0);
  // The full grade line would call the skipped build checks failures: say what was checked instead.
  const grade = `Tryb szybki: ${formatNumber(scored.score.points)} z ${formatNumber(checkedMax)} pkt możliwych bez budowania ` +
    `(pełna skala: ${formatNumber(scored.score.max)} pkt, zadanie dodatkowe: ${formatNumber(scored.score.bonusMax)} pkt)`;
  return {
    schemaVersion: 1,
    tool: { name: 'buildx-grader', version: toolVersion() },
    gradedAt: new Date().toISOString(),
    rubric: { id: rubric.id, title: rubric.title },
    student: sub.student,
    submission: {
      ...(image ? { image } : {}),
      ...(cache ? { cache } : {}),
      dockerfile: sub.build.dockerfile,
      context: sub.build.context,
      platforms: sub.build.platforms,
    },
    environment: { versions: { 'buildx-grader': toolVersion() } },
    builds: [],
    checks: scored.checks,
    score: { ...scored.score, grade },
    needsRegrade: scored.needsRegrade,
  };
}
