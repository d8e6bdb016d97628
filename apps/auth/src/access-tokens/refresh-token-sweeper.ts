/**
 * Once an hour, forgets the refresh tokens that have expired, so the records of a busy
 * registry (one per `docker login`) do not grow without end. Replicas may sweep at the same
 * time: the delete is idempotent.
 */
import {
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import { AuthRecordsRepository } from '../records/auth-records.repository';

const sweepEveryMs = 3_600_000;

@Injectable()
export class RefreshTokenSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly records: AuthRecordsRepository,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), sweepEveryMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async sweep(): Promise<void> {
    try {
      const purged = await this.records.purgeExpiredRefreshTokens();
      if (purged > 0) this.logger.info({ purged }, 'expired refresh tokens purged');
    } catch (err) {
      this.logger.warn({ err }, 'failed to purge expired refresh tokens');
    }
  }
}
