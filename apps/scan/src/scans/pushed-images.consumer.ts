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
import { Nats, ensureEventStream } from '@meridian/messaging';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import { AckPolicy, DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import { type ScanSettings, scanSettingsToken } from './scan-settings';
import { ScansService } from './scans.service';

export const consumerName = 'scan';

const nanosPerMs = 1_000_000;
const ackWaitMs = 60_000;
const pullExpiresMs = 2_000;
const restartPauseMs = 1_000;
const maxRetryDelayMs = 60_000;
const maxAttempts = 12;

@Injectable()
export class PushedImagesConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private stopped = false;
  private running?: Promise<void>;

  constructor(
    @Inject(scanSettingsToken) private readonly settings: ScanSettings,
    private readonly messaging: Nats,
    private readonly scans: ScansService,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.settings.enabled) {
      this.logger.info('scanning is off: MERIDIAN_ADVISORY_DB names no advisory database');
      return;
    }
    await ensureEventStream(await this.messaging.jetStreamManager(), this.messaging.region);
    await this.ensureConsumer();
    this.running = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async ensureConsumer(): Promise<void> {
    const jsm = await this.messaging.jetStreamManager();
    const stream = eventStreamName(this.settings.region);
    try {
      await jsm.consumers.info(stream, consumerName);
    } catch (error) {
      if (!/consumer not found/i.test(String(error))) throw error;
      await jsm.consumers.add(stream, {
        durable_name: consumerName,
        filter_subject: manifestPushed.subject(this.settings.region),
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        max_deliver: -1,
        ack_wait: ackWaitMs * nanosPerMs,
      });
    }
  }

  private async run(): Promise<void> {
    const stream = eventStreamName(this.settings.region);
    while (!this.stopped) {
      try {
        const consumer = await this.messaging.jetStream().consumers.get(stream, consumerName);
        while (!this.stopped) {
          const msg = await consumer.next({ expires: pullExpiresMs });
          if (msg) await this.take(msg);
        }
      } catch (err) {
        if (this.stopped) break;
        this.logger.warn({ err, durable: consumerName }, 'event consumer stopped, restarting');
        await new Promise((resolve) => setTimeout(resolve, restartPauseMs));
      }
    }
  }

  private async take(msg: JsMsg): Promise<void> {
    const heartbeat = setInterval(() => msg.working(), ackWaitMs / 3);
    const attempt = msg.info.deliveryCount;
    try {
      await this.scans.scanPushed(manifestPushed.schema.parse(msg.json()));
      msg.ack();
    } catch (err) {
      if (attempt >= maxAttempts) {
        this.logger.error({ err, attempt }, 'giving up scanning a pushed image');
        msg.term();
        return;
      }
      this.logger.warn({ err, attempt }, 'failed to scan a pushed image, retrying');
      msg.nak(Math.min(maxRetryDelayMs, 500 * 2 ** (attempt - 1)));
    } finally {
      clearInterval(heartbeat);
    }
  }
}
