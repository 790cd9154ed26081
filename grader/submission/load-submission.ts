/**
 * Loads `<dir>/submission.json`: schema validation (every problem at once, in Polish),
 * defaults, and path checks so nothing the student names can point outside their folder.
 */
import { lstat, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseCommandList, parseShellText, type ParsedCommand } from '../commands/index.ts';
import { InputError } from '../errors.ts';
import { isInside } from '../util/inside.ts';
import { compileSchema, plural, readJsonInput, readSchemaFile, schemaProblems } from './json-input.ts';
import type { GradeResult, Inferred } from '../results/types.ts';

export const SUBMISSION_FILE = 'submission.json';
/** A hand-written description is a few hundred bytes; anything bigger is a mistake or an attack. */
export const SUBMISSION_MAX_BYTES = 64 * 1024;
export const DEFAULT_PLATFORMS = ['linux/amd64', 'linux/arm64'] as const;
/** A build script is a few dozen lines; the grader only reads it. */
export const SCRIPT_MAX_BYTES = 64 * 1024;

/** The build commands the student gave (never executed), parsed for the checks. */
export type SubmittedCommands =
  | { from: 'inline'; parsed: ParsedCommand[] }
  /** Found in the repository's scripts and report (no submission.json); paths run from the repository root. */
  | { from: 'repository'; files: string[]; parsed: ParsedCommand[] }
  | { from: 'script'; /** As written (POSIX separators). */ script: string; scriptPath: string; parsed: ParsedCommand[] };

/** A validated submission with defaults applied and paths resolved inside the submission folder. */
export interface Submission {
  /** Real absolute path of the submission folder. */
  dir: string;
  /** Absolute path of submission.json. */
  file: string;
  student: { id: string; name: string };
  published?: { image?: string; cache?: string };
  build: {
    /** As written (POSIX separators), relative to `dir`; "." by default. */
    context: string;
    contextDir: string;
    /** As written, relative to `dir`; `<context>/Dockerfile` by default. */
    dockerfile: string;
    dockerfilePath: string;
    args: Record<string, string>;
    platforms: string[];
    /** From `build.commands` or `build.script`, when given. */
    commands?: SubmittedCommands;
  };
  bonus?: { deleteScript: string; deleteScriptPath: string };
  /** Report files (POSIX, relative to `dir`): from submission.json `report`, or found by name. */
  report?: { files: string[]; from: 'submission' | 'repository' };
  /** Set when there was no submission.json: what was worked out from the repository (discover.ts). */
  inferred?: Inferred[];
}

/** The file as the schema describes it (after validation). */
interface SubmissionFile {
  student: { id: string; name: string };
  published?: { image?: string; cache?: string };
  build?: { context?: string; dockerfile?: string; args?: Record<string, string>; platforms?: string[]; commands?: string[]; script?: string };
  bonus?: { deleteScript: string };
  report?: string[];
}

let validatorPromise: Promise<ReturnType<typeof compileSchema>> | undefined;
function validator() {
  validatorPromise ??= readSchemaFile(new URL('./submission.schema.json', import.meta.url)).then(compileSchema);
  return validatorPromise;
}

/** Reads, validates and normalises `<dir>/submission.json`; throws InputError listing every problem. */
export async function loadSubmission(dir: string): Promise<Submission> {
  let root: string;
  try {
    root = await realpath(path.resolve(dir));
    if (!(await stat(root)).isDirectory()) throw new Error('not a directory');
  } catch (error) {
    throw new InputError(`Katalog pracy ${dir} nie istnieje lub nie jest katalogiem.`, [`${dir}: brak katalogu pracy`], { cause: error });
  }
  const file = path.join(root, SUBMISSION_FILE);
  // submission.json itself may be a symlink too; never read a file outside the submission.
  const realFile = await realpath(file).catch(() => file);
  if (!isInside(root, realFile)) {
    const problem = `${SUBMISSION_FILE}: plik jest dowiązaniem symbolicznym prowadzącym poza katalog pracy`;
    throw new InputError(`Niepoprawny plik ${SUBMISSION_FILE} (${file}): prowadzi poza katalog pracy.`, [problem]);
  }
  const data = await readJsonInput(file, { label: SUBMISSION_FILE, maxBytes: SUBMISSION_MAX_BYTES });

  const validate = await validator();
  const problems = validate(data) ? [] : schemaProblems(validate.errors, SUBMISSION_FILE);
  // Path checks run even when other fields are invalid, so the student sees everything at once.
  const raw = (isObject(data) ? data : {}) as Partial<SubmissionFile>;
  const build = isObject(raw.build) ? raw.build : {};

  const context = typeof build.context === 'string' ? build.context : '.';
  const contextDir = await checkPath(root, context, '/build/context', 'directory', problems);
  // Docker's default: the Dockerfile in the context; an explicit one is relative to the submission folder (like -f).
  const dockerfile = typeof build.dockerfile === 'string' ? build.dockerfile : posixJoin(context, 'Dockerfile');
  const dockerfilePath = contextDir === undefined && build.dockerfile === undefined
    ? undefined // already reported via the context
    : await checkPath(root, dockerfile, '/build/dockerfile', 'file', problems);

  const bonusRaw = isObject(raw.bonus) ? raw.bonus : undefined;
  const deleteScriptPath = typeof bonusRaw?.deleteScript === 'string'
    ? await checkPath(root, bonusRaw.deleteScript, '/bonus/deleteScript', 'file', problems)
    : undefined;

  const reportFiles = Array.isArray(raw.report) ? raw.report : [];
  for (const [i, r] of reportFiles.entries()) if (typeof r === 'string') await checkPath(root, r, `/report/${i}`, 'file', problems);

  if (Array.isArray(build.commands) && build.script !== undefined) {
    problems.push(`${SUBMISSION_FILE}: /build: podaj albo „commands”, albo „script”, nie oba naraz`);
  }
  const scriptPath = typeof build.script === 'string' ? await checkPath(root, build.script, '/build/script', 'file', problems) : undefined;
  const scriptText = scriptPath === undefined ? undefined : await readScript(scriptPath, build.script!, problems);

  if (problems.length > 0) {
    throw new InputError(`Niepoprawny plik ${SUBMISSION_FILE} (${file}): ${problems.length} ${plural(problems.length, 'problem', 'problemy', 'problemów')}.`, problems);
  }
  const valid = data as SubmissionFile;
  const submission: Submission = {
    dir: root,
    file,
    student: { id: valid.student.id, name: valid.student.name.trim() },
    build: {
      context: toPosix(context),
      contextDir: contextDir!,
      dockerfile: toPosix(dockerfile),
      dockerfilePath: dockerfilePath!,
      args: { ...(valid.build?.args ?? {}) },
      platforms: [...(valid.build?.platforms ?? DEFAULT_PLATFORMS)],
    },
  };
  if (valid.build?.commands) {
    submission.build.commands = { from: 'inline', parsed: parseCommandList(valid.build.commands, SUBMISSION_FILE) };
  } else if (valid.build?.script !== undefined && scriptText !== undefined) {
    const script = toPosix(valid.build.script);
    submission.build.commands = { from: 'script', script, scriptPath: scriptPath!, parsed: parseShellText(scriptText, { file: script, style: 'script' }) };
  }
  if (valid.published) submission.published = { ...valid.published };
  if (valid.report) submission.report = { files: valid.report.map(toPosix), from: 'submission' };
  if (valid.bonus && deleteScriptPath) submission.bonus = { deleteScript: toPosix(valid.bonus.deleteScript), deleteScriptPath };
  return submission;
}

