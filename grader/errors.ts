/** Errors that reach the user. Only grader/cli/main.ts maps them to exit codes. */

/** Exit codes scripts can rely on (documented in README and --help). */
export const ExitCode = {
  ok: 0,
  checkFailed: 1,
  badInput: 2,
  infrastructure: 3,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Bad user input: a file, field or flag. `problems` lists every problem found, in Polish. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    message: string,
    readonly problems: string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Something outside the student's work failed (registry down, engine crash, rate limit). */
export class InfraError extends Error {
  override readonly name = 'InfraError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Registry credentials could not be read from the docker config or its credential helper.
 * An InfraError (exit 3), not an InputError: the docker config belongs to the machine running the
 * grader, not to the graded work, so a check must end "nie do oceny" rather than blame the submission.
 */
export class CredentialsError extends InfraError {
  constructor(
    message: string,
    /** The docker config file involved. */
    readonly configFile: string,
    /** Its key: `auths["host"]`, `credsStore` or `credHelpers["host"]`. */
    readonly key?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The run was cancelled (Ctrl-C, SIGTERM). */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
}

/** Maps any thrown value to the process exit code. */
export function exitCodeOf(error: unknown): ExitCodeValue {
  if (error instanceof InputError) return ExitCode.badInput;
  if (error instanceof InfraError) return ExitCode.infrastructure;
  if (error instanceof InterruptedError) return ExitCode.interrupted;
  return ExitCode.infrastructure;
}
