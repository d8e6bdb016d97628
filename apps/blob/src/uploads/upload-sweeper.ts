/**
 * Removes expired upload sessions and their bytes. Runs every min(60 s, idle timeout / 4),
 * so a session is gone at most a quarter timeout after it expired (queries already treat it
 * as absent from the moment it expires). Replicas sweep side by side: each locks the rows it
 * takes and skips the ones another holds.
 */
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import { type BlobConfig, blobConfigToken } from '../config';
import { InjectStorageDriver, type UploadStore } from '../inject-storage-driver';
import { type ExpiredUpload, UploadsRepository } from './uploads.repository';

const batchSize = 100;
/** marks of ended sessions are rows alone: more of them at once */
const endedBatchSize = 1_000;

export function sweepIntervalMs(idleTimeoutSeconds: number): number {
  return Math.min(60_000, (idleTimeoutSeconds * 1000) / 4);
}

@Injectable()
export class UploadSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly uploads: UploadsRepository,
    @InjectStorageDriver() private readonly store: UploadStore,
    @Inject(blobConfigToken) private readonly config: BlobConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.sweep()
        .then(
          () => undefined,
          (err: unknown) => this.logger.warn({ err }, 'failed to sweep expired uploads'),
        )
        .finally(() => (this.running = undefined));
    }, sweepIntervalMs(this.config.uploadIdleTimeoutSeconds));
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Removes every session expired now; returns how many went. */
  async sweep(): Promise<{ removed: number; kept: number }> {
    const total = { removed: 0, kept: 0 };
    for (;;) {
      const { removed, kept } = await this.uploads.removeExpired(batchSize, (upload) =>
        this.removeBytes(upload),
      );
      total.removed += removed;
      total.kept += kept;
      // kept sessions stay expired: stop at a short batch, or they would be taken again at once
      if (removed + kept < batchSize || kept > 0) break;
    }
    // the marks of ended sessions whose `_state` can no longer be used
    for (;;) {
      if ((await this.uploads.forgetEnded(endedBatchSize)) < endedBatchSize) break;
    }
    if (total.removed > 0 || total.kept > 0) this.logger.info(total, 'expired uploads swept');
    else this.logger.debug(total, 'expired uploads swept');
    return total;
  }

  private async removeBytes({ uploadId, state }: ExpiredUpload): Promise<boolean> {
    try {
      await this.store.abortUpload(uploadId, state);
      return true;
    } catch (err) {
      this.logger.warn({ uploadId, err }, 'failed to remove bytes of an expired upload');
      return false;
    }
  }
}
