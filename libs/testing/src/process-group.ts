/**
 * Child processes for tests: the launcher's `ManagedProcess` (own process group, output
 * kept as a tail for error messages, wait for a line, SIGTERM then SIGKILL), with the
 * output echoed to stderr, prefixed by the process name, when MERIDIAN_TEST_VERBOSE=1.
 */
import { ManagedProcess, type ManagedProcessOptions, type OutputLine } from '@meridian/process';

export { ManagedProcess, ProcessStartError, describeExit, waitForHttp } from '@meridian/process';
export type {
  ExitStatus,
  ManagedProcessOptions,
  OutputLine,
  WaitForLineOptions,
} from '@meridian/process';

export function spawnProcess(options: ManagedProcessOptions): ManagedProcess {
  const echo = echoWhenVerbose(options.name);
  const onLine = options.onLine;
  return ManagedProcess.spawn({
    ...options,
    onLine: (line) => {
      echo?.(line);
      onLine?.(line);
    },
  });
}

/** A line printer for `[name] text`, or undefined unless MERIDIAN_TEST_VERBOSE=1. */
export function echoWhenVerbose(name: string): ((line: OutputLine) => void) | undefined {
  if (process.env['MERIDIAN_TEST_VERBOSE'] !== '1') return undefined;
  return (line) => process.stderr.write(`[${name}] ${line.text}\n`);
}
