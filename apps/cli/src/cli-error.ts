/**
 * The one error the CLI reports: a code (the registry's OCI error code when the registry
 * refused, else one of the CLI's own below), a message, and the exit status it ends with.
 * main.ts prints it as one line, `error: <CODE>: <message>`, never a stack trace.
 *
 * Exit statuses, for scripts:
 *   0  done
 *   1  the registry refused (its error code is printed), or anything else failed
 *   2  bad usage: a missing or unknown flag, an image reference that does not parse
 *   3  the registry could not be reached
 *   4  `replication status --wait` timed out
 */
export const exitStatus = {
  failed: 1,
  usage: 2,
  unreachable: 3,
  timeout: 4,
} as const;

export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: number = exitStatus.failed,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Bad input from the command line: exit status 2. */
export function usageError(message: string): CliError {
  return new CliError('USAGE', message, exitStatus.usage);
}
