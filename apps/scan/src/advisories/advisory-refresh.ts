/**
 * Rereads the advisory database at boot, on SIGHUP and every
 * MERIDIAN_ADVISORY_DB_REFRESH_SECONDS; when it changed, re-matches the stored images
 * (ScanReportsService.rematch), which announces new findings. Rereads never overlap; a database
 * that fails to load keeps the one in hand (logged).
 */
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { describeScanError } from '@meridian/scanning';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import { ScanReportsService } from '../scans/scan-reports.service';
import { AdvisoryMatcher } from './advisory-matcher';

export const refreshSecondsToken = Symbol('AdvisoryRefreshSeconds');

@Injectable()
export class AdvisoryRefresh implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private refreshing: Promise<void> = Promise.resolve();
  private readonly onHangup = () => void this.refresh('SIGHUP');

  constructor(
    private readonly advisories: AdvisoryMatcher,
    private readonly reports: ScanReportsService,
    @Inject(refreshSecondsToken) private readonly refreshSeconds: number,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh('boot');
    process.on('SIGHUP', this.onHangup);
    this.timer = setInterval(() => void this.refresh('interval'), this.refreshSeconds * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    process.off('SIGHUP', this.onHangup);
    clearInterval(this.timer);
    await this.refreshing;
  }

  /** Rereads the database and re-matches when it changed; resolves when done. */
  refresh(reason: string): Promise<void> {
    this.refreshing = this.refreshing.then(() => this.reread(reason));
    return this.refreshing;
  }

  private async reread(reason: string): Promise<void> {
    try {
      if (!(await this.advisories.reload())) return;
      const errors = this.advisories.errors.map(describeScanError);
      this.logger.info(
        { reason, fingerprint: this.advisories.fingerprint, errors: errors.slice(0, 20) },
        'advisory database loaded',
      );
      await this.reports.rematch();
    } catch (err) {
      this.logger.error({ err, reason }, 'advisory database could not be reread');
    }
  }
}
