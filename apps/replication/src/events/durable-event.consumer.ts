/**
 * Runs one durable pull consumer: takes events in stream order, works on up to
 * `concurrency` of them at once (one repository's changes in order), acknowledges each only after
 * its handler has committed, and on failure asks the server to redeliver it later
 * (exponential backoff, forever). While a handler works on a long blob copy the consumer
 * tells the server it is still busy, so the event is not handed to another replica
 * meanwhile. A lost connection or a deleted consumer restarts the loop after a pause; the
 * server keeps the position.
 */
import { blobUploaded, eventNameOfSubject } from '@meridian/contracts';
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { consumeInSpan } from '@meridian/messaging';
import type { Logger } from 'pino';
import { ackWaitMs } from './event-streams';
import { retryDelayMs } from './retry-delay';

export interface ConsumedEvent {
  /** `manifest.pushed.v1` … */
  name: string;
  payload: unknown;
  /** 1 for the first delivery */
  attempt: number;
}

export interface EventHandler {
  /** Applies the event; resolves once the change has committed. */
  apply(event: ConsumedEvent): Promise<void>;
  /** Records that an attempt failed (status, last error); must not throw. */
  failed(event: ConsumedEvent, error: unknown): Promise<void>;
}

export interface DurableEventConsumerOptions {
  stream: string;
  durable: string;
  concurrency: number;
  failedAfterAttempts: number;
  logger: Logger;
}

const restartPauseMs = 1_000;
/** how long one pull waits for an event; also how long a stop may wait for the pull */
const pullExpiresMs = 2_000;

export class DurableEventConsumer {
  private stopped = false;
  private running?: Promise<void>;
  private readonly inFlight = new Set<Promise<void>>();
  /** the last event taken per repository: events of one repository apply in stream order */
  private readonly lastOfRepository = new Map<string, Promise<void>>();

  constructor(
    private readonly js: JetStreamClient,
    private readonly handler: EventHandler,
    private readonly options: DurableEventConsumerOptions,
  ) {}

  start(): void {
    this.running ??= this.run();
  }

  /** Stops taking events and waits for the ones in hand (they are acknowledged or retried). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
    await Promise.all(this.inFlight);
  }

  /**
   * Pulls one event at a time, and only while a slot is free: an event the server handed
   * over is always being worked on (and kept alive with progress signals), never waiting in
   * a client buffer for its ack deadline to pass.
   */
  private async run(): Promise<void> {
    const { stream, durable, concurrency, logger } = this.options;
    while (!this.stopped) {
      try {
        const consumer = await this.js.consumers.get(stream, durable);
        while (!this.stopped) {
          while (this.inFlight.size >= concurrency) await Promise.race(this.inFlight);
          const msg = await consumer.next({ expires: pullExpiresMs });
          if (!msg) continue;
          // taken while stopping: straight back to the server for the next replica
          if (this.stopped) msg.nak();
          else this.take(msg);
        }
      } catch (err) {
        if (this.stopped) break;
        logger.warn({ err, stream, durable }, 'event consumer stopped, restarting');
        await new Promise((resolve) => setTimeout(resolve, restartPauseMs));
      }
    }
  }

  /**
   * Starts on the event once the previous event of its repository is done (a tag after the
   * push that created its manifest); events of other repositories go on meanwhile.
   */
  private take(msg: JsMsg): void {
    const event = readEvent(msg);
    const key = orderingKey(event);
    const previous = this.lastOfRepository.get(key);
    const work = this.process(msg, event, previous).finally(() => {
      this.inFlight.delete(work);
      if (this.lastOfRepository.get(key) === work) this.lastOfRepository.delete(key);
    });
    this.inFlight.add(work);
    this.lastOfRepository.set(key, work);
  }

  private async process(
    msg: JsMsg,
    event: ConsumedEvent,
    previous: Promise<void> | undefined,
  ): Promise<void> {
    const heartbeat = setInterval(() => msg.working(), ackWaitMs / 3);
    try {
      await previous;
      // a child of the span that published the event in its origin region
      await consumeInSpan(msg, this.options.durable, () => this.handler.apply(event));
      msg.ack();
    } catch (error) {
      this.options.logger.warn(
        { err: error, event: event.name, attempt: event.attempt, durable: this.options.durable },
        'failed to replicate event',
      );
      await this.handler.failed(event, error);
      msg.nak(retryDelayMs(event.attempt, this.options.failedAfterAttempts));
    } finally {
      clearInterval(heartbeat);
    }
  }
}

/**
 * Events with one key apply in stream order: a repository's manifests, tags and deletes
 * (a tag after the push that created its manifest). A blob upload depends on nothing, so
 * the layers of one push copy side by side.
 */
function orderingKey(event: ConsumedEvent): string {
  const payload = event.payload as { repository?: unknown; digest?: unknown } | undefined;
  if (event.name === blobUploaded.name && typeof payload?.digest === 'string')
    return `blob:${payload.digest}`;
  return typeof payload?.repository === 'string' ? `repository:${payload.repository}` : event.name;
}

function readEvent(msg: JsMsg): ConsumedEvent {
  let payload: unknown;
  try {
    payload = msg.json();
  } catch {
    // an event replication acts on then fails validation and is retried, never dropped
    payload = undefined;
  }
  return {
    name: eventNameOfSubject(msg.subject) ?? msg.subject,
    payload,
    attempt: msg.info.deliveryCount,
  };
}
