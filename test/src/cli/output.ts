/** An error whose message is meant for the user as it is (no stack trace). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Progress lines go to stderr so stdout stays clean for machine-readable output. */
export function progress(line: string): void {
  process.stderr.write(`[mgw] ${line}\n`);
}
