/**
 * Removes restorable manifests for good once they expire: every
 * `MERIDIAN_RETENTION_INTERVAL_SECONDS` (default 60, the retention sweep's interval) a round
 * removes the expired ones in bounded batches (the next round goes on), their blobs'
 * `restorable` references going with them (a trigger), so garbage collection may then free
 * what nothing else references. Rounds never overlap: in this replica the next waits for the
 * one running, across replicas SoftDeleteRepository.exclusively lets one sweep. It runs
 * whether the setting is on or off: turning it off keeps nothing longer. A failed round is
 * logged and the next one tries again.
 */
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import { retentionIntervalToken } from '../retention/retention.sweeper';
import { SoftDeleteRepository } from './soft-delete.repository';

/** At most this many removals per batch, and this many batches per round. */
export interface ExpirySweepBounds {
  batch: number;
  batches: number;
}

export const defaultExpirySweepBounds: ExpirySweepBounds = { batch: 500, batches: 10 };

@Injectable()
export class SoftDeleteSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly softDelete: SoftDeleteRepository,
    @Inject(retentionIntervalToken) private readonly intervalMs: number,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.round(), this.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One round, unless one is still running here. */
  round(): Promise<unknown> {
    if (this.running) return this.running;
    this.running = this.sweep()
      .catch((err: unknown) => this.logger.warn({ err }, 'soft delete expiry failed; next round'))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /** One round: how many expired restorable manifests it removed (undefined: another replica's turn). */
  async sweep(bounds: ExpirySweepBounds = defaultExpirySweepBounds): Promise<number | undefined> {
    const removed = await this.softDelete.exclusively(async () => {
      let total = 0;
      for (let batch = 0; batch < bounds.batches; batch++) {
        const count = await this.softDelete.removeExpired(bounds.batch);
        total += count;
        if (count < bounds.batch) break;
      }
      return total;
    });
    if (removed) this.logger.info({ removed }, 'soft delete removed expired manifests');
    return removed;
  }
}
