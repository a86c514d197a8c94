/**
 * Errors a user can cause end as one line on stderr (`error: ...`) and exit code 1 — never a
 * stack trace. UsageError additionally points at `--help`.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export class UsageError extends CliError {}
