/** `grader read`: what a student's report shows (commands, pasted output, screenshots), with no Docker needed. */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { readDocument, reportTextInput } from '../documents/read-document.ts';
import { ExitCode, InputError } from '../errors.ts';
import {
  decodeReportBytes, describeInputError, describeReport, readReport, REPORT_LIMITS, reportJson, type ReportCommand, type ReportInputError, type ReportTextInput,
} from '../student-report/index.ts';
import { addSecret, redact } from '../util/redact.ts';
import { REPORT_CHECK_IDS, reportChecks } from '../checks/report/index.ts';
import { requirementsOf, type Requirement } from '../checks/report/requirements.ts';
import { parseFlags } from './args.ts';
import type { CommandContext } from './commands.ts';

export const HELP = `Użycie: grader read <sprawozdanie> [--json]

Czyta sprawozdanie studenta (Markdown, zwykły tekst, PDF albo DOCX) i pokazuje, co w nim jest:
sekcje, polecenia (z numerem wiersza), wklejone wyjścia programów (log budowania:
import i eksport cache, kroki CACHED dla każdej platformy, sterownik buildera;
manifest z platformami; odpowiedzi rejestru; garbage-collect) i zrzuty ekranu.
Na końcu ocenia wymagania sprawozdania (report.twoBuilds, report.platforms, report.manifest,
report.cacheEvidence, report.builder, report.registry7, report.cacheTo, report.bonus) tak jak
grader grade, tylko bez odczytu zrzutów ekranu (te są „do sprawdzenia ręcznie”).
Wklejony tekst to deklaracja studenta, nie wynik odtworzenia. Nie potrzebuje Dockera.

Opcje:
  --json       jeden obiekt JSON na standardowym wyjściu
  -h, --help   ta pomoc

Przykłady:
  grader read sprawozdanie.md
  grader read ~/prace/s12345/zadanie1_dod.md --json > odczyt.json
  grader read notatki.txt

Pliki .txt, .log i .text są czytane jako zwykły tekst, PDF i DOCX po wyciągnięciu tekstu
(PDF: pdftotext z poppler-utils), pozostałe jako Markdown.
Kody wyjścia: 0 odczytano, 2 brak pliku, plik nie jest tekstem, PDF ani DOCX albo jest za duży.`;

const PLAIN_EXTENSIONS = new Set(['.txt', '.log', '.text']);
const REQUIREMENT_MARK: Record<Requirement['status'], string> = { pass: '✔', fail: '✘', partial: '½', manual: '👁' };

export async function run(argv: string[], _ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' } }, 'read');
  if (values.help) {
    console.log(HELP);
    return ExitCode.ok;
  }
  if (positionals.length !== 1) {
    throw new InputError(positionals.length === 0 ? 'Podaj plik sprawozdania, np. grader read sprawozdanie.md' : `Polecenie read czyta jeden plik, podano ${positionals.length}.`);
  }
  const file = positionals[0]!;
  const decoded = decodeReportBytes(await readReportFile(file), file);
  let input: ReportTextInput;
  if (decoded.ok) input = { file, text: decoded.text, format: PLAIN_EXTENSIONS.has(extname(file).toLowerCase()) ? 'plain' : 'markdown' };
  else if (decoded.error.code === 'not-text' && (decoded.error.looksLike === 'pdf' || decoded.error.looksLike === 'zip')) input = await documentInput(file);
  else throw inputError(decoded.error);
  const result = readReport(input);
  if (!result.ok) throw inputError(result.error);
  for (const secret of secretsOf(result.report.commands)) addSecret(secret);
  // The rubric's report checks on this one file; screenshots are not read here (grader grade reads them).
  const requirements = requirementsOf(reportChecks({
    files: [file],
    reports: [result.report],
    unreadable: [],
    screenshots: result.report.images.map((image) => ({ image, status: 'skipped', reason: 'grader read nie odczytuje zrzutów ekranu (robi to grader grade)' })),
  }, REPORT_CHECK_IDS));
  if (values.json) console.log(redact(JSON.stringify({ requirements, ...reportJson(result.report) }, null, 2)));
  else console.log([...describeReport(result.report), '', 'Wymagania sprawozdania:', ...requirements.map((r) => `  ${REQUIREMENT_MARK[r.status]} ${r.id}: ${r.message}`)].map(redact).join('\n'));
  return ExitCode.ok;
}

/** A PDF or DOCX report as text, through the same readers grader grade uses (poppler, the DOCX reader). */
async function documentInput(file: string): Promise<ReportTextInput> {
  const absolute = resolve(file);
  const doc = await readDocument(basename(absolute), { root: dirname(absolute) });
  if (!doc.ok) throw new InputError(`Nie można odczytać sprawozdania ${file}: ${doc.message}`);
  if (doc.kind !== 'pdf' && doc.kind !== 'docx') throw new InputError(`${file} nie jest ani tekstem, ani plikiem PDF lub DOCX.`);
  return reportTextInput(file, doc);
}

/** The file's bytes; its size is checked first, so a huge file is refused without being read. */
async function readReportFile(file: string): Promise<Buffer> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new InputError(`${file} nie jest plikiem. Podaj plik sprawozdania, np. sprawozdanie.md.`);
    if (info.size > REPORT_LIMITS.maxBytes) throw inputError({ code: 'too-large', file, bytes: info.size, limit: REPORT_LIMITS.maxBytes });
    return await readFile(file);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'plik nie istnieje' : code === 'EACCES' ? 'brak uprawnień do odczytu' : (error as Error).message;
    throw new InputError(`Nie można odczytać sprawozdania ${file}: ${why}.`, [], { cause: error });
  }
}

function inputError(e: ReportInputError): InputError {
  return new InputError(describeInputError(e));
}

/**
 * Passwords in the student's commands (`curl -u user:password`, `docker login -p password`): redact()
 * finds them in a whole command line, but the JSON also lists each word of argv on its own.
 */
function secretsOf(commands: readonly ReportCommand[]): string[] {
  const out: string[] = [];
  for (const { parsed } of commands) {
    const { argv } = parsed;
    const curl = /^curl(?:\.exe)?$/i.test(argv[0] ?? '');
    const login = argv[0] === 'docker' && argv.includes('login');
    argv.forEach((word, i) => {
      const flag = /^(-u|--user|-p|--password)(?:=(.*))?$/.exec(word);
      if (!flag || !(curl ? flag[1] === '-u' || flag[1] === '--user' : login && (flag[1] === '-p' || flag[1] === '--password'))) return;
      const value = flag[2] ?? argv[i + 1] ?? '';
      // `curl -u user` alone asks for the password: nothing secret is written.
      if (!curl) out.push(value);
      else if (value.includes(':')) out.push(value.slice(value.indexOf(':') + 1));
    });
  }
  return out;
}
