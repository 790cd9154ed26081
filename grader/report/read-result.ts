/** Reads results.json for re-rendering: a typed GradeResult, or an InputError naming the file and every problem. */
import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.ts';
import type { GradeResult } from '../results/types.ts';

const STATUSES = new Set(['pass', 'fail', 'error', 'skip', 'manual']);

/** Structural problems of a parsed results.json (empty when it can be rendered), as dot paths in Polish. */
export function resultProblems(data: unknown): string[] {
  if (!isObject(data)) return ['plik nie zawiera obiektu JSON'];
  const problems: string[] = [];
  if (data.schemaVersion !== 1) {
    problems.push(`schemaVersion: oczekiwano 1, jest ${JSON.stringify(data.schemaVersion) ?? 'brak'}`);
    return problems; // another schema: the rest would only add noise
  }
  const requireObject = (key: string) => {
    if (!isObject(data[key])) problems.push(`${key}: brak obiektu`);
  };
  ['tool', 'rubric', 'student', 'submission', 'environment', 'score'].forEach(requireObject);
  if (typeof data.gradedAt !== 'string') problems.push('gradedAt: brak daty (tekst ISO 8601)');
  if (typeof data.needsRegrade !== 'boolean') problems.push('needsRegrade: oczekiwano true/false');
  if (isObject(data.student) && typeof data.student.id !== 'string') problems.push('student.id: brak identyfikatora');
  if (isObject(data.student) && typeof data.student.name !== 'string') problems.push('student.name: brak imienia i nazwiska');
  if (isObject(data.environment) && !isObject(data.environment.versions)) problems.push('environment.versions: brak obiektu');
  if (isObject(data.score)) {
    for (const k of ['points', 'max', 'bonusPoints', 'bonusMax', 'percent']) {
      if (typeof data.score[k] !== 'number') problems.push(`score.${k}: oczekiwano liczby`);
    }
    if (typeof data.score.grade !== 'string') problems.push('score.grade: brak tekstu oceny');
  }
  if (!Array.isArray(data.builds)) problems.push('builds: oczekiwano tablicy');
  if (!Array.isArray(data.checks)) {
    problems.push('checks: oczekiwano tablicy');
  } else {
    data.checks.forEach((c: unknown, i: number) => {
      if (!isObject(c)) return void problems.push(`checks[${i}]: oczekiwano obiektu`);
      if (typeof c.id !== 'string') problems.push(`checks[${i}].id: brak identyfikatora`);
      if (!STATUSES.has(c.status as string)) problems.push(`checks[${i}].status: nieznany status ${JSON.stringify(c.status)}`);
      if (!Array.isArray(c.evidence)) problems.push(`checks[${i}].evidence: oczekiwano tablicy`);
    });
  }
  return problems;
}

/** Reads and checks results.json; any problem is an InputError (exit code 2) naming the file. */
export async function readResult(path: string): Promise<GradeResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'plik nie istnieje' : code === 'EISDIR' ? 'to jest katalog, nie plik' : 'nie można odczytać pliku';
    throw new InputError(`${path}: ${why}`, [], { cause: error });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path}: niepoprawny JSON (${(error as Error).message})`, [], { cause: error });
  }
  const problems = resultProblems(data);
  if (problems.length) throw new InputError(`${path}: to nie jest poprawny plik results.json programu buildx-grader`, problems);
  return data as GradeResult;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
