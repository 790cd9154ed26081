/** What the report readers return: text with line numbers, or why there is none; OCR per image. */
import { limitMessage, type LimitHit } from './limits.ts';

export type DocumentKind = 'pdf' | 'docx' | 'text';

/** One line of a report's text, numbered from 1 as evidence quotes it. */
export interface DocumentLine {
  number: number;
  text: string;
  /** PDF page (from 1), so evidence can say "strona N, wiersz M". */
  page?: number;
  /** PDF: the line's number on its page. */
  pageLine?: number;
}

/** An image held inside a PDF or DOCX, ready for OCR (or already given up on, see `skipped`). */
export interface DocumentImage extends ImageInput {
  /** The line of the document's text next to which the image stands. */
  line: number;
}

export interface DocumentText {
  ok: true;
  kind: DocumentKind;
  /** Lines joined by "\n" (no form feeds: `lines[i].page` carries the page). */
  text: string;
  lines: DocumentLine[];
  /** PDF only. */
  pages?: number;
  /** 'ocr': a PDF without a text layer, read from its rendered pages: weaker evidence. */
  confidence: 'text' | 'ocr';
  /** Images inside a PDF or DOCX; a Markdown report names its images itself. */
  images: DocumentImage[];
  durationMs: number;
}

export type DocumentProblemReason =
  | 'missing'
  | 'not-a-file'
  | 'outside-repository'
  | 'unsupported-format'
  | 'damaged'
  | 'encrypted'
  | 'limit-exceeded'
  /** poppler-utils is not installed: the grader's machine, not the student, must be fixed. */
  | 'tool-missing';

export interface DocumentProblem {
  ok: false;
  reason: DocumentProblemReason;
  /** Polish, for the student (or, when `fault` is 'grader', for the instructor). */
  message: string;
  /** Whose to fix: the submission's or the grading machine's. */
  fault: 'submission' | 'grader';
  limit?: LimitHit;
}

export type DocumentResult = DocumentText | DocumentProblem;

/** An image to OCR. */
export interface ImageInput {
  /**
   * As the report names it: a path relative to the report's folder (or to the repository with a
   * leading "/"), an https:// URL or a data: URI; for an image inside a PDF or DOCX, its name there.
   */
  ref: string;
  line?: number;
  page?: number;
  /** The image itself, for one held inside a PDF or DOCX. */
  bytes?: Uint8Array;
  /** Set when a reader already gave up on the image (e.g. over the count limit). */
  skipped?: ImageProblem;
}

export type ImageProblemReason =
  | 'remote-disabled'
  | 'unsupported-address'
  | 'blocked-address'
  | 'outside-repository'
  | 'missing'
  | 'not-a-file'
  | 'wrong-type'
  | 'limit-exceeded'
  | 'fetch-failed'
  | 'damaged'
  | 'no-text'
  /** tesseract-ocr (with Polish and English data) is not installed on the grading machine. */
  | 'ocr-missing'
  | 'ocr-failed';

export interface ImageProblem {
  reason: ImageProblemReason;
  /** Polish, shown next to "do sprawdzenia ręcznie". */
  message: string;
  limit?: LimitHit;
}

interface ImageOcrBase {
  ref: string;
  line?: number;
  page?: number;
}

/**
 * 'read': OCR gave text (evidence with confidence 'ocr'); 'unreadable': it was tried and gave
 * nothing usable; 'skipped': not tried (policy or limit). Both of the latter go to the instructor.
 */
export type ImageOcr =
  | (ImageOcrBase & {
      status: 'read';
      text: string;
      lines: string[];
      confidence: 'ocr';
      /** tesseract's mean word confidence, 0-100. */
      meanConfidence: number;
      durationMs: number;
    })
  | (ImageOcrBase & ImageProblem & { status: 'unreadable' | 'skipped' });

/** A report refused at a limit, with the student-facing reason. */
export function documentOverLimit(limit: LimitHit): DocumentProblem {
  return { ok: false, reason: 'limit-exceeded', fault: 'submission', message: limitMessage(limit), limit };
}

/** An image refused at a limit, with the reason shown next to "do sprawdzenia ręcznie". */
export function imageOverLimit(limit: LimitHit): ImageProblem {
  return { reason: 'limit-exceeded', message: limitMessage(limit), limit };
}

/** How the report lists an image OCR could not read. */
export const MANUAL_CHECK = 'do sprawdzenia ręcznie';

/** Whether the instructor has to look at the image. */
export function needsManualCheck(result: ImageOcr): boolean {
  return result.status !== 'read';
}
