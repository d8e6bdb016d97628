/**
 * The durable JetStream consumer `scan` on this region's event stream, filtered to this
 * region's `manifest.pushed.v1`: images are scanned where they were pushed, and the results
 * (report and SBOM referrers, quarantine decisions) replicate like every other write. An event
 * is acknowledged only after its scan has committed; a failed scan is offered again with a
 * growing delay, and given up after `maxAttempts` (logged) so one poisoned image cannot hold
 * the rest back. Events are taken one at a time: a scan is bound by reading layers. Without
 * an advisory database (MERIDIAN_ADVISORY_DB) it does not consume at all: scanning is off.
 */
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { eventStreamName, manifestPushed } from '@meridian/contracts';
import {
  DurableConsumer,
  JetStreamDurableSource,
  Nats,
  ensureEventStream,
  exponentialBackoff,
} from '@meridian/messaging';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import { type ScanSettings, scanSettingsToken } from './scan.settings';
import { ScansService } from './scans.service';

export const consumerName = 'scan';

const maxAttempts = 12;

@Injectable()
export class PushedImagesConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: DurableConsumer;

  constructor(
    @Inject(scanSettingsToken) private readonly settings: ScanSettings,
    private readonly messaging: Nats,
    scans: ScansService,
    @InjectLogger() private readonly logger: Logger,
  ) {
    this.consumer = new DurableConsumer(
      new JetStreamDurableSource(messaging),
      {
        stream: eventStreamName(settings.region),
        durable: consumerName,
        filterSubjects: [manifestPushed.subject(settings.region)],
        deliverPolicy: 'all',
        ackWaitMs: 60_000,
        retryDelayMs: exponentialBackoff(500, 60_000),
        giveUpAfterAttempts: maxAttempts,
        logger,
      },
      { handle: ({ payload }) => scans.scanPushed(manifestPushed.schema.parse(payload)) },
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.settings.enabled) {
      this.logger.info('scanning is off: MERIDIAN_ADVISORY_DB names no advisory database');
      return;
    }
    await ensureEventStream(
      await this.messaging.jetStreamManager(),
      this.messaging.region,
      this.messaging.eventStreamOptions,
    );
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
