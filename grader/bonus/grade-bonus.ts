/**
 * The bonus end to end, for the grade command: the student's answer first (their script, else the
 * deletion commands of their report; the sandbox copies registry7 while the cache is still there),
 * then the grader's own deletion in registry7 as the model answer (no points), then the check
 * `bonus.registry7.delete`, scored on the student's answer alone.
 */
import { buildRegistry7DeleteCheck } from '../checks/bonus-registry7-delete.ts';
import { readFile } from 'node:fs/promises';
import { sourceText } from '../commands/describe.ts';
import { parseShellText } from '../commands/parse.ts';
import type { ParsedCommand } from '../commands/types.ts';
import type { Registry7 } from '../registry/registry7.ts';
import type { ImageRef } from '../registry/reference.ts';
import type { CheckResult } from '../results/types.ts';
import { runDeleteFlow } from './delete-flow.ts';
import { summarizeGcOutput } from './gc-summary.ts';
import type { BonusClient, GcCapableRegistry } from './ports.ts';
import { registryDeleteSetting } from './registry7-setup.ts';
import { resolveScript, runStudentScript } from './sandbox.ts';
import type { ReportAnswer } from './report-answer.ts';
import type { ScriptOutcome } from './types.ts';

/** The grader's registry7 handle as the deletion flow sees it. */
export function gcCapable(r7: Registry7): GcCapableRegistry {
  return {
    storageBytes: () => r7.storageBytes(),
    async garbageCollect({ deleteUntagged }) {
      const gc = await r7.garbageCollect({ deleteUntagged });
      return { exitCode: gc.exitCode, durationMs: gc.durationMs, argv: gc.argv, summary: summarizeGcOutput(gc.output) };
    },
  };
}

export interface GradeBonusOptions {
  client: BonusClient;
  registry7: Registry7;
  /** The refs the grader pushed to in registry7 (GradeResult.reproduced). */
  imageRef: ImageRef | string;
  cacheRef: ImageRef | string;
  /** Submission folder and its `bonus.deleteScript`, when named. */
  submissionDir?: string;
  deleteScript?: string;
  /** The student's commands (build commands, then the report's): how they started registry7 decides whether the copy allows deleting. */
  commands: readonly ParsedCommand[];
  /** The deletion answer written in the report, used when there is no deleteScript. */
  reportAnswer?: ReportAnswer;
  /** Sandbox image (else $GRADER_SANDBOX_IMAGE, else buildx-grader/sandbox:1). */
  sandboxImage?: string;
  scriptTimeLimitMs?: number;
  signal?: AbortSignal;
}

/** The commands of the student's deletion script (comments are not commands); none when it cannot be read. */
async function scriptCommands(submissionDir: string, script: string): Promise<ParsedCommand[]> {
  const resolved = await resolveScript(submissionDir, script);
  if ('problem' in resolved) return [];
  return parseShellText(await readFile(resolved.path, 'utf8'), { file: script, style: 'script' });
}

export async function gradeBonus(o: GradeBonusOptions): Promise<CheckResult> {
  // Deleting in a registry the grader does not own would destroy someone's data.
  if (!o.registry7.managed || !o.registry7.containerName) {
    return {
      id: 'bonus.registry7.delete',
      status: 'skip',
      message: 'Test usuwania wymaga registry7 uruchomionego przez grader; w istniejącym rejestrze nic nie jest usuwane (samodzielne sprawdzenie: --registry7 HOST:PORT).',
      evidence: [],
    };
  }
  let script: ScriptOutcome | undefined;
  const fromReport = !o.deleteScript && o.reportAnswer?.kind === 'script' ? o.reportAnswer : undefined;
  if ((o.deleteScript || fromReport) && o.submissionDir) {
    const gc = [...o.commands, ...(o.deleteScript ? await scriptCommands(o.submissionDir, o.deleteScript) : [])].find((c) => c.argv.includes('garbage-collect'));
    script = await runStudentScript({
      gcBy: gc ? sourceText(gc.source) : null,
      client: o.client,
      submissionDir: o.submissionDir,
      script: fromReport ? fromReport.label : o.deleteScript!,
      ...(fromReport ? { fromReport: { text: fromReport.text, notes: fromReport.notes } } : {}),
      imageRef: o.imageRef,
      cacheRef: o.cacheRef,
      source: { container: o.registry7.containerName },
      registryDelete: registryDeleteSetting(o.commands),
      ...(o.sandboxImage ? { sandboxImage: o.sandboxImage } : {}),
      ...(o.scriptTimeLimitMs ? { timeLimitMs: o.scriptTimeLimitMs } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
  }
  const flow = await runDeleteFlow({ client: o.client, registry7: gcCapable(o.registry7), imageRef: o.imageRef, cacheRef: o.cacheRef, ...(o.signal ? { signal: o.signal } : {}) });
  const unreplayable = !o.deleteScript && o.reportAnswer?.kind === 'unreplayable' ? o.reportAnswer : undefined;
  return buildRegistry7DeleteCheck({ reference: flow, ...(script ? { script } : {}), ...(unreplayable ? { unreplayable } : {}) });
}
