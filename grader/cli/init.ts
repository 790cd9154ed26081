/** `grader init`: writes a submission.json skeleton for a student (never over an existing one). */
import { access, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { skeletonProblems, submissionSkeleton, type SkeletonInput } from '../batch/submission-skeleton.ts';
import { ExitCode, InputError } from '../errors.ts';
import { SUBMISSION_FILE, loadSubmission } from '../submission/load-submission.ts';
import { parseFlags } from './args.ts';
import type { CommandContext } from './commands.ts';

const HELP = `Użycie: grader init [katalog] [--id NR_ALBUMU] [--name "Imię Nazwisko"] [--image REF] [--cache REF]

Tworzy szkielet pliku submission.json w katalogu pracy (domyślnie bieżącym).
W terminalu pyta o brakujące dane; bez terminala (skrypt, CI) bierze je tylko z opcji
(--id i --name są wtedy wymagane). Istniejącego submission.json nigdy nie nadpisuje.

Przykład:
  grader init --id s12345 --name "Jan Kowalski" --image localhost:5000/s12345/app:multiarch \\
              --cache localhost:5000/s12345/app:buildcache`;

export async function run(argv: string[], _ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    id: { type: 'string' },
    name: { type: 'string' },
    image: { type: 'string' },
    cache: { type: 'string' },
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
  if (process.stdin.isTTY && process.stdout.isTTY) await ask(input);
  const problems = skeletonProblems(input);
  if (problems.length) throw new InputError('Nie utworzono submission.json: brakuje danych albo są niepoprawne.', problems);
  if (await exists(path.join(dir, 'Dockerfile'))) input.dockerfile = 'Dockerfile';
  const skeleton = submissionSkeleton(input as SkeletonInput);
  try {
    // 'wx': fails instead of overwriting, even if the file appeared meanwhile.
    await writeFile(file, JSON.stringify(skeleton, null, 2) + '\n', { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new InputError(`${file} już istnieje — nie nadpisuję go.`, [], { cause: error });
    throw error;
  }
  console.log(`Utworzono ${file}.`);
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

async function exists(p: string): Promise<boolean> {
  return access(p).then(() => true, () => false);
}
