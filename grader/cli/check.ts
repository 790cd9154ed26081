/** `grader check`: a student checks their own work before handing it in. */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { studentChecklist } from '../batch/checklist.ts';
import { quickCheck } from '../batch/quick-check.ts';
import { describeSelfCheck, selfCheckRegistry7 } from '../bonus/self-check.ts';
import { ExitCode, InputError } from '../errors.ts';
import { gradeSubmission, refuseOutputInContext } from '../grade/grade-submission.ts';
import { writeJsonAtomic } from '../util/write-atomic.ts';
import { RegistryClient } from '../registry/client.ts';
import { closeBrowser } from '../report/browser.ts';
import { REPORT_FILES, writeReports, type ReportFormat } from '../report/write-reports.ts';
import { loadRubric } from '../rubric/load-rubric.ts';
import { loadOrDiscover } from '../submission/discover.ts';
import { SUBMISSION_FILE } from '../submission/load-submission.ts';
import { durationFlag, parseFlags } from './args.ts';
import type { CommandContext } from './commands.ts';
import { ISOLATION_HELP, ISOLATION_OPTIONS, isolationFromFlags } from './isolation-flag.ts';
import { exitCodeForChecks, warnPdfSkipped } from './output.ts';

const HELP = `Użycie: grader check [katalog] [--quick] [--registry7 HOST:PORT [--allow-delete]]
                    [--out KATALOG] [--format both|md|pdf|none] [--isolation auto|container|prune] [--yes]
                    [--timeout CZAS] [--insecure HOST]...

Sprawdza Twoją pracę tak, jak zrobi to prowadzący: czyta submission.json (z katalogu,
domyślnie bieżącego), sprawdza opublikowany obraz i cache, dwukrotnie odtwarza budowanie
(chyba że --quick) i wypisuje krótką listę: co jest dobrze, co poprawić, ile punktów.
Raport trafia do KATALOG (domyślnie obok pracy: <katalog>-grader/, bo nic nie może
trafić do kontekstu budowania).

Opcje:
  --quick              tylko opublikowany obraz i cache, bez budowania (szybko, bez Dockera)
  --registry7 H:P      sprawdź też Twój rejestr registry7: czy usuwanie jest włączone
                       (jednorazowy manifest w osobnym repozytorium; Twoich obrazów nie rusza)
  --allow-delete       razem z --registry7: usuń też naprawdę obraz cache z published.cache
  --out KATALOG        gdzie zapisać results.json i raport (poza kontekstem budowania)
  --format F           raporty: both (domyślnie), md, pdf albo none
  --timeout CZAS       limit jednego budowania: 90s, 5m, 1h albo sama liczba minut (domyślnie 20m)
${ISOLATION_HELP}

Brak submission.json? Utwórz go: grader init

Kody wyjścia: 0 wszystko zaliczone, 1 coś do poprawy, 2 błędne dane, 3 awaria (rejestr, Docker), 130 przerwano.`;

const FORMATS: Record<string, ReportFormat[]> = { both: ['md', 'pdf'], md: ['md'], pdf: ['pdf'], none: [] };

export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    quick: { type: 'boolean', default: false },
    registry7: { type: 'string' },
    'allow-delete': { type: 'boolean', default: false },
    out: { type: 'string' },
    format: { type: 'string', default: 'both' },
    ...ISOLATION_OPTIONS,
    timeout: { type: 'string' },
    rubric: { type: 'string' },
    insecure: { type: 'string', multiple: true },
  }, 'check');
  if (values.help) {
    console.log(HELP);
    return ExitCode.ok;
  }
  if (positionals.length > 1) throw new InputError('Polecenie check przyjmuje co najwyżej jeden katalog pracy, np. grader check .');
  const dir = positionals[0] ?? '.';
  const formats = FORMATS[values.format!];
  if (!formats) throw new InputError(`Opcja --format przyjmuje both, md, pdf albo none; podano „${values.format}”.`);
  if (values.registry7 !== undefined && !/^[\w.-]+:\d+$/.test(values.registry7)) throw new InputError(`Opcja --registry7 oczekuje HOST:PORT, np. localhost:5000; podano „${values.registry7}”.`);
  if (values['allow-delete'] && !values.registry7) throw new InputError('Opcja --allow-delete działa tylko razem z --registry7 HOST:PORT.');
  const buildTimeoutMs = durationFlag(values.timeout, '--timeout', 20 * 60_000);

  const isolation = values.quick ? 'auto' : await isolationFromFlags(values, ctx.signal);
  const sub = await loadOrDiscover(dir);
  if (sub.inferred) {
    process.stderr.write(`${sub.file && existsSync(sub.file) ? `${SUBMISSION_FILE} nie podaje wszystkiego` : `Brak ${SUBMISSION_FILE}`}: ustalono z repozytorium (popraw przez grader init --from-report, jeśli coś się nie zgadza):\n`);
    for (const i of sub.inferred) process.stderr.write(`  ${i.field} = ${i.value} (${i.from})\n`);
  }
  const rubric = await loadRubric(values.rubric);
  const outDir = path.resolve(values.out ?? defaultOutDir(sub.dir));
  await refuseOutputInContext(outDir, sub);
  const client = new RegistryClient({ insecureHosts: values.insecure ?? [], signal: ctx.signal });

  const result = values.quick
    ? await quickCheck(sub, rubric, client, await readFile(sub.build.dockerfilePath, 'utf8'))
    : await gradeSubmission(sub, {
      outDir, rubric, isolation, insecureHosts: values.insecure ?? [],
      buildTimeoutMs, signal: ctx.signal,
      onProgress: (m) => process.stderr.write(`… ${m}\n`),
    });
  await writeJsonAtomic(path.join(await ensureDir(outDir), 'results.json'), result);
  let reportNote = '';
  let reports: string[] = [];
  let pdfSkipped: string | undefined;
  if (formats.length) {
    try {
      const written = await writeReports(result, outDir, { formats });
      reports = (Object.keys(written.files) as ReportFormat[]).map((f) => REPORT_FILES[f]);
      pdfSkipped = written.pdfSkipped;
    } catch (error) {
      reportNote = ` (raportu nie zapisano: ${error instanceof Error ? error.message : String(error)})`;
    } finally {
      await closeBrowser();
    }
  }

  console.log(studentChecklist(result, rubric, { quick: values.quick! }).join('\n'));
  let selfOk = true;
  if (values.registry7) {
    const outcome = await selfCheckRegistry7({
      client, registry: values.registry7, allowDelete: values['allow-delete']!,
      ...(sub.published?.cache?.startsWith(`${values.registry7}/`) ? { target: sub.published.cache } : {}),
    });
    const described = describeSelfCheck(outcome);
    selfOk = described.ok;
    console.log(['', 'Twój registry7:', ...described.lines].join('\n'));
  }
  const rel = path.relative(process.cwd(), outDir) || '.';
  console.log(`\nRaport: ${rel}/${reports.join(', ') || 'results.json'}${reportNote}`);
  if (pdfSkipped) warnPdfSkipped(pdfSkipped, 'raport PDF', `grader report ${path.join(rel, 'results.json')} --format pdf`);
  const code = exitCodeForChecks(result.checks);
  return code === ExitCode.ok && !selfOk ? ExitCode.checkFailed : code;
}

/** Beside the submission, not in it: the build context is usually the submission folder itself. */
export function defaultOutDir(submissionDir: string): string {
  return path.join(path.dirname(submissionDir), `${path.basename(submissionDir)}-grader`);
}

async function ensureDir(dir: string): Promise<string> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dir, { recursive: true });
  return dir;
}
