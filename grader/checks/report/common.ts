/**
 * What the report checks read: every report file the student handed in, read by the report
 * reader, plus the text OCR read from its screenshots. Pasted text is the student's claim and OCR
 * may misread, so every message says where a fact came from. Pure.
 */
import type { ParsedCommand } from '../../commands/types.ts';
import type { CheckId, CheckResult, Evidence } from '../../results/types.ts';
import type { EvidenceLine, ReportImage, ReportOutput, StudentReport } from '../../student-report/types.ts';

export interface ScreenshotReading {
  image: ReportImage;
  status: 'read' | 'unreadable' | 'skipped';
  /** Polish: why it was not read (remote images need --fetch-images, OCR missing, too big...). */
  reason?: string;
  /** The OCR text read as a plain report (confidence `ocr`). */
  report?: StudentReport;
}

export interface ReportEvidence {
  /** Report files found (relative paths), whether or not they could be read. */
  files: string[];
  reports: StudentReport[];
  /** Report files that could not be read at all, with the reason. */
  unreadable: { file: string; reason: string }[];
  screenshots: ScreenshotReading[];
}

export interface Found<T> {
  item: T;
  report: StudentReport;
}

/** Everything typed or pasted in the reports, then what OCR read from screenshots. */
export function allReports(e: ReportEvidence): StudentReport[] {
  return [...e.reports, ...e.screenshots.flatMap((s) => (s.report ? [s.report] : []))];
}

export function commandsOf(e: ReportEvidence): Found<ParsedCommand>[] {
  return allReports(e).flatMap((report) => report.commands.map((c) => ({ item: c.parsed, report })));
}

export function outputsOf<K extends ReportOutput['kind']>(e: ReportEvidence, kind: K): Found<Extract<ReportOutput, { kind: K }>>[] {
  return allReports(e).flatMap((report) =>
    report.outputs.filter((o): o is Extract<ReportOutput, { kind: K }> => o.kind === kind).map((item) => ({ item, report })));
}

/** `plik, wiersz N` (for a PDF also the page), and for OCR the screenshot it was read from. */
export function where(report: StudentReport, line: number): string {
  if (report.confidence === 'ocr') return `zrzut ekranu ${report.file} (odczyt OCR, wiersz ${line})`;
  const page = report.pageStarts ? report.pageStarts.filter((start) => start <= line).length : 0;
  // The line counts through the whole extracted text; the page helps find it in the PDF.
  return `${report.file}, wiersz ${line}${page > 0 ? `, na stronie ${page}` : ''}`;
}

export function ocrNote(found: readonly Found<unknown>[]): string {
  return found.some((f) => f.report.confidence === 'ocr') ? ' Odczytano to ze zrzutu ekranu (OCR), więc pewność jest niższa niż przy tekście.' : '';
}

/** How far above a screenshot its caption or the command it shows is written. */
const CONTEXT_LINES = 12;

/** The report text just above an image: what the student says the screenshot shows. */
function textBefore(e: ReportEvidence, s: ScreenshotReading): string {
  const report = e.reports.find((r) => r.file === s.image.file);
  if (!report) return '';
  const near = (line: number, end = line) => end >= s.image.line - CONTEXT_LINES && line <= s.image.line;
  return [
    ...report.paragraphs.filter((p) => near(p.line, p.endLine)).map((p) => p.text),
    ...report.codeBlocks.filter((b) => near(b.line, b.endLine)).map((b) => b.content),
    ...report.sections.filter((h) => near(h.line)).map((h) => h.title),
    s.image.alt,
  ].join('\n');
}

/**
 * Screenshots that may hold what the text does not show: not read, and captioned (by the text
 * just above them) with something `relevant`, so a person must look.
 */
export function unreadScreenshots(e: ReportEvidence, relevant: RegExp): ScreenshotReading[] {
  return e.screenshots.filter((s) => s.status !== 'read' && relevant.test(textBefore(e, s)));
}

export function quoteLines(title: string, lines: readonly EvidenceLine[]): Evidence {
  return { kind: 'log', title, lines: lines.map((l) => ({ n: l.line, text: l.text, highlight: true })), ...(lines[0] ? { file: lines[0].file } : {}) };
}

export function commandEvidence(title: string, found: readonly Found<ParsedCommand>[]): Evidence {
  return {
    kind: 'table',
    title,
    columns: ['Źródło', 'Polecenie'],
    rows: found.map((f) => [where(f.report, f.item.source.line), f.item.text.length > 300 ? `${f.item.text.slice(0, 297)}...` : f.item.text]),
  };
}

/** No report file at all: nothing to check, and the student's failure (the lab asks for one). */
export function noReport(id: CheckId, e: ReportEvidence): CheckResult | undefined {
  if (e.reports.length > 0 || e.files.length > 0) return undefined;
  return {
    id,
    status: 'fail',
    message: 'Brak dowodu: w pracy nie ma sprawozdania (pliku .md, .txt, .pdf ani .docx z opisem wykonania).',
    hint: 'Dodaj sprawozdanie (np. sprawozdanie.md) z poleceniami i wklejonymi wynikami, o które prosi laboratorium.',
    evidence: [],
  };
}

/**
 * "do sprawdzenia ręcznie": the text does not show it, but screenshots that were not read may.
 * Neither pass nor fail; the summary lists it for the instructor.
 */
export function manualCheck(id: CheckId, what: string, e: ReportEvidence, relevant: RegExp): CheckResult | undefined {
  const unread = unreadScreenshots(e, relevant);
  if (unread.length === 0) return undefined;
  return {
    id,
    status: 'manual',
    message: `Do sprawdzenia ręcznie: tekst sprawozdania nie pokazuje ${what}, a ${unread.length === 1 ? 'zrzut ekranu, który może to pokazywać, nie został odczytany' : `zrzuty ekranu (${unread.length}), które mogą to pokazywać, nie zostały odczytane`}.`,
    hint: 'Wklej wynik jako tekst (blok kodu) zamiast zrzutu ekranu: tekst da się sprawdzić automatycznie.',
    evidence: [{
      kind: 'table',
      title: 'Zrzuty ekranu do obejrzenia',
      columns: ['Źródło', 'Obraz', 'Dlaczego nie odczytano'],
      rows: unread.map((s) => [`${s.image.file}, wiersz ${s.image.line}`, s.image.src.length > 120 ? `${s.image.src.slice(0, 117)}...` : s.image.src, s.reason ?? '—']),
    }],
  };
}
