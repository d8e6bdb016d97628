/**
 * Runs a client binary (skopeo, podman, buildah, umoci) to completion with a bounded
 * time. A failure throws a `CommandError` whose message holds the command line, how it
 * ended and its stderr, so a failed end-to-end step reads like the client's own report.
 */
import { spawn } from 'node:child_process';

export interface RunCommandOptions {
  /** killed (SIGKILL) after this long; 120 s unless set */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface CommandResult {
  /** stdout as written, for digests of raw manifests */
  readonly stdoutBytes: Buffer;
  readonly stdout: string;
  readonly stderr: string;
}

export class CommandError extends Error {
  override readonly name = 'CommandError';

  constructor(
    readonly commandLine: string,
    readonly outcome: string,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(
      [
        `${commandLine}\n${outcome}`,
        stderr.trim() && `stderr:\n${indent(stderr)}`,
        stdout.trim() && `stdout:\n${indent(stdout)}`,
      ]
        .filter(Boolean)
        .join('\n'),
    );
  }
}

export function runCommand(
  command: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<CommandResult> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const commandLine = [command, ...args].map(quoteArgument).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const fail = (outcome: string): void =>
      reject(
        new CommandError(
          commandLine,
          outcome,
          Buffer.concat(stdout).toString('utf8'),
          Buffer.concat(stderr).toString('utf8'),
        ),
      );
    child.once('error', (error) => {
      clearTimeout(timer);
      fail(`could not be started: ${error.message}`);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return fail(`did not finish within ${timeoutMs} ms`);
      if (code !== 0) return fail(signal ? `killed by ${signal}` : `exited with code ${code}`);
      const stdoutBytes = Buffer.concat(stdout);
      resolve({
        stdoutBytes,
        stdout: stdoutBytes.toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
  });
}

function quoteArgument(argument: string): string {
  return /^[\w@%+=:,./-]+$/.test(argument) ? argument : `'${argument.replaceAll("'", `'\\''`)}'`;
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
