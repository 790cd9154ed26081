/**
 * `grader review`: records the instructor's decision on one student's check in overrides.json and
 * computes that student's result, reports and the batch summary again from the stored results.
 */
import path from 'node:path';
import { writeSummary, SUMMARY_FILES } from '../batch/write-summary.ts';
import { ExitCode, InputError } from '../errors.ts';
import { closeBrowser } from '../report/browser.ts';
import { oneLine } from '../report/escape.ts';
import { STATUS_LABEL, decisionVerdict, formatDate } from '../report/labels.ts';
import { planReports, type ReportFormat } from '../report/write-reports.ts';
import { CHECK_IDS, type CheckId } from '../results/types.ts';
import { loadRubric } from '../rubric/load-rubric.ts';
import { plural } from '../submission/json-input.ts';
import { writeJsonAtomic } from '../util/write-atomic.ts';
import { applyOverrides } from '../review/apply.ts';
import { loadOverrides, upsertDecision, type Decision, type DecisionStatus } from '../review/overrides.ts';
import { openReviewDir, readDecisions, resultsFileOf, saveStudent } from '../review/review-dir.ts';
import { assertSameRubric } from '../review/with-decisions.ts';
import { parseFlags } from './args.ts';
import type { CommandContext } from './commands.ts';
import { warnPdfSkipped } from './output.ts';

export const HELP = `Użycie: grader review <katalog-wyników> --student ID --check SPRAWDZENIE --status pass|fail
                     [--partial 0..1] --comment "TEKST" [--by "KTO"] [--format md|pdf|md,pdf] [--rubric PLIK]
       grader review <katalog-wyników> --list [--student ID]

Zapisuje decyzję prowadzącego dla jednego studenta i jednego sprawdzenia w pliku
<katalog-wyników>/overrides.json (zastępuje wcześniejszą decyzję dla tej pary), a potem
od nowa liczy punkty studenta i tworzy jego results.json i raport — z zapisanych wyników,
bez budowania obrazów i bez połączeń z rejestrem. W katalogu grader batch odświeża też
podsumowanie (summary.csv, summary.md). Raport pokazuje decyzję z komentarzem obok
werdyktu programu, który zastąpiła.

<katalog-wyników> to katalog --out polecenia grader grade (z plikiem results.json)
albo grader batch (z podkatalogami studentów).

Opcje:
  --student ID          identyfikator studenta (student.id w results.json)
  --check SPRAWDZENIE   identyfikator sprawdzenia z rubryki, np. cache.hit
  --status pass|fail    decyzja: zaliczone (pass) albo niezaliczone (fail)
  --partial 0..1        część punktów, np. 0.5 = połowa (domyślnie: wszystkie przy pass, zero przy fail)
  --comment "TEKST"     uzasadnienie (wymagane); trafia do raportu studenta
  --by "KTO"            kto podjął decyzję
  --format md|pdf|md,pdf  które raporty utworzyć (domyślnie: md)
  --rubric PLIK         rubryka użyta przy ocenie (domyślnie: rubrics/lab7.json)
  --list                wypisz zapisane decyzje (z --student: tylko tego studenta)
  -h, --help            ta pomoc

Przykłady:
  grader review reports --student s99656 --check cache.hit --status pass \\
      --comment "Trafienia cache widać w logu drugiego budowania w sprawozdaniu."
  grader review reports/s99656 --check builder.container --student s99656 --status pass \\
      --partial 0.5 --comment "Builder utworzony, ale bez --use." --by "dr Jan Nowak" --format md,pdf
  grader review reports --list

Plik overrides.json można też edytować ręcznie; grader report i grader batch --resume
uwzględniają go przy odtwarzaniu raportów.
Kody wyjścia: 0 decyzja zapisana, 2 błędne dane wejściowe (np. nieznany student
lub sprawdzenie), 3 awaria (np. przeglądarka nie uruchomiła się), 130 przerwano.`;

const FORMATS = new Set<ReportFormat>(['md', 'pdf']);

