// Runs fn and expects an InfraError whose message leaks none of the secrets; returns it.
import assert from 'node:assert/strict';
import { InfraError } from '../../grader/errors.ts';

export async function infraError(fn: () => Promise<unknown>, secrets: string[]): Promise<InfraError> {
  try {
    await fn();
  } catch (error) {
    assert.ok(error instanceof InfraError, `expected InfraError, got ${String(error)}`);
    for (const s of secrets) assert.ok(!error.message.includes(s), `secret leaked into: ${error.message}`);
    return error;
  }
  assert.fail('expected an InfraError');
}
