/** image.multiplatform and cache.published: what the student pushed to their own registry. */
import { notRunCheck } from '../checks/build-checks.ts';
import { cacheCheck } from '../checks/cache-check.ts';
import { platformCheck } from '../checks/platform-check.ts';
import { readCache, readImage } from '../inspect/read-published.ts';
import type { RegistryClient } from '../registry/client.ts';
import type { CheckResult } from '../results/types.ts';
import { DEFAULT_PLATFORMS, type Submission } from '../submission/load-submission.ts';

/** The lab requires both platforms, whatever the student's build asked for. */
export const REQUIRED_PLATFORMS: readonly string[] = DEFAULT_PLATFORMS;

export interface PublishedOutcome {
  checks: CheckResult[];
  /** Digests of what the student published, where the grader could read it (for report.consistency). */
  digests: { image?: string; cache?: string };
}

export async function publishedChecks(client: RegistryClient, sub: Submission, stageCount: number): Promise<PublishedOutcome> {
  const { image, cache } = sub.published ?? {};
  const imageRead = image ? await readImage(client, image) : undefined;
  const digests: PublishedOutcome['digests'] = {};
  if (imageRead?.ok && imageRead.facts.found) digests.image = imageRead.facts.digest;
  const checks: CheckResult[] = [
    imageRead
      ? platformCheck('image.multiplatform', imageRead, REQUIRED_PLATFORMS)
      : notRunCheck('image.multiplatform', 'submission.json nie podaje opublikowanego obrazu (published.image)'),
  ];
  if (cache) {
    const cacheRead = await readCache(client, cache);
    if (cacheRead.ok && cacheRead.facts.found) digests.cache = cacheRead.facts.digest;
    checks.push(cacheCheck('cache.published', { cache: cacheRead, image: imageRead?.ok ? imageRead.facts : undefined, stageCount }).check);
  } else {
    checks.push(notRunCheck('cache.published', 'submission.json nie podaje opublikowanego obrazu cache (published.cache)'));
  }
  return { checks, digests };
}
