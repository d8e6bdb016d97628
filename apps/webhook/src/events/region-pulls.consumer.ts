/**
 * The durable JetStream consumer `webhook-pulls` on this region's pulls stream
 * (`MERIDIAN_<REGION>_PULLS`: a day at most, bounded in bytes, never sourced by another
 * region), where the gateway announces each manifest it serves. Its `image.pulled.v1` fire
 * this region's `pull` webhooks, through the same scope, filter and delivery machinery as the
 * events (durable-stream-consumer.ts).
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
import { Nats } from '@meridian/messaging';
import { ensurePullStream } from './region-pulls.stream';
import { type Logger, loggerToken } from '@meridian/telemetry';
import { EnabledWebhooks } from '../webhooks/enabled-webhooks';
import { DurableStreamConsumer } from './durable-stream-consumer';
import { NotificationsService, regionToken } from './notifications.service';

export const pullsConsumerName = 'webhook-pulls';
export const pullsCheckIntervalMs = 10_000;

@Injectable()
export class RegionPullsConsumer
  extends DurableStreamConsumer
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private settling: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(regionToken) private readonly region: string,
    messaging: Nats,
    notifications: NotificationsService,
    private readonly webhooks: EnabledWebhooks,
    @Inject(loggerToken) private readonly log: Logger,
  ) {
    super(
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

  override async onApplicationBootstrap(): Promise<void> {
    await this.settle();
    this.timer = setInterval(() => {
      this.webhooks.forget();
      void this.settle();
    }, pullsCheckIntervalMs);
    this.timer.unref();
  }

  override async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.settling;
    await super.beforeApplicationShutdown();
  }

  protected async ensureStream(): Promise<void> {
    return ensurePullStream(await this.messaging.jetStreamManager(), this.region);
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
    if (this.taking) {
      await this.stop();
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
