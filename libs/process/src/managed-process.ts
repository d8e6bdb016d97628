/**
 * A child process we own: its output is read line by line (handed to `onLine` and kept
 * as a short tail for error messages), a caller can wait for a line that says it is
 * ready, and `stop()` ends it with its stop signal, then SIGKILL after a grace period.
 *
 * Each child leads its own process group (`detached`), for two reasons: a Ctrl-C in the
 * terminal reaches only the launcher, which then stops its children in order (services
 * before the broker and the database they need); and signals go to the whole group, so
 * nothing a child started is left behind. Should we die without stopping a child, the
 * orphan reaper stops it (orphan-reaper.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { reapIfOrphaned } from './orphan-reaper';

export interface OutputLine {
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** set when the process could not be started at all (binary missing, not executable) */
  readonly error?: Error;
}

export interface ManagedProcessOptions {
  /** how the process is named in messages, e.g. `us-east/blob` */
  name: string;
  command: string;
  args?: readonly string[];
  cwd?: string;
  /** the child's whole environment; defaults to the parent's */
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
  /** called for every line the process writes */
  onLine?: (line: OutputLine) => void;
  /** how many of the last lines are kept for error messages */
  retainLines?: number;
  /** the signal that asks the process to shut down cleanly */
  stopSignal?: NodeJS.Signals;
  /** how long a clean shutdown may take before SIGKILL */
  stopGraceMs?: number;
}

export interface WaitForLineOptions {
  timeoutMs?: number;
  /** what is awaited, for the error message: `service ready` */
  description?: string;
}

/** The process exited, or did not say what was awaited in time. Carries its last lines. */
export class ProcessStartError extends Error {
  override readonly name = 'ProcessStartError';

  constructor(
    /** what went wrong, without the output */
    readonly reason: string,
    readonly processName: string,
    readonly lastLines: readonly OutputLine[],
  ) {
    super(lastLines.length > 0 ? `${reason}; last output:\n${formatLines(lastLines)}` : reason);
  }
}

export class ManagedProcess {
  readonly name: string;
  readonly exited: Promise<ExitStatus>;
  private readonly child: ChildProcess;
  private readonly retainLines: number;
  private readonly stopSignal: NodeJS.Signals;
  private readonly stopGraceMs: number;
  private readonly tail: OutputLine[] = [];
  private readonly lineListeners = new Set<(line: OutputLine) => void>();
  private status: ExitStatus | undefined;

  private constructor(options: ManagedProcessOptions) {
    this.name = options.name;
    this.retainLines = options.retainLines ?? 200;
    this.stopSignal = options.stopSignal ?? 'SIGTERM';
    this.stopGraceMs = options.stopGraceMs ?? 10_000;
    if (options.onLine) this.lineListeners.add(options.onLine);

    this.child = spawn(options.command, options.args ?? [], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      uid: options.uid,
      gid: options.gid,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pid = this.child.pid;
    const release = pid === undefined ? undefined : reapIfOrphaned(pid, this.stopSignal);
    this.exited = this.watchExit();
    void this.exited.then(() => release?.());
    this.readLines(this.child.stdout, 'stdout');
    this.readLines(this.child.stderr, 'stderr');
  }

  static spawn(options: ManagedProcessOptions): ManagedProcess {
    return new ManagedProcess(options);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.status === undefined;
  }

  get exitStatus(): ExitStatus | undefined {
    return this.status;
  }

  /** The last lines the process wrote, oldest first. */
  recentLines(count = this.retainLines): readonly OutputLine[] {
    return this.tail.slice(-count);
  }

  /** Resolves with the first line, already written or to come, that matches. */
  waitForLine(
    predicate: (line: OutputLine) => boolean,
    options: WaitForLineOptions = {},
  ): Promise<OutputLine> {
    const description = options.description ?? 'the awaited line';
    const seen = this.tail.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const finish = (settle: () => void): void => {
        this.lineListeners.delete(listener);
        clearTimeout(timer);
        settle();
      };
      const listener = (line: OutputLine): void => {
        if (predicate(line)) finish(() => resolve(line));
      };
      const timer = setTimeout(
        () =>
          finish(() =>
            reject(
              this.startError(
                `${this.name} did not print ${description} within ${options.timeoutMs} ms`,
              ),
            ),
          ),
        options.timeoutMs ?? 60_000,
      );
      this.lineListeners.add(listener);
      void this.exited.then((status) =>
        finish(() =>
          reject(this.startError(`${this.name} ${describeExit(status)} before ${description}`)),
        ),
      );
    });
  }

  /** An error naming this process, with its last lines. */
  startError(message: string): ProcessStartError {
    return new ProcessStartError(message, this.name, this.recentLines(20));
  }

  /** Sends a signal to the process group; a group that is gone already is not an error. */
  signal(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }

  /** Asks the process to stop, kills it after the grace period; resolves when it has exited. */
  async stop(options: { signal?: NodeJS.Signals; graceMs?: number } = {}): Promise<ExitStatus> {
    if (this.status) return this.status;
    this.signal(options.signal ?? this.stopSignal);
    const timer = setTimeout(() => this.signal('SIGKILL'), options.graceMs ?? this.stopGraceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private watchExit(): Promise<ExitStatus> {
    return new Promise((resolve) => {
      const settle = (status: ExitStatus): void => {
        if (this.status) return;
        this.status = status;
        resolve(status);
      };
      this.child.once('error', (error) => {
        // 'error' after a successful spawn is a failed kill; only a failed spawn ends the process
        if (this.child.pid === undefined) settle({ code: null, signal: null, error });
      });
      this.child.once('exit', (code, signal) => {
        // 'close' comes once the output pipes are drained, so the last lines are in the tail;
        // a grandchild holding the pipes open must not keep the exit from being reported
        const fallback = setTimeout(() => settle({ code, signal }), 1000);
        this.child.once('close', () => {
          clearTimeout(fallback);
          settle({ code, signal });
        });
      });
    });
  }

  private readLines(stream: Readable | null, name: OutputLine['stream']): void {
    if (!stream) return;
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    lines.on('line', (text) => {
      const line: OutputLine = { stream: name, text };
      this.tail.push(line);
      if (this.tail.length > this.retainLines) this.tail.shift();
      for (const listener of [...this.lineListeners]) listener(line);
    });
  }
}

export function describeExit(status: ExitStatus): string {
  if (status.error) return `could not be started (${status.error.message})`;
  if (status.signal) return `was killed by ${status.signal}`;
  return `exited with code ${status.code}`;
}

function formatLines(lines: readonly OutputLine[]): string {
  return lines.map((line) => `  ${line.text}`).join('\n');
}
