/**
 * One durable JetStream pull consumer, the way every Meridian service takes events. It makes
 * sure the durable exists as the service declares it, pulls one message per free slot (up to
 * `concurrency` at once; with an `orderingKey`, one key's events are handled in stream order
 * while other keys' go on), and handles each in a CONSUMER span that is the child of the span
 * that published it. A message is acknowledged only once its handler resolved (committed);
 * while the handler works the server is told it is still in progress, so a long job is not
 * handed to another replica. A failed attempt is offered again after `retryDelayMs(attempt)`
 * (after `failed` recorded it), or terminated once `giveUpAfterAttempts` are spent. A lost
 * connection or a deleted durable restarts the loop after a pause; the server keeps the
 * position. `stop` takes no more and waits for the messages in hand; one taken while stopping
 * goes straight back to the server for the next replica.
 *
 * A message is pulled only while a slot is free: what the server handed over is always being
 * worked on (and kept alive), never waiting in a client buffer for its ack deadline to pass.
 */
import type { Logger } from '@meridian/telemetry';
import { setTimeout as sleep } from 'node:timers/promises';
import { consumeInSpan } from '../consume-in-span';
import type {
  DurableConsumerSpec,
  DurableSource,
  OpenedDurable,
  PulledMessage,
} from './durable-source';

export interface DurableEvent {
  subject: string;
  /** `manifest.pushed.v1` …: what `eventNameOf` reads from the subject, else the subject */
  name: string;
  /** the message's JSON; undefined when it is not JSON (the handler's validation rejects it) */
  payload: unknown;
  /** 1 for the first delivery */
  attempt: number;
}

export interface DurableEventHandler {
  /** Works on the event; resolves once what it changed has committed. Throws to have it offered again. */
  handle(event: DurableEvent): Promise<void>;
  /** Records that an attempt failed (a status, the last error). */
  failed?(event: DurableEvent, error: unknown): Promise<void>;
}

export interface DurableConsumerOptions extends DurableConsumerSpec {
  /** the event name a subject carries */
  eventNameOf?(subject: string): string | undefined;
  /** events in hand at once; 1 (one at a time, in stream order) when unset */
  concurrency?: number;
  /** events with one key are handled one after the other, in stream order */
  orderingKey?(event: DurableEvent): string;
  /** the pause before the next attempt once attempt `attempt` failed */
  retryDelayMs(attempt: number): number;
  /** failed attempts after which an event is terminated (logged as an error); retried forever when unset */
  giveUpAfterAttempts?: number;
  logger: Logger;
  /** how long one pull waits for a message; also how long a stop may wait for the pull */
  pullExpiresMs?: number;
  /** the pause before a lost connection or a deleted durable is opened again */
  restartPauseMs?: number;
}

const defaultPullExpiresMs = 2_000;
const defaultRestartPauseMs = 1_000;

/** Doubles from `firstMs`, up to `maxMs`. */
export function exponentialBackoff(firstMs: number, maxMs: number): (attempt: number) => number {
  return (attempt) => Math.min(maxMs, firstMs * 2 ** (attempt - 1));
}

export class DurableConsumer {
  private stopped = true;
  private running?: Promise<void>;
  private readonly inFlight = new Set<Promise<void>>();
  /** the last event taken per ordering key */
  private readonly lastOfKey = new Map<string, Promise<void>>();

  constructor(
    private readonly source: DurableSource,
    private readonly options: DurableConsumerOptions,
    private readonly handler: DurableEventHandler,
  ) {}

  get durable(): string {
    return this.options.durable;
  }

  /** whether it is taking events (started and not stopped) */
  get taking(): boolean {
    return this.running !== undefined;
  }

  /** Creates the durable or brings it up to date, then takes events until stopped. */
  async start(): Promise<void> {
    await this.source.ensure(this.options);
    if (this.running) return;
    this.stopped = false;
    this.running = this.run();
  }

  /** Takes no more events and waits for the ones in hand (acknowledged or offered again). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
    await Promise.all(this.inFlight);
    this.running = undefined;
  }

  private async run(): Promise<void> {
    const { stream, durable, logger } = this.options;
    const concurrency = this.options.concurrency ?? 1;
    const pullExpiresMs = this.options.pullExpiresMs ?? defaultPullExpiresMs;
    while (!this.stopped) {
      let opened: OpenedDurable | undefined;
      try {
        opened = await this.source.open(stream, durable);
        while (!this.stopped) {
          while (this.inFlight.size >= concurrency) await Promise.race(this.inFlight);
          const msg = await opened.next(pullExpiresMs);
          if (!msg) continue;
          if (this.stopped) msg.nak();
          else this.take(msg);
        }
      } catch (err) {
        if (this.stopped) break;
        logger.warn({ err, stream, durable }, 'event consumer stopped, restarting');
        await sleep(this.options.restartPauseMs ?? defaultRestartPauseMs);
      } finally {
        opened?.close();
      }
    }
  }

  /** Starts on the event once the previous event of its key is done. */
  private take(msg: PulledMessage): void {
    const event = readEvent(msg, this.options.eventNameOf);
    const key = this.options.orderingKey?.(event);
    const previous = key === undefined ? undefined : this.lastOfKey.get(key);
    const work = this.process(msg, event, previous).finally(() => {
      this.inFlight.delete(work);
      if (key !== undefined && this.lastOfKey.get(key) === work) this.lastOfKey.delete(key);
    });
    this.inFlight.add(work);
    if (key !== undefined) this.lastOfKey.set(key, work);
  }

  private async process(
    msg: PulledMessage,
    event: DurableEvent,
    previous: Promise<void> | undefined,
  ): Promise<void> {
    const { durable, ackWaitMs, logger } = this.options;
    const heartbeat = setInterval(() => msg.working(), ackWaitMs / 3);
    try {
      await previous;
      await consumeInSpan(msg, durable, () => this.handler.handle(event));
      msg.ack();
    } catch (err) {
      const { name, attempt } = event;
      const giveUpAfter = this.options.giveUpAfterAttempts;
      await this.recordFailure(event, err);
      if (giveUpAfter !== undefined && attempt >= giveUpAfter) {
        logger.error({ err, event: name, attempt, durable }, 'giving up an event');
        msg.term();
      } else {
        logger.warn({ err, event: name, attempt, durable }, 'failed to handle an event, retrying');
        msg.nak(this.options.retryDelayMs(attempt));
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async recordFailure(event: DurableEvent, error: unknown): Promise<void> {
    try {
      await this.handler.failed?.(event, error);
    } catch (err) {
      this.options.logger.error(
        { err, event: event.name, durable: this.options.durable },
        'failed to record a failed event',
      );
    }
  }
}

function readEvent(
  msg: PulledMessage,
  eventNameOf: ((subject: string) => string | undefined) | undefined,
): DurableEvent {
  let payload: unknown;
  try {
    payload = msg.json();
  } catch {
    payload = undefined;
  }
  return {
    subject: msg.subject,
    name: eventNameOf?.(msg.subject) ?? msg.subject,
    payload,
    attempt: msg.info.deliveryCount,
  };
}
