/** Terminal output shared by the commands: the Polish check list and the exit code it implies. */
import { ExitCode, type ExitCodeValue } from '../errors.ts';
import type { CheckResult, CheckStatus } from '../results/types.ts';
import { redact } from '../util/redact.ts';

const MARK: Record<CheckStatus, string> = { pass: '✔', fail: '✘', error: '?', skip: '–', manual: '👁' };
export const STATUS_PL: Record<CheckStatus, string> = {
  pass: 'zaliczone',
  fail: 'niezaliczone',
  error: 'nie do oceny (awaria infrastruktury)',
  skip: 'pominięte',
  manual: 'do sprawdzenia ręcznie',
};

export function printChecks(checks: CheckResult[], write: (s: string) => void = (s) => process.stdout.write(s)): void {
  for (const c of checks) {
    const points = c.maxPoints !== undefined ? `  [${c.points ?? 0}/${c.maxPoints} pkt]` : '';
    write(`${MARK[c.status]} ${c.id}: ${STATUS_PL[c.status]}${points}\n    ${redact(c.message)}\n`);
    if (c.hint && c.status !== 'pass') write(`    Jak poprawić: ${redact(c.hint)}\n`);
    for (const e of c.evidence) {
      if (e.kind === 'table' && c.status !== 'skip') {
        write(`    ${e.title}\n`);
        for (const row of e.rows) write(`      ${row.join('  ')}\n`);
      } else if (e.kind === 'text' && c.status === 'error') {
        // The cause of an infrastructure fault (which registry, what answered): without it nobody can fix it.
        write(`    ${e.title}: ${redact(e.text).replace(/\n/g, '\n      ')}\n`);
      }
    }
  }
}

/**
 * No browser for the PDF: a warning on stderr, never a failure (the exit code stays the checks').
 * what: the PDFs skipped; rerun: the command that writes them once a browser is installed.
 */
export function warnPdfSkipped(reason: string, what: string, rerun: string): void {
  process.stderr.write(`Uwaga: pominięto ${what}, Markdown zapisano. ${redact(reason)}\n  Gdy przeglądarka będzie dostępna, utwórz PDF: ${rerun}\n`);
}

/** 3 when something was not gradable, else 1 when a check failed, else 0. */
export function exitCodeForChecks(checks: CheckResult[]): ExitCodeValue {
  if (checks.some((c) => c.status === 'error')) return ExitCode.infrastructure;
  if (checks.some((c) => c.status === 'fail')) return ExitCode.checkFailed;
  return ExitCode.ok;
}