export async function run(argv: string[], _ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    student: { type: 'string' },
    check: { type: 'string' },
    status: { type: 'string' },
    partial: { type: 'string' },
    comment: { type: 'string' },
    by: { type: 'string' },
    format: { type: 'string', default: 'md' },
    rubric: { type: 'string' },
    list: { type: 'boolean', default: false },
  }, 'review');
  if (values.help) {
    console.log(HELP);
    return ExitCode.ok;
  }
  if (positionals.length !== 1) {
    throw new InputError(positionals.length === 0
      ? 'Podaj katalog wyników (grader grade --out albo grader batch --out). Pomoc: grader review --help'
      : `Oczekiwano jednego katalogu wyników, podano ${positionals.length}.`);
  }
  const dir = path.resolve(positionals[0]!);
  if (values.list) return list(dir, values.student);

  const formats = formatsOf(values.format!);
  const decision = decisionOf(values);
  const rubric = await loadRubric(values.rubric);
  if (!rubric.checks.some((c) => c.id === decision.check)) {
    throw new InputError(`--check: rubryka „${rubric.id}” nie ocenia sprawdzenia „${decision.check}” (ocenia: ${rubric.checks.map((c) => c.id).join(', ')}).`);
  }
  const target = await openReviewDir(dir);
  const matching = target.students.filter((s) => s.result.student.id === decision.student);
  if (matching.length === 0) {
    const known = target.students.map((s) => s.result.student.id);
    throw new InputError(`--student: w ${dir} nie ma wyniku studenta „${decision.student}”.`, known.length ? [`są wyniki studentów: ${known.join(', ')}`] : []);
  }
  const student = matching[0]!;
  if (matching.length > 1) {
    throw new InputError(`--student: student „${decision.student}” ma wyniki w kilku folderach (${matching.map((s) => s.key).join(', ')}); decyzja byłaby niejednoznaczna.`);
  }
  assertSameRubric(student, rubric, resultsFileOf(target, student.key));
  // The whole file is checked before it is written, so a bad hand edit is reported, not kept.
  const existing = await readDecisions(target, rubric);
  const decisions = upsertDecision(existing.decisions, decision);
  await writeJsonAtomic(target.overridesFile, { ...existing, decisions });
  console.log(`zapisano decyzję: ${target.overridesFile}`);

  const plan = await planReports(formats);
  try {
    const updated = applyOverrides(student.result, decisions, rubric);
    const written = await saveStudent(target, student.key, updated, rubric, plan.formats);
    const check = updated.checks.find((c) => c.id === decision.check);
    if (check?.override) console.log(`${decision.student} ${decision.check}: ${decisionVerdict(check.status, check.partial, check.override)}`);
    console.log(`Ocena: ${updated.score.grade}`);
    console.log(`zapisano: ${resultsFileOf(target, student.key)}`);
    for (const file of Object.values(written?.files ?? {})) console.log(`zapisano: ${file}`);
    if (target.kind === 'batch') {
      const summary = await writeSummary(target.dir, target.keys, rubric, { pdf: plan.formats.includes('pdf') });
      for (const file of summary.files) console.log(`zapisano: ${file}`);
      if (summary.pdfError) process.stderr.write(`Uwaga: nie powstał ${SUMMARY_FILES.pdf}: ${summary.pdfError}\n`);
    }
    if (plan.pdfSkipped) {
      warnPdfSkipped(plan.pdfSkipped, 'raport PDF', `grader report ${path.relative(process.cwd(), resultsFileOf(target, student.key))} --format pdf`);
    }
  } finally {
    await closeBrowser();
  }
  return ExitCode.ok;
}

function formatsOf(value: string): ReportFormat[] {
  const parts = value === 'both' ? ['md', 'pdf'] : value.split(',').map((f) => f.trim());
  const bad = parts.filter((f) => !FORMATS.has(f as ReportFormat));
  if (bad.length || parts.length === 0) throw new InputError(`--format: nieznany format „${value}” (dozwolone: md, pdf, md,pdf).`);
  return [...new Set(parts as ReportFormat[])];
}

interface DecisionFlags {
  student?: string;
  check?: string;
  status?: string;
  partial?: string;
  comment?: string;
  by?: string;
}

/** The decision the flags describe; every missing or wrong flag is named at once. */
function decisionOf(v: DecisionFlags): Decision {
  const problems: string[] = [];
  const student = v.student?.trim();
  if (!student) problems.push('--student: podaj identyfikator studenta, np. --student s99656');
  if (!v.check) problems.push('--check: podaj sprawdzenie, np. --check cache.hit');
  else if (!(CHECK_IDS as readonly string[]).includes(v.check)) problems.push(`--check: nieznany identyfikator sprawdzenia „${v.check}” (ta wersja programu zna: ${CHECK_IDS.join(', ')})`);
  if (v.status !== 'pass' && v.status !== 'fail') problems.push(`--status: podaj pass (zaliczone) albo fail (niezaliczone)${v.status ? `, podano „${v.status}”` : ''}`);
  const partial = v.partial === undefined ? undefined : Number(v.partial.replace(',', '.'));
  if (partial !== undefined && !(Number.isFinite(partial) && partial >= 0 && partial <= 1)) {
    problems.push(`--partial: podaj liczbę od 0 do 1, np. 0.5; podano „${v.partial}”`);
  }
  const comment = v.comment?.trim();
  if (!comment) problems.push('--comment: podaj uzasadnienie decyzji (trafia do raportu studenta)');
  const by = v.by?.trim();
  if (problems.length) {
    const what = problems.length === 1 ? problems[0] : `${problems.length} ${plural(problems.length, 'problem', 'problemy', 'problemów')}`;
    throw new InputError(`Błędne opcje polecenia „review”: ${what}. Pomoc: grader review --help`, problems.length === 1 ? [] : problems);
  }
  return {
    student: student!,
    check: v.check as CheckId,
    status: v.status as DecisionStatus,
    ...(partial !== undefined ? { partial } : {}),
    comment: comment!,
    ...(by ? { by } : {}),
    at: new Date().toISOString(),
  };
}

/** `--list`: the decisions as the instructor wrote them, one per line. */
async function list(dir: string, student: string | undefined): Promise<number> {
  const file = (await openReviewDir(dir)).overridesFile;
  const decisions = ((await loadOverrides(file))?.decisions ?? []).filter((d) => student === undefined || d.student === student);
  if (decisions.length === 0) {
    console.log(`Brak decyzji prowadzącego${student ? ` dla studenta ${student}` : ''} w ${file}.`);
    return ExitCode.ok;
  }
  for (const d of decisions) {
    const share = d.partial !== undefined ? `, ${Math.round(d.partial * 100)}% punktów` : '';
    const who = [d.by && oneLine(d.by, 100), d.at && formatDate(d.at)].filter(Boolean).join(', ');
    console.log(`${oneLine(d.student, 100)} ${d.check}: ${STATUS_LABEL[d.status]}${share} — ${oneLine(d.comment)}${who ? ` (${who})` : ''}`);
  }
  return ExitCode.ok;
}
