/**
 * Reading and validating the JSON files people write by hand (submission.json, rubrics):
 * size limit, syntax errors with line/column, and ajv errors translated to Polish.
 * Shared by grader/submission and grader/rubric.
 */
import { readFile, stat } from 'node:fs/promises';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { InputError } from '../errors.ts';

/** A compiled JSON Schema; allErrors so one run reports every problem, verbose so messages can quote schema and data. */
export function compileSchema(schema: object): ValidateFunction {
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true });
  return ajv.compile(schema);
}

/** Reads a schema file shipped with the grader (not user input: a broken one is a programming error). */
export async function readSchemaFile(url: URL): Promise<object> {
  return JSON.parse(await readFile(url, 'utf8')) as object;
}

export interface JsonInputOptions {
  /** How messages name the file, e.g. "submission.json". */
  label: string;
  maxBytes: number;
}

/** Reads and parses a user-written JSON file; any problem becomes an InputError naming the file. */
export async function readJsonInput(file: string, { label, maxBytes }: JsonInputOptions): Promise<unknown> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new InputError(`${label}: ${file} nie jest zwykłym plikiem.`, [`${label}: to nie jest plik`]);
    size = info.size;
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'nie ma takiego pliku' : `nie można odczytać pliku (${code ?? String(error)})`;
    throw new InputError(`Nie można wczytać ${label} (${file}): ${why}.`, [`${label}: ${why}`], { cause: error });
  }
  // Checked before reading so a huge file is never loaded into memory.
  if (size > maxBytes) {
    const problem = `${label}: plik jest za duży (${size} B, dozwolone najwyżej ${maxBytes} B)`;
    throw new InputError(`Niepoprawny plik ${label} (${file}): plik jest za duży.`, [problem]);
  }
  const text = stripBom(await readFile(file, 'utf8'));
  if (text.trim() === '') {
    throw new InputError(`Niepoprawny plik ${label} (${file}): plik jest pusty.`, [`${label}: plik jest pusty`]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const problem = jsonSyntaxProblem(text, error, label);
    throw new InputError(`Niepoprawny JSON w pliku ${label} (${file}).`, [problem], { cause: error });
  }
}

/** Windows editors (Notepad) save UTF-8 with a BOM, which JSON.parse rejects. */
function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

const SYNTAX_MESSAGES: [RegExp, string][] = [
  [/Expected double-quoted property name/, 'oczekiwano nazwy pola w cudzysłowie "..." (czy po ostatnim elemencie nie został zbędny przecinek?)'],
  [/Expected ':' after property name/, 'oczekiwano dwukropka po nazwie pola'],
  [/Expected ',' or '}' after property value/, 'oczekiwano przecinka lub „}” po wartości pola'],
  [/Expected ',' or ']' after array element/, 'oczekiwano przecinka lub „]” po elemencie tablicy'],
  [/Unexpected end of JSON input/, 'nieoczekiwany koniec pliku (brak zamykającego nawiasu lub cudzysłowu?)'],
  [/Unterminated string/, 'niezakończony tekst (brak zamykającego cudzysłowu)'],
  [/Bad control character in string literal/, 'niedozwolony znak sterujący w tekście (np. znak nowej linii; użyj \\n)'],
  [/Bad escaped character/, 'niepoprawna sekwencja ucieczki z „\\” w tekście (np. ścieżki Windows zapisz z „/”)'],
  [/Unexpected non-whitespace character after JSON/, 'zbędne znaki po zakończeniu obiektu JSON'],
  [/Unexpected token/, 'nieoczekiwany znak (JSON nie dopuszcza komentarzy, apostrofów ani wartości bez cudzysłowu)'],
];

/** One Polish problem line for a JSON.parse failure, with line/column when V8 reports a position. */
export function jsonSyntaxProblem(text: string, error: unknown, label: string): string {
  const raw = error instanceof Error ? error.message : String(error);
  // V8 (Node 20) says "at position N"; newer versions add "(line L column C)". End of input has no position.
  const position = /at position (\d+)/.exec(raw)?.[1];
  const offset = position !== undefined ? Number(position) : /Unexpected end of JSON input/.test(raw) ? text.length : undefined;
  // A cut-off file often fails as "expected ',' or '}'" at its very end: name the real cause.
  const atEnd = offset !== undefined && offset >= text.trimEnd().length;
  const polish = atEnd
    ? 'nieoczekiwany koniec pliku (brak zamykającego nawiasu lub cudzysłowu?)'
    // V8 may quote the file's text in its message; keep that out (the file may hold anything).
    : SYNTAX_MESSAGES.find(([re]) => re.test(raw))?.[1] ?? `błąd składni (${raw.replace(/, ".*" is not valid JSON$/s, '')})`;
  if (offset === undefined) return `${label}: błąd składni JSON: ${polish}`;
  const { line, column } = lineColumnOf(text, offset);
  return `${label}: błąd składni JSON w wierszu ${line}, kolumna ${column}: ${polish}`;
}

/** 1-based line and column of a character offset. */
export function lineColumnOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.min(offset, text.length));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

/** Every ajv error as a Polish line "<label>: <json path>: <what was expected>". */
export function schemaProblems(errors: readonly ErrorObject[] | null | undefined, label: string): string[] {
  const all = errors ?? [];
  const emptyAt = new Set(all.filter((e) => e.keyword === 'minLength' && e.data === '').map((e) => e.instancePath));
  const lines = all
    // The propertyNames wrapper only repeats what its inner error (with propertyName set) already says.
    .filter((e) => e.keyword !== 'propertyNames')
    // "must not be empty" already covers a pattern mismatch of an empty string.
    .filter((e) => !(e.keyword === 'pattern' && e.data === '' && emptyAt.has(e.instancePath)))
    .map((e) => `${label}: ${describeError(e)}`);
  return [...new Set(lines)];
}

