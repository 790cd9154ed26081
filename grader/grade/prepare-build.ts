/**
 * Decides, before anything runs, which build the grader will reproduce: the student's own
 * `docker buildx build` (planned in student-build.ts, its paths checked on disk here), or none.
 * Without a student command the lab's reference command runs, for context only.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { quote, sourceText } from '../commands/describe.ts';
import type { ParsedCommand } from '../commands/types.ts';
import { contextTooLargeMessage, measureBuildContext } from '../submission/context-size.ts';
import type { Submission } from '../submission/load-submission.ts';
import { isInside } from '../util/inside.ts';
import { planStudentBuild, type StudentBuildPlan } from './student-build.ts';

export type PreparedBuild =
  | {
    kind: 'student';
    plan: StudentBuildPlan;
    dockerfilePath: string;
    contextDir: string;
    dockerfileText: string;
    /** The Dockerfile as the report names it, relative to the submission. */
    dockerfile: string;
  }
  /** No `docker buildx build` among the student's commands (or no commands at all). */
  | { kind: 'no-command'; commandsGiven: boolean }
  /** The student's command cannot be run from the submission: the student's failure, with the reason. */
  | { kind: 'unusable'; reason: string };

export interface PreparedInput {
  commands: ParsedCommand[];
  build: PreparedBuild;
}

export async function prepareBuild(sub: Submission): Promise<PreparedInput> {
  const given = sub.build.commands;
  const commands = given?.parsed ?? [];
  const planned = planStudentBuild(commands, sub.student.id);
  if (!planned.ok) {
    if (planned.kind === 'no-command') return { commands, build: { kind: 'no-command', commandsGiven: commands.length > 0 } };
    return { commands, build: { kind: 'unusable', reason: `Polecenia budowania (${sourceText(planned.source)}) nie da się powtórzyć: ${planned.reason}.` } };
  }
  const plan = planned.plan;
  // Paths in a script are relative to the folder it would run in; inline commands run in the submission.
  const base = given?.from === 'script' ? path.dirname(given.scriptPath) : sub.dir;
  const contextDir = await inside(sub.dir, path.resolve(base, plan.context), 'directory');
  if (typeof contextDir !== 'string') return { commands, build: { kind: 'unusable', reason: `Kontekst budowania ${quote(plan.context)} z polecenia (${sourceText(plan.source)}) ${contextDir.why}.` } };
  const dockerfileAbs = plan.file !== undefined ? path.resolve(base, plan.file) : path.join(contextDir, 'Dockerfile');
  const dockerfilePath = await inside(sub.dir, dockerfileAbs, 'file');
  if (typeof dockerfilePath !== 'string') {
    return { commands, build: { kind: 'unusable', reason: `Plik Dockerfile ${quote(plan.file ?? path.relative(sub.dir, dockerfileAbs))} z polecenia (${sourceText(plan.source)}) ${dockerfilePath.why}.` } };
  }
  // Before any builder starts: a context of gigabytes or millions of files is the student's failure.
  const size = measureBuildContext({ root: sub.dir, contextDir, dockerfile: dockerfileAbs });
  if (size.overLimit !== undefined) {
    return { commands, build: { kind: 'unusable', reason: contextTooLargeMessage(`${quote(plan.context)} z polecenia (${sourceText(plan.source)})`, size.overLimit, size.ignoredBy) } };
  }
  return {
    commands,
    build: {
      kind: 'student',
      plan,
      contextDir,
      dockerfilePath,
      dockerfileText: await readFile(dockerfilePath, 'utf8'),
      dockerfile: relativeToSubmission(sub, dockerfilePath),
    },
  };
}

/** The Dockerfile the grader builds, as the report names it: the student's command's, else submission.json's. */
export function gradedDockerfile(sub: Submission, input: PreparedInput): string {
  return input.build.kind === 'student' ? input.build.dockerfile : relativeToSubmission(sub, sub.build.dockerfilePath);
}

function relativeToSubmission(sub: Submission, p: string): string {
  return path.relative(sub.dir, p).split(path.sep).join('/');
}

/** The real path when it exists, has the kind and stays inside the submission; else why not (Polish). */
async function inside(root: string, p: string, kind: 'file' | 'directory'): Promise<string | { why: string }> {
  const real = await realpath(p).catch(() => undefined);
  if (real === undefined) return { why: 'nie istnieje w oddanej pracy' };
  if (!isInside(root, real)) return { why: 'leży poza oddaną pracą' };
  const s = await stat(real);
  if (kind === 'file' ? !s.isFile() : !s.isDirectory()) return { why: kind === 'file' ? 'nie jest plikiem' : 'nie jest katalogiem' };
  return real;
}
