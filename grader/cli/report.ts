/** `grader report <results.json>`: re-renders raport.md / raport.pdf from a recorded result, without rebuilding. */
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ExitCode, InputError, InterruptedError } from '../errors.ts';
import { closeBrowser } from '../report/browser.ts';
import { readResult } from '../report/read-result.ts';
import { writeReports, type ReportFormat } from '../report/write-reports.ts';
import { withDecisions } from '../review/with-decisions.ts';
import type { CommandContext } from './commands.ts';
import { warnPdfSkipped } from './output.ts';

export const HELP = `Użycie: grader report <results.json> [--format md|pdf|both] [--out KATALOG] [--force] [--rubric PLIK]

Tworzy raport po polsku (raport.md, raport.pdf) z zapisanego wyniku oceny,
bez ponownego budowania obrazów i bez połączeń z rejestrem. Decyzje prowadzącego
z pliku overrides.json obok results.json (albo w katalogu grader batch nad nim)
są uwzględniane, a punkty liczone od nowa według rubryki.

Opcje:
  --format md|pdf|both  które pliki utworzyć (domyślnie: both)
  --out KATALOG         gdzie zapisać raporty (domyślnie: katalog pliku results.json)
  --force               nadpisz raport.md / raport.pdf, nawet jeśli nie utworzył ich buildx-grader
  --rubric PLIK         rubryka użyta przy ocenie, gdy są decyzje prowadzącego (domyślnie: rubrics/lab7.json)
  -h, --help            ta pomoc

Przykłady:
  grader report reports/example/results.json
  grader report reports/s99656/results.json --format md
  grader report reports/s99656/results.json --format pdf --out /tmp/raporty-s99656

Raport PDF wymaga przeglądarki Chrome, Chromium albo Edge (grader szuka jej sam
albo bierze ścieżkę z PUPPETEER_EXECUTABLE_PATH lub CHROME_PATH). Bez niej PDF jest
pomijany z ostrzeżeniem, a zapisywany jest raport Markdown.
Kody wyjścia: 0 raport zapisany, 2 błędne dane wejściowe, 3 awaria (np. przeglądarka
nie uruchomiła się), 130 przerwano.`;

const FORMATS: Record<string, ReportFormat[]> = { md: ['md'], pdf: ['pdf'], both: ['md', 'pdf'] };

export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string', default: 'both' },
        out: { type: 'string' },
        force: { type: 'boolean', default: false },
        rubric: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new InputError(`${(error as Error).message}. Uruchom: grader report --help`, [], { cause: error });
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(HELP);
    return ExitCode.ok;
  }
  if (positionals.length !== 1) {
    throw new InputError(
      positionals.length === 0 ? 'Podaj plik results.json. Uruchom: grader report --help' : `Oczekiwano jednego pliku results.json, podano ${positionals.length}.`,
    );
  }
  const formats = FORMATS[values.format ?? 'both'];
  if (!formats) throw new InputError(`--format: nieznany format „${values.format}” (dozwolone: md, pdf, both).`);

  const resultsPath = resolve(positionals[0]!);
  const outDir = resolve(values.out ?? dirname(resultsPath));
  const result = await withDecisions(resultsPath, await readResult(resultsPath), values.rubric);
  if (ctx.signal.aborted) throw new InterruptedError('Przerwano.');
  // Ctrl-C while printing: closing the browser ends the render at once.
  const onAbort = () => void closeBrowser();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const written = await writeReports(result, outDir, { formats, force: values.force });
    for (const path of Object.values(written.files)) console.log(`zapisano: ${path}`);
    if (written.pdfSkipped) {
      warnPdfSkipped(written.pdfSkipped, 'raport PDF', `grader report ${positionals[0]}${values.out ? ` --out ${values.out}` : ''} --format pdf`);
    }
  } catch (error) {
    if (ctx.signal.aborted) throw new InterruptedError('Przerwano tworzenie raportu.', { cause: error });
    throw error;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    await closeBrowser();
  }
  return ExitCode.ok;
}
