/** `grader grade`: reproduces and grades one submission, writes results.json and the reports. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ExitCode, InputError } from '../errors.ts';
import { gradeSubmission } from '../grade/grade-submission.ts';
import { writeJsonAtomic } from '../util/write-atomic.ts';
import type { ReportFormat, WrittenReports } from '../report/write-reports.ts';
import type { GradeResult } from '../results/types.ts';
import { loadRubric } from '../rubric/load-rubric.ts';
import { loadOrDiscover } from '../submission/discover.ts';
import { durationFlag, parseFlags } from './args.ts';
import type { CommandContext } from './commands.ts';
import { ISOLATION_HELP, ISOLATION_OPTIONS, isolationFromFlags } from './isolation-flag.ts';
import { exitCodeForChecks, printChecks, warnPdfSkipped } from './output.ts';
import { classifyExisting } from '../batch/existing.ts';
import { applyOverrides } from '../review/apply.ts';
import { OVERRIDES_FILE, loadOverrides } from '../review/overrides.ts';
import { precheckOverrides } from '../review/review-dir.ts';
import { plural } from '../submission/json-input.ts';

const HELP = `Użycie: grader grade <katalog-pracy> [--out KATALOG] [--isolation auto|container|prune] [--yes]
                    [--registry HOST:PORT] [--rubric PLIK] [--format md|pdf|both|none]
                    [--timeout CZAS] [--insecure HOST]... [--fetch-images] [--force] [--json]

Ocenia jedną pracę: sprawdza opublikowany obraz i cache, czyta sprawozdanie
(Markdown, tekst, PDF, DOCX; zrzuty ekranu przez OCR), dwukrotnie odtwarza polecenie
budowania studenta w pustych builderach (budowanie 1 eksportuje cache do registry7,
budowanie 2 musi go zaimportować i pokazać kroki CACHED dla obu platform),
uruchamia odpowiedź studenta na zadanie dodatkowe (usunięcie obrazu cache z kopii
registry7) i wystawia punkty.

Opcje:
  --out KATALOG        gdzie zapisać results.json, raport.md, raport.pdf i logi
                       (domyślnie reports/<id-studenta>)
${ISOLATION_HELP}
  --registry HOST:PORT użyj istniejącego rejestru zamiast uruchamiać własny registry7
                       (wtedy test usuwania jest pomijany)
  --rubric PLIK        rubryka (domyślnie rubrics/lab7.json)
  --format F           raporty: both (domyślnie), md, pdf albo none
  --timeout CZAS       limit czasu jednego budowania: 90s, 5m, 1h albo sama liczba
                       minut (domyślnie 20m)
  --fetch-images       pobierz zrzuty ekranu, do których sprawozdanie linkuje (np.
                       github.com/user-attachments), i odczytaj je OCR; bez tej opcji
                       są „do sprawdzenia ręcznie”
  --force              nadpisz pliki w KATALOGU, których nie utworzył grader
  --json               wypisz results.json na standardowe wyjście

Decyzje prowadzącego zapisane w KATALOG/overrides.json (grader review) obowiązują
także po ponownej ocenie.

Przykłady:
  grader grade submissions/example
  grader grade ~/prace/s12345 --out reports/s12345 --isolation prune --yes
  grader grade . --format md --json > wynik.json

Raport PDF wymaga przeglądarki Chrome, Chromium albo Edge; bez niej powstaje tylko
Markdown (z ostrzeżeniem), a kod wyjścia się nie zmienia.

Kody wyjścia: 0 zaliczone, 1 któreś sprawdzenie nie przeszło, 2 błędne dane,
3 awaria infrastruktury (ocena niepełna), 130 przerwano.`;

const FORMATS: Record<string, ReportFormat[]> = { both: ['md', 'pdf'], md: ['md'], pdf: ['pdf'], none: [] };

export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    out: { type: 'string' },
    ...ISOLATION_OPTIONS,
    registry: { type: 'string' },
    rubric: { type: 'string' },
    format: { type: 'string', default: 'both' },
    timeout: { type: 'string' },
    insecure: { type: 'string', multiple: true },
    'fetch-images': { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  }, 'grade');
  if (values.help) {
    console.log(HELP);
    return ExitCode.ok;
  }
  const [dir, ...more] = positionals;
  if (!dir || more.length) throw new InputError('Polecenie grade wymaga dokładnie jednego katalogu pracy, np. grader grade submissions/example');
  const formats = FORMATS[values.format!];
  if (!formats) throw new InputError(`Opcja --format przyjmuje both, md, pdf albo none; podano „${values.format}”.`);
  const buildTimeoutMs = durationFlag(values.timeout, '--timeout', 20 * 60_000);
  if (values.registry && !/^[\w.-]+(:\d+)?$/.test(values.registry)) throw new InputError(`Opcja --registry oczekuje HOST:PORT, podano „${values.registry}”.`);

  const isolation = await isolationFromFlags(values, ctx.signal);
  const submission = await loadOrDiscover(dir);
  const rubric = await loadRubric(values.rubric);
  const outDir = path.resolve(values.out ?? path.join('reports', submission.student.id));
  await refuseForeignResults(outDir, values.force!);
  // Decisions already recorded for this output (grader review) stay in force after a regrade; a bad file stops before any build.
  await precheckOverrides(outDir, rubric);

  const log = (m: string) => process.stderr.write(`[${submission.student.id}] ${m}\n`);
  const graded = await gradeSubmission(submission, {
    outDir,
    rubric,
    isolation,
    ...(values.registry ? { registry: values.registry } : {}),
    insecureHosts: values.insecure ?? [],
    buildTimeoutMs,
    fetchImages: values['fetch-images']!,
    signal: ctx.signal,
    onProgress: values.json ? log : (m) => log(m),
  });
  const overrides = await loadOverrides(path.join(outDir, OVERRIDES_FILE));
  const mine = overrides?.decisions.filter((d) => d.student === graded.student.id) ?? [];
  const result = mine.length ? applyOverrides(graded, mine, rubric) : graded;
  if (mine.length) log(`zastosowano ${mine.length} ${plural(mine.length, 'decyzję', 'decyzje', 'decyzji')} prowadzącego z ${OVERRIDES_FILE}`);
  await writeJsonAtomic(path.join(outDir, 'results.json'), result);
  let written: WrittenReports | undefined;
  if (formats.length) {
    log('piszę raporty');
    // Loaded only now: the report chain pulls in puppeteer (~0.5 s of start-up), useless with --format none.
    const { writeReports } = await import('../report/write-reports.ts');
    try {
      written = await writeReports(result, outDir, { formats, force: values.force! });
    } finally {
      if (formats.includes('pdf')) await (await import('../report/browser.ts')).closeBrowser();
    }
  }
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else printSummary(result, outDir, Object.keys(written?.files ?? {}) as ReportFormat[]);
  if (written?.pdfSkipped) {
    warnPdfSkipped(written.pdfSkipped, 'raport PDF', `grader report ${path.relative(process.cwd(), path.join(outDir, 'results.json'))} --format pdf`);
  }
  return exitCodeForChecks(result.checks);
}

/** Never overwrite a results.json the grader did not write. */
async function refuseForeignResults(outDir: string, force: boolean): Promise<void> {
  if (force) return;
  const file = path.join(outDir, 'results.json');
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (classifyExisting(text) !== 'foreign') return;
  throw new InputError(`${file} istnieje i nie został utworzony przez buildx-grader. Wskaż inny --out albo użyj --force.`);
}

function printSummary(result: GradeResult, outDir: string, formats: ReportFormat[]): void {
  console.log(`\n${result.student.name} (${result.student.id})`);
  printChecks(result.checks);
  for (const b of result.builds) {
    const steps = b.steps.map((s) => `${s.platform} ${s.cached}/${s.total} CACHED`).join(', ');
    console.log(`Budowanie ${b.n}: ${(b.durationMs / 1000).toFixed(1)} s, kod ${b.exitCode ?? '—'}${steps ? `, ${steps}` : ''}`);
  }
  console.log(`\n${result.score.grade}`);
  if (result.needsRegrade) console.log('Uwaga: część sprawdzeń nie do oceny (awaria infrastruktury) — oceń ponownie.');
  const files = ['results.json', ...formats.map((f) => `raport.${f}`), 'logs/'].join(', ');
  console.log(`Wyniki: ${path.relative(process.cwd(), outDir) || '.'}/ (${files})`);
}
