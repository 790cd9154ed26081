/** The report's requirements as rubric checks (issue 12 point 4), in rubric order. Pure. */
import type { CheckId, CheckResult, Evidence } from '../../results/types.ts';
import { reportBonusCheck } from './bonus.ts';
import { reportBuilderCheck } from './builder.ts';
import { reportBuildsCheck } from './builds.ts';
import { reportCacheToCheck } from './cache-to.ts';
import { reportCacheCheck } from './cache.ts';
import type { ReportEvidence } from './common.ts';
import { reportManifestCheck } from './manifest.ts';
import { reportPlatformsCheck } from './platforms.ts';
import { reportRegistry7Check } from './registry7.ts';

export type { ReportEvidence, ScreenshotReading } from './common.ts';

const REPORT_CHECKS: Partial<Record<CheckId, (e: ReportEvidence) => CheckResult>> = {
  'report.twoBuilds': reportBuildsCheck,
  'report.platforms': reportPlatformsCheck,
  'report.manifest': reportManifestCheck,
  'report.cacheEvidence': reportCacheCheck,
  'report.builder': reportBuilderCheck,
  'report.registry7': reportRegistry7Check,
  'report.cacheTo': reportCacheToCheck,
  'report.bonus': reportBonusCheck,
};

export const isReportCheck = (id: CheckId): boolean => id in REPORT_CHECKS;
export const REPORT_CHECK_IDS = Object.keys(REPORT_CHECKS) as CheckId[];

/** The checks of `ids` that read the report. */
export function reportChecks(e: ReportEvidence, ids: readonly CheckId[]): CheckResult[] {
  // A report file that could not be read is named under every report check: its content may be what is missing.
  const unreadable: Evidence[] = e.unreadable.length
    ? [{ kind: 'table', title: 'Pliki sprawozdania, których nie odczytano', columns: ['Plik', 'Powód'], rows: e.unreadable.map((u) => [u.file, u.reason]) }]
    : [];
  return ids.flatMap((id) => {
    const check = REPORT_CHECKS[id];
    if (!check) return [];
    const result = check(e);
    return [{ ...result, evidence: [...result.evidence, ...unreadable] }];
  });
}
