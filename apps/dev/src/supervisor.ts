/**
 * Keeps one process running, as a production supervisor would (systemd's Restart=, a
 * kubelet's back-off): a process that exits unexpectedly is started again after a delay
 * that doubles with each crash, up to a ceiling, and is reset once a run lasts. A process
 * that cannot even start (exits or stays silent before it is ready) several times in a
 * row is hopeless, a bad config or a broken build: the supervisor gives up, and the
 * launcher stops everything rather than spin.
 */
import {
  type ExitStatus,
  type ManagedProcess,
  type OutputLine,
  ProcessStartError,
} from '@meridian/process';

export interface SupervisedUnit {
  /** `us-east/blob` */
  readonly name: string;
  /**
   * Starts the process and resolves once it is ready; rejects (with the process stopped)
   * when it is not. Calls `onSpawn` as soon as a process exists.
   */
  launch(onSpawn: (process: ManagedProcess) => void): Promise<ManagedProcess>;
}

export interface RestartPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  /** a run at least this long resets the delay */
  stableAfterMs: number;
  /** consecutive failures to start before giving up */
  maxStartFailures: number;
}

export const defaultRestartPolicy: RestartPolicy = {
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  stableAfterMs: 30_000,
  maxStartFailures: 3,
};

export interface SupervisorEvents {
  /** the process exited while it was meant to run */
  exited(
    name: string,
    status: ExitStatus,
    restartInMs: number,
    lastLines: readonly OutputLine[],
  ): void;
  /** a start failed and will be tried again */
  startFailed(name: string, error: Error, retryInMs: number): void;
  /** a restart after a crash failed too often: the launcher should stop everything */
  gaveUp(name: string, error: Error): void;
}

/** The delay before attempt `failures` + 1: initial, doubled per failure, capped. */
export function restartDelay(failures: number, policy: RestartPolicy): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, failures - 1));
}

export class Supervisor {
  private current: ManagedProcess | undefined;
  private stopping = false;
  private crashes = 0;
  private wake: (() => void) | undefined;
  private readonly track = (process: ManagedProcess) => {
    this.current = process;
    // stopped while it was still starting: it must not run on
    if (this.stopping) void process.stop();
  };

  constructor(
    private readonly unit: SupervisedUnit,
    private readonly events: SupervisorEvents,
    private readonly policy: RestartPolicy = defaultRestartPolicy,
  ) {}

  get name(): string {
    return this.unit.name;
  }

  get process(): ManagedProcess | undefined {
    return this.current;
  }

  /** Starts the process, trying again on failure; rejects after too many failures or on stop. */
  async start(): Promise<void> {
    for (let failures = 0; ;) {
      if (this.stopping) throw new Error(`${this.unit.name} was stopped while starting`);
      let process: ManagedProcess;
      try {
        process = await this.unit.launch(this.track);
      } catch (error) {
        // only a process that ran and failed may do better next time; an error before one
        // ran (a directory Postgres cannot enter, a missing binary) will not change
        if (this.stopping || !(error instanceof ProcessStartError)) throw error;
        failures++;
        if (failures >= this.policy.maxStartFailures) throw error;
        const delay = restartDelay(failures, this.policy);
        this.events.startFailed(this.unit.name, error as Error, delay);
        await this.sleep(delay);
        continue;
      }
      this.watch(process);
      return;
    }
  }

  /** Stops the process (and any restart to come); resolves once it has exited. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.current?.stop();
  }

  private watch(process: ManagedProcess): void {
    const startedAt = Date.now();
    void process.exited.then(async (status) => {
      if (this.stopping || this.current !== process) return;
      if (Date.now() - startedAt >= this.policy.stableAfterMs) this.crashes = 0;
      this.crashes++;
      const delay = restartDelay(this.crashes, this.policy);
      this.events.exited(this.unit.name, status, delay, process.recentLines(20));
      await this.sleep(delay);
      if (this.stopping) return;
      try {
        await this.start();
      } catch (error) {
        if (!this.stopping) this.events.gaveUp(this.unit.name, error as Error);
      }
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
