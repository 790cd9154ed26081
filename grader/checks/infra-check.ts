/** A check that could not be graded because something outside the student's work failed. */
import type { InfraError } from '../errors.ts';
import type { CheckId, CheckResult } from '../results/types.ts';
import { redact } from '../util/redact.ts';

export function infraCheck(id: CheckId, error: InfraError, what: string): CheckResult {
  return {
    id,
    status: 'error',
    message: `Nie do oceny: nie udało się ${what} z powodu awarii infrastruktury. To nie jest błąd studenta.`,
    hint: 'Sprawdź dostępność rejestru i silnika Docker, a potem oceń pracę ponownie.',
    evidence: [{ kind: 'text', title: 'Błąd infrastruktury', text: redact(error.message) }],
  };
}
