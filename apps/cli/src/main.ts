#!/usr/bin/env node
/**
 * `meridian`, the registry's command line (bin/meridian.js runs this file compiled). Every
 * failure ends here: one line on stderr, `error: <CODE>: <message>`, and the exit status
 * of cli-error.ts; commander's own refusals (an unknown flag, a missing argument) are usage
 * errors, exit 2. `--help` and `--version` exit 0.
 */
import { CommanderError } from 'commander';
import { exitStatus } from './cli-error';
import { buildProgram } from './program';
import { reportFailure } from './report-failure';

const quietExits = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (quietExits.has(error.code) || error.exitCode === 0) return 0;
      process.stderr.write(
        `error: USAGE: ${error.message.replace(/^error:\s*/i, '').replace(/\s*\n\s*/g, ' ')}\n`,
      );
      return exitStatus.usage;
    }
    return reportFailure(error);
  }
}

void main(process.argv).then((status) => {
  process.exitCode = status;
});
