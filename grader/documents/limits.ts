/**
 * Limits of the report readers (issue 13, "Limits"): a submission is untrusted, so every reader
 * stops at a fixed size, count or time and says so in Polish instead of hanging or crashing.
 */
import { formatDuration } from '../util/duration.ts';
import { plural } from '../submission/json-input.ts';

const MIB = 1024 * 1024;

export interface DocumentLimits {
  /** Size of the report file itself (a real one with screenshots is a few MiB). */
  reportBytes: number;
  /** Wall time of one reader (PDF, DOCX, text) including its external tools. */
  readerTimeMs: number;
  /** Pages of a PDF report. */
  pdfPages: number;
  /** Text a PDF yields; more than this from a 20 MiB file means something is wrong with it. */
  textBytes: number;
  /** Sum of the sizes a DOCX declares for its entries, checked before anything is inflated. */
  docxUnpackedBytes: number;
  /** Entries in a DOCX (Word writes a few dozen plus one per image). */
  docxEntries: number;
  /** Images OCR'd per report: local, remote and those inside a PDF or DOCX together. */
  ocrImages: number;
  /** Remote images fetched per report (only with the instructor's option). */
  remoteImages: number;
  /** Size of one image (file, download or embedded). */
  imageBytes: number;
  /** Pixels of one image, from its header: a small file may declare a huge bitmap. */
  imagePixels: number;
  /** OCR of one image. */
  ocrTimeMs: number;
  /** OCR of all images of one report. */
  ocrTotalTimeMs: number;
  /** Fetching one remote image, redirects included. */
  remoteTimeMs: number;
  /** Redirects followed for one remote image (GitHub attachments redirect once). */
  remoteRedirects: number;
}

export const DOCUMENT_LIMITS: Readonly<DocumentLimits> = Object.freeze({
  reportBytes: 20 * MIB,
  readerTimeMs: 60_000,
  pdfPages: 300,
  textBytes: 16 * MIB,
  docxUnpackedBytes: 50 * MIB,
  docxEntries: 1_000,
  ocrImages: 30,
  remoteImages: 20,
  imageBytes: 10 * MIB,
  imagePixels: 40_000_000,
  // A 1920×1080 terminal screenshot takes about 1 s on one core.
  ocrTimeMs: 30_000,
  ocrTotalTimeMs: 5 * 60_000,
  remoteTimeMs: 20_000,
  remoteRedirects: 3,
});

export type LimitName = keyof DocumentLimits;

/** A limit that was reached: its value, and what was seen when known. */
export interface LimitHit {
  name: LimitName;
  max: number;
  actual?: number;
}

/** What reaching a limit means for the student, in Polish. */
export function limitMessage(hit: LimitHit): string {
  const { name, max, actual } = hit;
  // "Plik ma 50 MiB, a grader czyta do 20 MiB." when the seen value is known, else "Plik jest za duży: grader czyta do 20 MiB."
  const seen = (lead: string, format: (n: number) => string, unknown: string, rest: string) =>
    actual === undefined ? `${unknown}: ${rest}` : `${lead} ${format(actual)}, a ${rest}`;
  switch (name) {
    case 'reportBytes':
      return (
        seen('Plik sprawozdania ma', size, 'Plik sprawozdania jest za duży', `grader czyta sprawozdania do ${size(max)}.`) +
        ' Zmniejsz plik (np. zrzuty ekranu w mniejszej rozdzielczości) albo oddaj sprawozdanie w Markdown z obrazami w osobnych plikach.'
      );
    case 'readerTimeMs':
      return `Odczyt sprawozdania trwał dłużej niż ${formatDuration(max)} i został przerwany. Zapisz plik ponownie (np. jako PDF z edytora) albo oddaj sprawozdanie w Markdown.`;
    case 'pdfPages':
      return seen('Sprawozdanie w PDF ma', pages, 'Sprawozdanie w PDF ma za dużo stron', `grader czyta najwyżej ${pages(max)}.`);
    case 'textBytes':
      return `Tekst wydobyty ze sprawozdania przekracza ${size(max)}; grader nie czyta tak dużych sprawozdań.`;
    case 'docxUnpackedBytes':
      return (
        seen('Plik DOCX po rozpakowaniu zająłby', size, 'Plik DOCX po rozpakowaniu jest za duży', `grader rozpakowuje najwyżej ${size(max)}.`) +
        ' Usuń z dokumentu zbędne duże obrazy albo zapisz go jako PDF.'
      );
    case 'docxEntries':
      return seen('Plik DOCX zawiera', entries, 'Plik DOCX składa się z za wielu plików wewnętrznych', `grader przyjmuje najwyżej ${entries(max)}.`) + ' Zapisz dokument ponownie w edytorze albo jako PDF.';
    case 'ocrImages':
      return `Sprawozdanie ma więcej niż ${images(max)} do odczytu (OCR); ten obraz pominięto.`;
    case 'remoteImages':
      return `Sprawozdanie ma więcej niż ${images(max)} w internecie; ten obraz nie został pobrany.`;
    case 'imageBytes':
      return seen('Obraz ma', size, 'Obraz jest za duży', `grader odczytuje obrazy do ${size(max)}.`);
    case 'imagePixels':
      return seen('Obraz ma', megapixels, 'Obraz ma za dużo pikseli', `grader odczytuje obrazy do ${megapixels(max)}.`);
    case 'ocrTimeMs':
      return `Odczyt tekstu z obrazu (OCR) trwał dłużej niż ${formatDuration(max)} i został przerwany.`;
    case 'ocrTotalTimeMs':
      return `Odczyt obrazów sprawozdania (OCR) trwał łącznie dłużej niż ${formatDuration(max)}; ten obraz pominięto.`;
    case 'remoteTimeMs':
      return `Pobieranie obrazu trwało dłużej niż ${formatDuration(max)} i zostało przerwane.`;
    case 'remoteRedirects':
      return `Adres obrazu przekierowuje więcej niż ${max} ${plural(max, 'raz', 'razy', 'razy')}; obrazu nie pobrano.`;
  }
}

/** The limits in force: the defaults, each optionally overridden (tests use smaller ones). */
export function effectiveLimits(overrides: Partial<DocumentLimits> = {}): DocumentLimits {
  return { ...DOCUMENT_LIMITS, ...overrides };
}

const DECIMAL = new Intl.NumberFormat('pl-PL', { maximumFractionDigits: 1 });
const INTEGER = new Intl.NumberFormat('pl-PL');

/** Bytes in Polish: "20 MiB", "512 KiB", "300 B". */
export function size(bytes: number): string {
  if (bytes >= MIB) return `${DECIMAL.format(bytes / MIB)} MiB`;
  if (bytes >= 1024) return `${DECIMAL.format(bytes / 1024)} KiB`;
  return `${INTEGER.format(bytes)} B`;
}

const pages = (n: number) => `${INTEGER.format(n)} ${plural(n, 'stronę', 'strony', 'stron')}`;
const entries = (n: number) => `${INTEGER.format(n)} ${plural(n, 'plik wewnętrzny', 'pliki wewnętrzne', 'plików wewnętrznych')}`;
const images = (n: number) => `${INTEGER.format(n)} ${plural(n, 'obraz', 'obrazy', 'obrazów')}`;
const megapixels = (n: number) => `${DECIMAL.format(n / 1_000_000)} Mpx`;
