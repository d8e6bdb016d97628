/**
 * The durable JetStream consumer `webhook` on this region's event stream. Each event is
 * acknowledged only once the deliveries it makes are committed in Postgres, so an event is
 * never lost to a crash of this service or of NATS: unacknowledged, it is offered again (and
 * recorded once, deliveries being keyed by webhook and event). Events are taken one at a
 * time, in stream order: recording is quick, and the sending happens elsewhere
 * (delivery-runner.ts). The consumer is created to start at the newest event: a new
 * installation does not announce history. A lost connection restarts the loop after a pause;
 * the server keeps the position.
 */
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { eventNameOfSubject, eventStreamName, eventSubjectWildcard } from '@meridian/contracts';
import { Messaging } from '@meridian/messaging';
import { type Logger, loggerToken } from '@meridian/telemetry';
import { AckPolicy, DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import { NotificationsService, regionToken } from './notifications.service';

export const consumerName = 'webhook';

const nanosPerMs = 1_000_000;
const ackWaitMs = 30_000;
const pullExpiresMs = 2_000;
const restartPauseMs = 1_000;
const maxRetryDelayMs = 30_000;

@Injectable()
export class RegionEventsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private stopped = false;
  private running?: Promise<void>;

  constructor(
    @Inject(regionToken) private readonly region: string,
    private readonly messaging: Messaging,
    private readonly notifications: NotificationsService,
    @Inject(loggerToken) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.ensureEventStream();
    await this.ensureConsumer();
    this.running = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async ensureConsumer(): Promise<void> {
    const jsm = await this.messaging.jetStreamManager();
    const stream = eventStreamName(this.region);
    try {
      await jsm.consumers.info(stream, consumerName);
    } catch (error) {
      if (!/consumer not found/i.test(String(error))) throw error;
      await jsm.consumers.add(stream, {
        durable_name: consumerName,
        filter_subject: eventSubjectWildcard(this.region),
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.New,
        max_deliver: -1,
        ack_wait: ackWaitMs * nanosPerMs,
      });
    }
  }

  private async run(): Promise<void> {
    const stream = eventStreamName(this.region);
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
    const name = eventNameOfSubject(msg.subject) ?? msg.subject;
    try {
      await this.notifications.handle(name, msg.json());
      msg.ack();
    } catch (err) {
      const attempt = msg.info.deliveryCount;
      this.logger.warn({ err, event: name, attempt }, 'failed to record webhook deliveries');
      msg.nak(Math.min(maxRetryDelayMs, 250 * 2 ** (attempt - 1)));
    }
  }
}
