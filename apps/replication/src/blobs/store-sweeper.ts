/**
 * Removes what copies into this region's store left when they were killed mid-way (a
 * filesystem temporary file, an S3 multipart upload: see the driver's
 * `sweepInterruptedWrites`): at start, then every 15 minutes. Only leftovers nothing has
 * written for an hour go, so a copy still in flight is never touched. Replicas sweep side by
 * side harmlessly; a failed sweep is logged and tried again next time.
 */
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { StorageDriver } from '@meridian/storage';
import type { Logger } from '@meridian/telemetry';

export interface StoreSweepOptions {
  /** a leftover untouched for this long is no write in flight */
  ageMs: number;
  intervalMs: number;
}

export const defaultStoreSweepOptions: StoreSweepOptions = {
  ageMs: 60 * 60 * 1000,
  intervalMs: 15 * 60 * 1000,
};

export class StoreSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly store: StorageDriver,
    private readonly logger: Logger,
    private readonly options: StoreSweepOptions = defaultStoreSweepOptions,
    private readonly now: () => number = Date.now,
  ) {}

  onApplicationBootstrap(): void {
    this.sweepInBackground();
    this.timer = setInterval(() => this.sweepInBackground(), this.options.intervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Waits for the sweep in progress, if any (tests, shutdown). */
  async settled(): Promise<void> {
    await this.running;
  }

  /** One sweep now; resolves with how many leftovers went. */
  async sweep(): Promise<number> {
    const removed = await this.store.sweepInterruptedWrites(
      new Date(this.now() - this.options.ageMs),
    );
    if (removed > 0) this.logger.info({ removed }, 'interrupted copies swept');
    return removed;
  }

  private sweepInBackground(): void {
    this.running ??= this.sweep()
      .then(
        () => undefined,
        (err: unknown) => this.logger.warn({ err }, 'failed to sweep interrupted copies'),
      )
      .finally(() => (this.running = undefined));
  }
}
