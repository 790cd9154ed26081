/**
 * `grader check --quick`: only what the student published (image index, cache image) and what
 * their commands say (builder) and their report shows, scored like a full grade with the
 * reproduction checks left out.
 * No Docker engine needed.
 */
import { gradedDockerfile, prepareBuild } from '../grade/prepare-build.ts';
import { publishedChecks } from '../grade/published-checks.ts';
import { consistencyOf, gradeReport } from '../grade/report-evidence.ts';
import { studentBuilderCheck } from '../grade/reproduction.ts';
import type { RegistryClient } from '../registry/client.ts';
import { countStages } from '../registry/manifest-analysis.ts';
import type { GradeResult } from '../results/types.ts';
import type { Rubric } from '../rubric/load-rubric.ts';
import { formatNumber, score } from '../rubric/score.ts';
import { summarizeSubmission, type Submission } from '../submission/load-submission.ts';
import { toolVersion } from '../version.ts';
import { redactDeep } from '../util/redact.ts';

export const QUICK_SKIP = 'pominięte (--quick): budowania nie były odtwarzane';

export async function quickCheck(sub: Submission, rubric: Rubric, client: RegistryClient, dockerfileText: string): Promise<GradeResult> {
  const report = await gradeReport(sub, rubric, { fetchImages: false });
  const published = await publishedChecks(client, sub, countStages(dockerfileText));
  const input = await prepareBuild(sub);
  const consistency = consistencyOf(report.facts, {
    commands: input.commands, reportFiles: report.files, published: published.digests,
    dockerfile: { file: gradedDockerfile(sub, input), text: input.build.kind === 'student' ? input.build.dockerfileText : dockerfileText },
  });
  const checks = [...published.checks, studentBuilderCheck(input, report.driverLines), ...report.checks, ...(consistency ? [consistency] : [])];
  for (const rule of rubric.checks) if (!checks.some((c) => c.id === rule.id)) checks.push({ id: rule.id, status: 'skip', message: QUICK_SKIP, evidence: [] });
  const scored = score(checks, rubric);
  const checkedMax = scored.checks.filter((c) => c.status !== 'skip').reduce((a, c) => a + (c.maxPoints ?? 0), 0);
  // The full grade line would call the skipped build checks failures: say what was checked instead.
  const grade = `Tryb szybki: ${formatNumber(scored.score.points)} z ${formatNumber(checkedMax)} pkt możliwych bez budowania ` +
    `(pełna skala: ${formatNumber(scored.score.max)} pkt, zadanie dodatkowe: ${formatNumber(scored.score.bonusMax)} pkt)`;
  return redactDeep({
    schemaVersion: 1,
    tool: { name: 'buildx-grader', version: toolVersion() },
    gradedAt: new Date().toISOString(),
    rubric: { id: rubric.id, title: rubric.title },
    student: sub.student,
    submission: { ...summarizeSubmission(sub), ...(report.files.length ? { report: report.files } : {}) },
    environment: { versions: { 'buildx-grader': toolVersion() } },
    builds: [],
    checks: scored.checks,
    score: { ...scored.score, grade },
    needsRegrade: scored.needsRegrade,
  });
}
