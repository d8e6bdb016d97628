/**
 * A durable JetStream consumer that hands each message to NotificationsService and
 * acknowledges it only once the deliveries it makes are committed in Postgres, so nothing is
 * lost to a crash of this service or of NATS: unacknowledged, a message is offered again (and
 * recorded once, deliveries being keyed by webhook and event). Messages are taken one at a
 * time, in stream order: recording is quick, and the sending happens elsewhere
 * (delivery-runner.ts). The consumer is created to start at the newest message: a new
 * installation does not announce history. A lost connection restarts the loop after a pause;
 * the server keeps the position. Subclasses name the stream, the durable and the subjects;
 * one whose stream is not always wanted starts and stops the loop itself.
 */
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import type { Nats } from '@meridian/messaging';
import type { Logger } from '@meridian/telemetry';
import { AckPolicy, DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import type { NotificationsService } from './notifications.service';

const nanosPerMs = 1_000_000;
const ackWaitMs = 30_000;
const pullExpiresMs = 2_000;
const restartPauseMs = 1_000;
const maxRetryDelayMs = 30_000;

export interface ConsumedStream {
  stream: string;
  durable: string;
  filterSubject: string;
  /** the event name a subject carries (`image.pulled.v1`) */
  eventNameOf(subject: string): string | undefined;
}

export abstract class DurableStreamConsumer
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private stopped = true;
  private running?: Promise<void>;

  protected constructor(
    private readonly consumed: ConsumedStream,
    protected readonly messaging: Nats,
    private readonly notifications: NotificationsService,
    private readonly logger: Logger,
  ) {}

  /** Creates the stream, or brings it up to date. */
  protected abstract ensureStream(): Promise<void>;

  async onApplicationBootstrap(): Promise<void> {
    await this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Creates the stream and the consumer (or brings them up to date) and takes messages. */
  protected async start(): Promise<void> {
    await this.ensureStream();
    await this.ensureConsumer();
    if (this.running) return;
    this.stopped = false;
    this.running = this.run();
  }

  /** Stops taking messages, once the one in hand is settled. */
  protected async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
    this.running = undefined;
  }

  protected get taking(): boolean {
    return this.running !== undefined;
  }

  private async ensureConsumer(): Promise<void> {
    const { stream, durable, filterSubject } = this.consumed;
    const jsm = await this.messaging.jetStreamManager();
    try {
      await jsm.consumers.info(stream, durable);
    } catch (error) {
      if (!/consumer not found/i.test(String(error))) throw error;
      await jsm.consumers.add(stream, {
        durable_name: durable,
        filter_subject: filterSubject,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.New,
        max_deliver: -1,
        ack_wait: ackWaitMs * nanosPerMs,
      });
    }
  }

  private async run(): Promise<void> {
    const { stream, durable } = this.consumed;
    while (!this.stopped) {
      try {
        const consumer = await this.messaging.jetStream().consumers.get(stream, durable);
        while (!this.stopped) {
          const msg = await consumer.next({ expires: pullExpiresMs });
          if (msg) await this.take(msg);
        }
      } catch (err) {
        if (this.stopped) break;
        this.logger.warn({ err, durable }, 'event consumer stopped, restarting');
        await new Promise((resolve) => setTimeout(resolve, restartPauseMs));
      }
    }
  }

  private async take(msg: JsMsg): Promise<void> {
    const name = this.consumed.eventNameOf(msg.subject) ?? msg.subject;
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