type Kind = 'file' | 'directory';

/**
 * Resolves a student-written path inside `root` or records why it cannot be used.
 * Rejects the text itself (absolute, `..`) before touching the disk, then follows symlinks with
 * realpath so a link cannot lead outside the submission.
 */
async function checkPath(root: string, rel: string, pointer: string, kind: Kind, problems: string[]): Promise<string | undefined> {
  const at = `${SUBMISSION_FILE}: ${pointer}`;
  const what = kind === 'file' ? 'plik musi' : 'katalog musi';
  // Empty paths and control characters (NUL included) are already reported by the schema.
  if (rel === '' || /[\u0000-\u001f\u007f]/.test(rel)) return undefined;
  // Windows drive letters and UNC paths too: the file may come from a student's Windows machine.
  if (path.isAbsolute(rel) || path.win32.isAbsolute(rel)) {
    return void problems.push(`${at}: ścieżka ${quotePath(rel)} jest bezwzględna; podaj ścieżkę względną wobec katalogu pracy`);
  }
  if (rel.split(/[\\/]+/).includes('..')) {
    return void problems.push(`${at}: ścieżka ${quotePath(rel)} zawiera „..”; ${what} leżeć wewnątrz katalogu pracy`);
  }
  const target = path.resolve(root, toPosix(rel));
  let real: string;
  try {
    real = await realpath(target);
  } catch {
    const dangling = await lstat(target).then((s) => s.isSymbolicLink(), () => false);
    const name = kind === 'file' ? (pointer === '/build/dockerfile' ? 'pliku Dockerfile' : 'pliku') : 'katalogu';
    const why = dangling ? 'jest dowiązaniem symbolicznym do nieistniejącego celu' : 'nie istnieje w katalogu pracy';
    problems.push(`${at}: brak ${name} ${quotePath(rel)} — ${why}`);
    return undefined;
  }
  if (!isInside(root, real)) {
    return void problems.push(`${at}: ścieżka ${quotePath(rel)} prowadzi (przez dowiązanie symboliczne) poza katalog pracy`);
  }
  const info = await stat(real);
  if (kind === 'file' && !info.isFile()) return void problems.push(`${at}: ${quotePath(rel)} nie jest zwykłym plikiem`);
  if (kind === 'directory' && !info.isDirectory()) return void problems.push(`${at}: ${quotePath(rel)} nie jest katalogiem`);
  return real;
}

/** The script's text, or undefined with a problem when it is too big to be a build script. */
async function readScript(real: string, rel: string, problems: string[]): Promise<string | undefined> {
  const { size } = await stat(real);
  if (size > SCRIPT_MAX_BYTES) {
    return void problems.push(`${SUBMISSION_FILE}: /build/script: plik ${quotePath(rel)} jest za duży (${size} B, dozwolone najwyżej ${SCRIPT_MAX_BYTES} B)`);
  }
  return readFile(real, 'utf8');
}

/** Student text in a message: Polish quotes, control characters escaped. */
function quotePath(p: string): string {
  return `„${JSON.stringify(p).slice(1, -1)}”`;
}

function toPosix(p: string): string {
  return p.replace(/\\/g, '/');
}

function posixJoin(dir: string, name: string): string {
  return path.posix.join(toPosix(dir), name);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The submission as results.json records it. */
export function summarizeSubmission(sub: Submission): GradeResult['submission'] {
  return {
    ...(sub.published?.image ? { image: sub.published.image } : {}),
    ...(sub.published?.cache ? { cache: sub.published.cache } : {}),
    dockerfile: sub.build.dockerfile,
    context: sub.build.context,
    platforms: sub.build.platforms,
    ...(sub.inferred ? { inferred: sub.inferred } : {}),
  };
}
