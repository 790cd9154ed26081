/** `grader batch`: grades a whole group (folder of submissions or roster CSV) into one out dir. */
import path from 'node:path';
import { defaultConcurrency, runBatch, GRADESCOPE_DIR } from '../batch/run-batch.ts';
import type { RerunMode } from '../batch/existing.ts';
import { createProgressReporter } from '../batch/progress-reporter.ts';
import { writeSummary, SUMMARY_FILES } from '../batch/write-summary.ts';
import { newRunId } from '../docker/docker.ts';
import { ExitCode, InputError } from '../errors.ts';
import { closeBrowser } from '../report/browser.ts';
import { planReports, type ReportFormat } from '../report/write-reports.ts';
import { loadRubric } from '../rubric/load-rubric.ts';
import { applyDirOverrides, precheckOverrides } from '../review/review-dir.ts';
import { durationFlag, intFlag, parseFlags } from './args.ts';
import type { CommandContext } from './commands.ts';
import { ISOLATION_HELP, ISOLATION_OPTIONS, isolationFromFlags } from './isolation-flag.ts';
import { warnPdfSkipped } from './output.ts';

const HELP = `Użycie: grader batch <katalog-prac | lista.csv> [-j N] [--out KATALOG] [--rubric PLIK]
                    [--resume | --force | --retry-errors] [--export gradescope]
                    [--isolation auto|container|prune] [--yes] [--timeout CZAS] [--build-timeout CZAS]
                    [--format both|md|pdf|none] [--insecure HOST]... [--fetch-images]

Ocenia wszystkie prace: każdy podkatalog to jedno repozytorium studenta, tak jak je oddał
(submission.json nie jest potrzebny: Dockerfile, skrypty i sprawozdanie wystarczą),
albo każdy wiersz listy CSV (nagłówek: id, name, source, image, cache; source to adres
git — klonowany płytko, bez submodułów i bez hooków — albo katalog względny wobec pliku).
Błąd, przekroczenie czasu lub zły submission.json jednego studenta jest zapisywany
w jego wyniku, a ocena pozostałych trwa dalej.

Wyniki w KATALOGU (domyślnie reports/):
  <student>/results.json, raport.md, raport.pdf, logs/   wynik każdej pracy
  summary.csv (UTF-8 z BOM), summary.md, summary.pdf       podsumowanie grupy
  gradescope/<student>/results.json                       z --export gradescope

Opcje:
  -j, --jobs N          ile prac naraz (domyślnie ${defaultConcurrency()}: połowa rdzeni); budowania na wspólnym
                        silniku (--isolation prune) i tak idą po kolei
  --resume              pomiń prace z kompletnym wynikiem, oceń pozostałe (po przerwaniu)
  --retry-errors        oceń ponownie tylko prace „nie do oceny” (awaria infrastruktury)
  --force               oceń wszystkich od nowa, nadpisując wcześniejsze wyniki
  --export gradescope   zapisz też wyniki w formacie results.json Gradescope
  --timeout CZAS        limit czasu oceny jednej pracy (domyślnie 30m)
  --build-timeout CZAS  limit jednego budowania (domyślnie 20m, nie więcej niż --timeout)
                        CZAS: 90s, 5m, 1h albo sama liczba minut
${ISOLATION_HELP}
  --rubric, --format, --insecure, --fetch-images: jak w grader grade

Bez --resume/--force/--retry-errors katalog z wcześniejszymi wynikami nie jest ruszany.
Decyzje prowadzącego z KATALOG/overrides.json (grader review) obowiązują też po ponownej ocenie.
Ctrl-C: trwające oceny sprzątają po sobie, ukończone zostają; dokończ przez --resume.

Raport PDF wymaga przeglądarki Chrome, Chromium albo Edge; bez niej powstaje tylko
Markdown (z ostrzeżeniem), a kod wyjścia się nie zmienia.

Kody wyjścia: 0 wszystkie prace ocenione (także niezaliczone), 2 błędne dane,
3 któraś praca nie do oceny (awaria infrastruktury), 130 przerwano.`;

const FORMATS: Record<string, ReportFormat[]> = { both: ['md', 'pdf'], md: ['md'], pdf: ['pdf'], none: [] };

