/**
 * Loads a rubric (rubrics/*.json): schema validation plus the rules a schema cannot express
 * (check ids known to this grader version, no duplicates, bonus checks listed and not required).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.ts';
import { CHECK_IDS, type CheckId } from '../results/types.ts';
import { compileSchema, plural, readJsonInput, readSchemaFile, schemaProblems } from '../submission/json-input.ts';

/** Rubrics are tiny; the limit only guards against pointing --rubric at a wrong, huge file. */
export const RUBRIC_MAX_BYTES = 256 * 1024;
/** The rubric used when none is given. */
export const DEFAULT_RUBRIC = fileURLToPath(new URL('../../rubrics/lab7.json', import.meta.url));

export interface RubricCheck {
  id: CheckId;
  /** Base checks: points for a pass. Bonus checks: weight in the split of the bonus points. */
  points: number;
  required: boolean;
  title: string;
  description: string;
  /** Listed in `bonus.checks`. */
  bonus: boolean;
}

export interface Rubric {
  id: string;
  title: string;
  description?: string;
  checks: RubricCheck[];
  thresholds: Record<string, number>;
  bonus?: { percent: number; checks: CheckId[] };
}

interface RubricFile {
  id: string;
  title: string;
  description?: string;
  checks: Omit<RubricCheck, 'bonus'>[];
  thresholds?: Record<string, number>;
  bonus?: { percent: number; checks: string[] };
}

let validatorPromise: Promise<ReturnType<typeof compileSchema>> | undefined;
function validator() {
  validatorPromise ??= readSchemaFile(new URL('./rubric.schema.json', import.meta.url)).then(compileSchema);
  return validatorPromise;
}

/** Reads and validates a rubric file; throws InputError listing every problem. */
export async function loadRubric(file: string = DEFAULT_RUBRIC): Promise<Rubric> {
  const label = path.basename(file);
  const data = await readJsonInput(file, { label, maxBytes: RUBRIC_MAX_BYTES });
  return parseRubric(data, { label, file });
}

/** Validates already-parsed rubric JSON (used by loadRubric and by tests that vary a rubric in memory). */
export async function parseRubric(data: unknown, { label = 'rubryka', file }: { label?: string; file?: string } = {}): Promise<Rubric> {
  const validate = await validator();
  const problems = validate(data) ? semanticProblems(data as RubricFile) : schemaProblems(validate.errors, label);
  if (problems.length > 0) {
    const where = file ? `${label} (${file})` : label;
    throw new InputError(`Niepoprawna rubryka ${where}: ${problems.length} ${plural(problems.length, 'problem', 'problemy', 'problemów')}.`,
      problems.map((p) => (p.startsWith(`${label}: `) ? p : `${label}: ${p}`)));
  }
  const raw = data as RubricFile;
  const bonusIds = new Set(raw.bonus?.checks ?? []);
  const rubric: Rubric = {
    id: raw.id,
    title: raw.title,
    checks: raw.checks.map((c) => ({ ...c, bonus: bonusIds.has(c.id) })),
    thresholds: { ...(raw.thresholds ?? {}) },
  };
  if (raw.description !== undefined) rubric.description = raw.description;
  if (raw.bonus) rubric.bonus = { percent: raw.bonus.percent, checks: raw.bonus.checks as CheckId[] };
  return rubric;
}

const KNOWN = new Set<string>(CHECK_IDS);
const KNOWN_LIST = CHECK_IDS.join(', ');

/** Rules that depend on this grader version (CHECK_IDS) or on several fields at once. */
function semanticProblems(raw: RubricFile): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  raw.checks.forEach((c, i) => {
    if (!KNOWN.has(c.id)) {
      problems.push(`/checks/${i}/id: nieznany identyfikator sprawdzenia „${c.id}” (ta wersja programu zna: ${KNOWN_LIST})`);
    } else if (seen.has(c.id)) {
      problems.push(`/checks/${i}/id: sprawdzenie „${c.id}” występuje w rubryce więcej niż raz`);
    }
    seen.add(c.id);
  });
  const bonusIds = new Set(raw.bonus?.checks ?? []);
  (raw.bonus?.checks ?? []).forEach((id, i) => {
    if (!KNOWN.has(id)) {
      problems.push(`/bonus/checks/${i}: nieznany identyfikator sprawdzenia „${id}” (ta wersja programu zna: ${KNOWN_LIST})`);
    } else if (!seen.has(id)) {
      problems.push(`/bonus/checks/${i}: sprawdzenie „${id}” musi być też opisane w „checks” (tytuł, opis, waga)`);
    }
  });
  raw.checks.forEach((c, i) => {
    if (bonusIds.has(c.id) && c.required) {
      problems.push(`/checks/${i}/required: sprawdzenie dodatkowe „${c.id}” nie może być wymagane`);
    }
  });
  const base = raw.checks.filter((c) => !bonusIds.has(c.id));
  if (base.length === 0) problems.push('/checks: brak sprawdzeń części podstawowej (wszystkie są dodatkowe)');
  else if (base.reduce((sum, c) => sum + c.points, 0) <= 0) problems.push('/checks: suma punktów części podstawowej musi być większa od zera');
  for (const key of Object.keys(raw.thresholds ?? {})) {
    // A threshold belongs to a check: "cache.hit.minRatio" → "cache.hit". A typo would silently fall back to the default.
    const owner = CHECK_IDS.find((id) => key.startsWith(`${id}.`));
    if (!owner) problems.push(`/thresholds/${key}: próg nie należy do żadnego znanego sprawdzenia (klucz ma postać <id sprawdzenia>.<nazwa>, np. cache.hit.minRatio)`);
  }
  return problems;
}

/** A numeric threshold from the rubric, or the check's own default. */
export function thresholdOf(rubric: Rubric, key: string, fallback: number): number {
  return rubric.thresholds[key] ?? fallback;
}
