/**
 * The durable JetStream consumer `webhook-pulls` on this region's pulls stream
 * (`MERIDIAN_<REGION>_PULLS`: a day at most, bounded in bytes, never sourced by another
 * region), where the gateway announces each manifest it serves. Its `image.pulled.v1` fire
 * this region's `pull` webhooks, through the same scope, filter and delivery machinery as the
 * events (notifying-consumer.ts).
 *
 * Pulls are many and `pull` webhooks rare, so the stream and the consumer exist only while
 * some enabled webhook of this region has the `pull` action: without them nats-server drops
 * each announcement, unstored, and this service never sees it. Whether they are wanted is
 * settled at start, after every configuration change (before the change is answered, so a
 * pull made once a `pull` webhook is saved is kept) and every `pullsCheckIntervalMs`, which
 * catches changes made through another instance.
 */
import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { pullNameOfSubject, pullStreamName, pullSubjectWildcard } from '@meridian/contracts';
import { type DurableConsumer, Nats } from '@meridian/messaging';
import { ensurePullStream } from './region-pulls.stream';
import { type Logger, loggerToken } from '@meridian/telemetry';
import { EnabledWebhooks } from '../webhooks/enabled-webhooks';
import { NotificationsService, regionToken } from './notifications.service';
import { notifyingConsumer } from './notifying-consumer';

export const pullsConsumerName = 'webhook-pulls';
export const pullsCheckIntervalMs = 10_000;

@Injectable()
export class RegionPullsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: DurableConsumer;
  private settling: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(regionToken) private readonly region: string,
    private readonly messaging: Nats,
    notifications: NotificationsService,
    private readonly webhooks: EnabledWebhooks,
    @Inject(loggerToken) private readonly log: Logger,
  ) {
    this.consumer = notifyingConsumer(
      {
        stream: pullStreamName(region),
        durable: pullsConsumerName,
        filterSubject: pullSubjectWildcard(region),
        eventNameOf: pullNameOfSubject,
      },
      messaging,
      notifications,
      log,
    );
    webhooks.whenChanged(() => this.settle());
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.settle();
    this.timer = setInterval(() => {
      this.webhooks.forget();
      void this.settle();
    }, pullsCheckIntervalMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.settling;
    await this.consumer.stop();
  }

  /** Creates the stream and the durable (or brings them up to date) and takes pulls. */
  private async start(): Promise<void> {
    await ensurePullStream(await this.messaging.jetStreamManager(), this.messaging.region);
    await this.consumer.start();
  }

  /** Keeps the stream and the consumer while a `pull` webhook wants them; never throws. */
  private settle(): Promise<void> {
    // one at a time, in the order the changes came
    this.settling = this.settling.then(async () => {
      try {
        if (await this.webhooks.anyPullsIn(this.region)) await this.start();
        else await this.retire();
      } catch (err) {
        this.log.warn({ err }, 'could not settle the pulls stream, trying again soon');
      }
    });
    return this.settling;
  }

  /** Stops the consumer and deletes the stream, so pulls cost nothing here or in NATS. */
  private async retire(): Promise<void> {
    if (this.consumer.taking) {
      await this.consumer.stop();
      this.log.info('no pull webhook is left: pulls are no longer kept');
    }
    const jsm = await this.messaging.jetStreamManager();
    try {
      await jsm.streams.delete(pullStreamName(this.region));
    } catch (err) {
      if (!/stream not found/i.test(String(err))) throw err;
    }
  }
}
