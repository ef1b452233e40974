/**
 * Typed errors with the exit code they map to. Everything a user can fix is a
 * UserError (exit 2) carrying a next step; failed checks exit 1; cancellations 3.
 * Anything else is a bug and is reported as such by the CLI's single error handler.
 */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  cancelled: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class WizardError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** What the user can do next, printed under the message. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input: a wrong flag, a malformed file, a refused edit. Exit 2. */
export class UserError extends WizardError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.usage, hint);
  }
}

/** A check or repair that ran and failed. Exit 1. */
export class CheckFailedError extends WizardError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.failed, hint);
  }
}

/** The user said no or pressed Ctrl-C. Exit 3. */
export class CancelledError extends WizardError {
  constructor(message = 'Cancelled.') {
    super(message, ExitCode.cancelled);
  }
}

/** "file:line:col" for messages; line and col are 1-based. */
export function where(file: string, line?: number, col?: number): string {
  if (line === undefined) return file;
  return col === undefined ? `${file}:${line}` : `${file}:${line}:${col}`;
}