export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    jobs: { type: 'string', short: 'j' },
    out: { type: 'string', default: 'reports' },
    rubric: { type: 'string' },
    resume: { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
    'retry-errors': { type: 'boolean', default: false },
    export: { type: 'string' },
    ...ISOLATION_OPTIONS,
    timeout: { type: 'string' },
    'build-timeout': { type: 'string' },
    format: { type: 'string', default: 'both' },
    insecure: { type: 'string', multiple: true },
    'fetch-images': { type: 'boolean', default: false },
  }, 'batch');
  if (values.help) {
    console.log(HELP);
    return ExitCode.ok;
  }
  const [input, ...more] = positionals;
  if (!input || more.length) throw new InputError('Polecenie batch wymaga jednego argumentu: katalogu z pracami albo listy CSV, np. grader batch prace/ -j 2');
  const mode = rerunMode(values.resume!, values.force!, values['retry-errors']!);
  const formats = FORMATS[values.format!];
  if (!formats) throw new InputError(`Opcja --format przyjmuje both, md, pdf albo none; podano „${values.format}”.`);
  if (values.export !== undefined && values.export !== 'gradescope') throw new InputError(`Opcja --export przyjmuje tylko „gradescope”; podano „${values.export}”.`);
  const concurrency = intFlag(values.jobs, '--jobs', { min: 1, fallback: defaultConcurrency() });
  const studentTimeoutMs = durationFlag(values.timeout, '--timeout', 30 * 60_000);
  const buildTimeoutMs = Math.min(durationFlag(values['build-timeout'], '--build-timeout', 20 * 60_000), studentTimeoutMs);
  const isolation = await isolationFromFlags(values, ctx.signal);
  const rubric = await loadRubric(values.rubric);
  const outDir = path.resolve(values.out!);
  await precheckOverrides(outDir, rubric);

  // Decided once for the whole group: without a browser every student gets raport.md instead.
  const reports = await planReports(formats);
  const started = Date.now();
  const runId = newRunId();
  process.stderr.write(`Przebieg ${runId}: ${path.relative(process.cwd(), outDir) || '.'}/ (po awarii: grader cleanup --run ${runId})\n`);
  const reporter = createProgressReporter(process.stderr, started);
  try {
    const batch = await runBatch({
      input, outDir, rubric, concurrency, mode,
      isolation,
      insecureHosts: values.insecure ?? [],
      buildTimeoutMs,
      fetchImages: values['fetch-images']!,
      studentTimeoutMs,
      formats: reports.formats,
      exportGradescope: values.export === 'gradescope',
      signal: ctx.signal,
      reporter,
      runId,
    });
    const keys = batch.students.map((s) => s.job.key);
    const decided = await applyDirOverrides(outDir, rubric, reports.formats);
    if (decided.length) console.log(`Uwzględniono decyzje prowadzącego (overrides.json): ${decided.join(', ')}`);
    const summary = await writeSummary(outDir, keys, rubric, {
      pdf: reports.formats.includes('pdf'),
      command: `grader batch ${input} --out ${path.relative(process.cwd(), outDir) || '.'} --retry-errors`,
    });
    printEnd(batch.students.length, batch.outcomes.length, summary.rows, summary.files, batch.ignored, values.export === 'gradescope' ? outDir : undefined);
    if (summary.pdfError) process.stderr.write(`Uwaga: nie powstał ${SUMMARY_FILES.pdf}: ${summary.pdfError}\n`);
    if (reports.pdfSkipped) {
      const rel = path.relative(process.cwd(), outDir) || '.';
      warnPdfSkipped(reports.pdfSkipped, `raporty PDF (raport.pdf, ${SUMMARY_FILES.pdf})`, `grader report ${path.join(rel, '<student>', 'results.json')} --format pdf`);
    }
    const troubled = summary.rows.filter((r) => r.status === 'nie do oceny' || r.status === 'brak wyniku');
    return troubled.length ? ExitCode.infrastructure : ExitCode.ok;
  } finally {
    await closeBrowser();
  }
}

function rerunMode(resume: boolean, force: boolean, retryErrors: boolean): RerunMode {
  if (force && (resume || retryErrors)) throw new InputError('Opcji --force nie można łączyć z --resume ani --retry-errors: --force ocenia wszystkich od nowa.');
  if (force) return 'force';
  if (resume) return 'resume'; // --resume already grades the "nie do oceny" ones again
  if (retryErrors) return 'retry-errors';
  return 'fresh';
}

function printEnd(total: number, graded: number, rows: { status: string; key: string; cause?: string }[], files: string[], ignored: string[], gradescopeOf?: string): void {
  const n = (s: string) => rows.filter((r) => r.status === s).length;
  const rel = (p: string) => path.relative(process.cwd(), p) || '.';
  const lines = [
    '',
    `Prace: ${total} (ocenione teraz: ${graded}, wcześniej: ${total - graded}) — zaliczone: ${n('zaliczone')}, niezaliczone: ${n('niezaliczone')}, nie do oceny: ${n('nie do oceny')}${n('brak wyniku') ? `, bez wyniku: ${n('brak wyniku')}` : ''}`,
  ];
  for (const r of rows.filter((x) => x.status === 'nie do oceny')) lines.push(`  nie do oceny: ${r.key} — ${r.cause ?? ''}`);
  if (n('nie do oceny')) lines.push('  Oceń je ponownie z opcją --retry-errors.');
  if (ignored.length) lines.push(`Pominięte katalogi bez pracy (bez submission.json, Dockerfile, sprawozdania i skryptu): ${ignored.join(', ')}`);
  lines.push(`Podsumowanie: ${files.map(rel).join(', ')}`);
  if (gradescopeOf) lines.push(`Gradescope: ${rel(path.join(gradescopeOf, GRADESCOPE_DIR))}/<student>/results.json`);
  console.log(lines.join('\n'));
}
