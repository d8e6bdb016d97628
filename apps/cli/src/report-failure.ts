/**
 * What the user sees when a command fails: one line on stderr and the exit status. A
 * CliError carries both; anything else is a bug of the CLI, still one line (its stack only
 * with MERIDIAN_DEBUG=1).
 */
import { CliError, exitStatus } from './cli-error';

export function reportFailure(
  error: unknown,
  stderr: NodeJS.WritableStream = process.stderr,
): number {
  if (error instanceof CliError) {
    stderr.write(`error: ${error.code}: ${oneLine(error.message)}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(`error: INTERNAL: ${oneLine(message)}\n`);
  if (process.env['MERIDIAN_DEBUG'] && error instanceof Error && error.stack) {
    stderr.write(`${error.stack}\n`);
  }
  return exitStatus.failed;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