function describeError(e: ErrorObject): string {
  const path = e.instancePath || '/';
  const params = e.params as Record<string, unknown>;
  const join = (base: string, key: string) => `${base === '/' ? '' : base}/${escapePointer(key)}`;
  const propertyName = (e as ErrorObject & { propertyName?: string }).propertyName;
  if (propertyName !== undefined) {
    return `${path}: nazwa pola ${quote(propertyName)}: ${expectation(e)}`;
  }
  switch (e.keyword) {
    case 'required':
      return `${join(path, String(params.missingProperty))}: brak wymaganego pola`;
    case 'additionalProperties': {
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const hint = allowed.length ? ` (dozwolone: ${allowed.join(', ')})` : '';
      return `${join(path, String(params.additionalProperty))}: nieznane pole${hint}`;
    }
    default:
      return `${path}: ${expectation(e)}`;
  }
}

/** What the schema expected at the error's location, in Polish. */
function expectation(e: ErrorObject): string {
  const params = e.params as Record<string, unknown>;
  const limit = Number(params.limit);
  switch (e.keyword) {
    case 'type':
      return `oczekiwano ${typeGenitive(String(params.type))}, podano ${typeAccusative(e.data)}`;
    case 'pattern': {
      const example = firstExample(e.parentSchema);
      return `oczekiwano wartości pasującej do wzorca ${String(params.pattern)}${example ? ` (np. ${quote(example)})` : ''}, podano ${quote(e.data)}`;
    }
    case 'enum':
      return `oczekiwano jednej z wartości: ${((params.allowedValues as unknown[]) ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `oczekiwano wartości ${JSON.stringify(params.allowedValue)}`;
    case 'maxLength':
      return `tekst jest za długi (${String(e.data).length} ${plural(String(e.data).length, 'znak', 'znaki', 'znaków')}, dozwolone najwyżej ${limit})`;
    case 'minLength':
      return limit <= 1 ? 'tekst nie może być pusty' : `tekst jest za krótki (wymagane co najmniej ${limit} ${plural(limit, 'znak', 'znaki', 'znaków')})`;
    case 'minItems':
      return limit <= 1 ? 'lista nie może być pusta' : `za mało elementów (wymagane co najmniej ${limit})`;
    case 'maxItems':
      return `za dużo elementów (dozwolone najwyżej ${limit})`;
    case 'uniqueItems':
      return `elementy nie mogą się powtarzać (pozycje ${Math.min(Number(params.i), Number(params.j))} i ${Math.max(Number(params.i), Number(params.j))} są takie same)`;
    case 'minProperties':
      return limit <= 1 ? 'obiekt nie może być pusty' : `za mało pól (wymagane co najmniej ${limit})`;
    case 'maxProperties':
      return `za dużo pól (dozwolone najwyżej ${limit})`;
    case 'minimum':
      return `oczekiwano liczby nie mniejszej niż ${limit}, podano ${JSON.stringify(e.data)}`;
    case 'maximum':
      return `oczekiwano liczby nie większej niż ${limit}, podano ${JSON.stringify(e.data)}`;
    case 'exclusiveMinimum':
      return `oczekiwano liczby większej niż ${limit}, podano ${JSON.stringify(e.data)}`;
    case 'exclusiveMaximum':
      return `oczekiwano liczby mniejszej niż ${limit}, podano ${JSON.stringify(e.data)}`;
    case 'required':
      return `brak wymaganego pola ${quote(params.missingProperty)}`;
    case 'additionalProperties':
      return 'niedozwolone pole';
    default:
      // Keywords our schemas do not use; ajv's English text is better than nothing.
      return `niespełniony warunek „${e.keyword}” (${e.message ?? ''})`;
  }
}

const TYPE_GENITIVE: Record<string, string> = {
  string: 'tekstu (string)',
  number: 'liczby',
  integer: 'liczby całkowitej',
  boolean: 'wartości logicznej (true/false)',
  object: 'obiektu { ... }',
  array: 'tablicy [ ... ]',
  null: 'null',
};

function typeGenitive(type: string): string {
  return type.split(',').map((t) => TYPE_GENITIVE[t] ?? t).join(' lub ');
}

function typeAccusative(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'tablicę';
  switch (typeof value) {
    case 'string': return `tekst ${quote(value)}`;
    case 'number': return `liczbę ${value}`;
    case 'boolean': return `wartość logiczną ${value}`;
    case 'object': return 'obiekt';
    default: return typeof value;
  }
}

function firstExample(schema: unknown): string | undefined {
  const examples = (schema as { examples?: unknown[] } | undefined)?.examples;
  return typeof examples?.[0] === 'string' ? examples[0] : undefined;
}

/** Untrusted text, shortened and with control characters escaped, in Polish quotes. */
function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const escaped = JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text).slice(1, -1);
  return `„${escaped}”`;
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

const POLISH_PLURAL = new Intl.PluralRules('pl-PL');

/** Polish plural from CLDR: 1 znak, 2–4 znaki (but 12–14 znaków), 5+ znaków. */
export function plural(n: number, one: string, few: string, many: string): string {
  const category = POLISH_PLURAL.select(n);
  return category === 'one' ? one : category === 'few' ? few : many;
}
