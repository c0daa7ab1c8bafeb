/**
 * Errors the command line turns into exit codes: a CliError prints its one-sentence message and
 * exits with its code; a UsageError is a mistake in how the command was called (exit 2).
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;
/** As shells report a process ended by SIGINT. */
export const EXIT_INTERRUPTED = 130;

/**
 * The user's sentence for an error that did not come from our own checks: JavaScript's and the
 * system's words ("Invalid typed array length: 1568000000000", "ELOOP: too many symbolic links
 * encountered, open '…'") name neither the cause in the user's terms nor what to change.
 */
export { plainErrorMessage } from '../validation.js';
