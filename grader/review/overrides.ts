/**
 * overrides.json: the instructor's decisions per student and check. Reading and validating it
 * (ajv against overrides.schema.json, then the rules a schema cannot express), and the pure edits.
 */
import { stat } from 'node:fs/promises';
import { InputError } from '../errors.ts';
import { CHECK_IDS, type CheckId } from '../results/types.ts';
import { compileSchema, plural, readJsonInput, readSchemaFile, schemaProblems } from '../submission/json-input.ts';

export const OVERRIDES_FILE = 'overrides.json';
/** Thousands of decisions fit; the limit only guards against a wrong, huge file. */
export const OVERRIDES_MAX_BYTES = 4 * 1024 * 1024;

export type DecisionStatus = 'pass' | 'fail';

export interface Decision {
  student: string;
  check: CheckId;
  status: DecisionStatus;
  partial?: number;
  comment: string;
  by?: string;
  /** ISO 8601. */
  at?: string;
}

export interface OverridesFile {
  $schema?: string;
  decisions: Decision[];
}

let validatorPromise: Promise<ReturnType<typeof compileSchema>> | undefined;
function validator() {
  validatorPromise ??= readSchemaFile(new URL('./overrides.schema.json', import.meta.url)).then(compileSchema);
  return validatorPromise;
}

/** Reads overrides.json; undefined when there is none (no decisions yet). */
export async function loadOverrides(file: string): Promise<OverridesFile | undefined> {
  const exists = await stat(file).then(() => true, (error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return false;
    throw new InputError(`Nie można odczytać ${file}: ${error.code ?? error.message}.`, [], { cause: error });
  });
  if (!exists) return undefined;
  const data = await readJsonInput(file, { label: OVERRIDES_FILE, maxBytes: OVERRIDES_MAX_BYTES });
  return parseOverrides(data, file);
}

/** Validates parsed overrides.json; every problem is named by its JSON pointer. */
export async function parseOverrides(data: unknown, file: string): Promise<OverridesFile> {
  const validate = await validator();
  const problems = validate(data) ? semanticProblems(data as OverridesFile) : schemaProblems(validate.errors, OVERRIDES_FILE);
  if (problems.length) throw overridesError(file, problems);
  return data as OverridesFile;
}

/** The InputError for a bad overrides.json: the file in the message, one problem per line. */
export function overridesError(file: string, problems: string[]): InputError {
  return new InputError(
    `Niepoprawny plik ${OVERRIDES_FILE} (${file}): ${problems.length} ${plural(problems.length, 'problem', 'problemy', 'problemów')}.`,
    problems.map((p) => (p.startsWith(`${OVERRIDES_FILE}: `) ? p : `${OVERRIDES_FILE}: ${p}`)),
  );
}

const KNOWN = new Set<string>(CHECK_IDS);

/** Rules that depend on this grader version (CHECK_IDS) or on several decisions at once. */
function semanticProblems(file: OverridesFile): string[] {
  const problems: string[] = [];
  const first = new Map<string, number>();
  file.decisions.forEach((d, i) => {
    if (!KNOWN.has(d.check)) {
      problems.push(`/decisions/${i}/check: nieznany identyfikator sprawdzenia „${d.check}” (ta wersja programu zna: ${CHECK_IDS.join(', ')})`);
    }
    if (d.at !== undefined && Number.isNaN(Date.parse(d.at))) problems.push(`/decisions/${i}/at: niepoprawna data „${d.at}”`);
    const key = `${d.student}\u0000${d.check}`;
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, i);
    else problems.push(`/decisions/${i}: druga decyzja dla studenta „${d.student}” i sprawdzenia „${d.check}” (pierwsza: /decisions/${earlier})`);
  });
  return problems;
}

/** The decisions with `decision` in place of an earlier one for the same student and check, else appended. */
export function upsertDecision(decisions: Decision[], decision: Decision): Decision[] {
  const i = decisions.findIndex((d) => d.student === decision.student && d.check === decision.check);
  return i < 0 ? [...decisions, decision] : decisions.map((d, j) => (j === i ? decision : d));
}
