/**
 * Report file bytes → text. Students hand in UTF-8, UTF-16 (PowerShell's `>` writes it) and
 * Windows-1250 (Notepad's "ANSI" on a Polish Windows); PDF and DOCX need another reader. Pure.
 */
import { REPORT_LIMITS } from './read-report.ts';
import type { ReportInputError } from './types.ts';

export type DecodeResult = { ok: true; text: string; encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1250' } | { ok: false; error: ReportInputError };

/** NUL bytes in this many leading bytes mean binary data (text in UTF-16 is recognised by its BOM first). */
const SNIFF_BYTES = 8192;

export function decodeReportBytes(bytes: Uint8Array, file: string): DecodeResult {
  if (bytes.length > REPORT_LIMITS.maxBytes) return { ok: false, error: { code: 'too-large', file, bytes: bytes.length, limit: REPORT_LIMITS.maxBytes } };
  const starts = (...magic: number[]) => magic.every((b, i) => bytes[i] === b);
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return { ok: false, error: { code: 'not-text', file, looksLike: 'pdf' } };
  if (starts(0x50, 0x4b, 0x03, 0x04)) return { ok: false, error: { code: 'not-text', file, looksLike: 'zip' } };
  if (starts(0xff, 0xfe)) return { ok: true, text: new TextDecoder('utf-16le').decode(bytes), encoding: 'utf-16le' };
  if (starts(0xfe, 0xff)) return { ok: true, text: new TextDecoder('utf-16be').decode(bytes), encoding: 'utf-16be' };
  if (bytes.subarray(0, SNIFF_BYTES).includes(0)) return { ok: false, error: { code: 'not-text', file, looksLike: 'binary' } };
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { ok: true, text: new TextDecoder('windows-1250').decode(bytes), encoding: 'windows-1250' };
  }
}
