/** `grader init`: writes a submission.json skeleton for a student (never over an existing one). */
import { access, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { skeletonFromReport, skeletonProblems, submissionSkeleton, type SkeletonInput } from '../batch/submission-skeleton.ts';
import { readDocument } from '../documents/read-document.ts';
import { describeInputError } from '../student-report/describe.ts';
import { readReport } from '../student-report/read-report.ts';
import { ExitCode, InputError } from '../errors.ts';
import { SUBMISSION_FILE, loadSubmission } from '../submission/load-submission.ts';
import { parseFlags } from './args.ts';
import type { CommandContext } from './commands.ts';

const HELP = `Użycie: grader init [katalog] [--id NR_ALBUMU] [--name "Imię Nazwisko"] [--image REF] [--cache REF]
                   [--from-report PLIK]

Tworzy szkielet pliku submission.json w katalogu pracy (domyślnie bieżącym).
Z --from-report bierze ze sprawozdania (Markdown, tekst, PDF, DOCX) polecenia budowania,
buildera i registry7 oraz referencje obrazu i cache, i wypisuje, z którego wiersza co wziął:
sprawdź je i popraw w pliku.
W terminalu pyta o brakujące dane; bez terminala (skrypt, CI) bierze je tylko z opcji
(--id i --name są wtedy wymagane). Istniejącego submission.json nigdy nie nadpisuje.

Przykłady:
  grader init --id s12345 --name "Jan Kowalski" --from-report sprawozdanie.md
  grader init --id s12345 --name "Jan Kowalski" --image localhost:5000/s12345/app:multiarch \\
              --cache localhost:5000/s12345/app:buildcache`;

export async function run(argv: string[], _ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    id: { type: 'string' },
    name: { type: 'string' },
    image: { type: 'string' },
    cache: { type: 'string' },
    'from-report': { type: 'string' },
  }, 'init');
  if (values.help) {
    console.log(HELP);
    return ExitCode.ok;
  }
  if (positionals.length > 1) throw new InputError('Polecenie init przyjmuje co najwyżej jeden katalog, np. grader init .');
  const dir = path.resolve(positionals[0] ?? '.');
  const file = path.join(dir, SUBMISSION_FILE);
  if (await exists(file)) throw new InputError(`${file} już istnieje — nie nadpisuję go. Popraw go ręcznie i sprawdź: grader check --quick`);
  if (!(await exists(dir))) throw new InputError(`Katalog ${dir} nie istnieje.`);

  const input: Partial<SkeletonInput> = { id: values.id, name: values.name, image: values.image, cache: values.cache };
  const notes = values['from-report'] ? await fromReport(dir, values['from-report'], input) : [];
  if (process.stdin.isTTY && process.stdout.isTTY) await ask(input);
  const problems = skeletonProblems(input);
  if (problems.length) throw new InputError('Nie utworzono submission.json: brakuje danych albo są niepoprawne.', problems);
  if (!input.dockerfile && await exists(path.join(dir, 'Dockerfile'))) input.dockerfile = 'Dockerfile';
  const skeleton = submissionSkeleton(input as SkeletonInput);
  try {
    // 'wx': fails instead of overwriting, even if the file appeared meanwhile.
    await writeFile(file, JSON.stringify(skeleton, null, 2) + '\n', { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new InputError(`${file} już istnieje — nie nadpisuję go.`, [], { cause: error });
    throw error;
  }
  console.log(`Utworzono ${file}.`);
  if (notes.length) console.log(['Ze sprawozdania (sprawdź i popraw):', ...notes.map((n) => `  ${n}`)].join('\n'));
  try {
    await loadSubmission(dir);
    console.log('Plik jest poprawny. Sprawdź pracę: grader check --quick (szybko) albo grader check (z budowaniem).');
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    console.log('Uzupełnij go jeszcze:');
    for (const p of error.problems) console.log(`  - ${p}`);
  }
  return ExitCode.ok;
}

async function ask(input: Partial<SkeletonInput>): Promise<void> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    input.id ||= (await rl.question('Numer albumu (np. s12345): ')).trim();
    input.name ||= (await rl.question('Imię i nazwisko: ')).trim();
    input.image ||= (await rl.question('Opublikowany obraz (np. localhost:5000/s12345/app:multiarch, Enter = pomiń): ')).trim() || undefined;
    input.cache ||= (await rl.question('Obraz cache (np. localhost:5000/s12345/app:buildcache, Enter = pomiń): ')).trim() || undefined;
  } finally {
    rl.close();
  }
}

/** Fills `input` from the report; flags given by the user win. Returns what was taken from where. */
async function fromReport(dir: string, file: string, input: Partial<SkeletonInput>): Promise<string[]> {
  const doc = await readDocument(file, { root: dir });
  if (!doc.ok) throw new InputError(`--from-report: ${doc.message}`);
  const rel = path.relative(dir, path.resolve(dir, file)).split(path.sep).join('/');
  const read = readReport({ file: rel, text: doc.text, format: doc.kind === 'text' && /\.(?:md|markdown)$/i.test(rel) ? 'markdown' : 'plain', ...(doc.kind !== 'text' ? { extractedFrom: doc.kind } : {}) });
  if (!read.ok) throw new InputError(`--from-report: ${describeInputError(read.error)}`);
  const found = skeletonFromReport(read.report);
  input.image ??= found.image;
  input.cache ??= found.cache;
  if (found.dockerfile && await exists(path.join(dir, found.dockerfile))) input.dockerfile = found.dockerfile;
  input.commands = found.commands;
  input.report = [rel];
  return found.notes;
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(() => true, () => false);
}
