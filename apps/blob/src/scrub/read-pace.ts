/**
 * The scrub's bounded read rate (MERIDIAN_SCRUB_RATE_MIB_PER_SECOND), so clients' pulls keep
 * the store's speed while a job re-reads it. A token bucket holding at most one second of
 * reading: each chunk read takes its size, and a take that overdraws waits until the rate has
 * paid the debt back.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface PaceClock {
  /** milliseconds, monotonic */
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: PaceClock = {
  now: () => performance.now(),
  sleep: (ms) => sleep(ms),
};

export class ReadPace {
  private allowance: number;
  private last: number;

  constructor(
    private readonly bytesPerSecond: number,
    private readonly clock: PaceClock = realClock,
  ) {
    this.allowance = bytesPerSecond;
    this.last = clock.now();
  }

  /** Takes `bytes` from the allowance; resolves once the rate allows them. */
  async take(bytes: number): Promise<void> {
    const now = this.clock.now();
    const earned = ((now - this.last) / 1000) * this.bytesPerSecond;
    this.allowance = Math.min(this.bytesPerSecond, this.allowance + earned) - bytes;
    this.last = now;
    if (this.allowance < 0) await this.clock.sleep((-this.allowance / this.bytesPerSecond) * 1000);
  }
}
