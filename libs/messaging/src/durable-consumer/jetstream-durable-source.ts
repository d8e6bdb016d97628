/**
 * The durable consumers' JetStream side: ensure-consumer (create, or update filter, ack wait
 * and pending bound in place, so the position is kept) and one-message pulls.
 *
 * An opened durable keeps one inbox subscription and asks for each message with one pull
 * request (`$JS.API.CONSUMER.MSG.NEXT`, a batch of one) answered there. The client's own
 * `consumer.next()` subscribes a new inbox for every message and drops it after (SUB, pull,
 * UNSUB), and the server's subject index changes twice per event in every consumer
 * (docs/benchmarks.md, "One subscription per durable").
 */
import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy as NatsDeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { type Msg, type NatsConnection, type Subscription, createInbox } from '@nats-io/nats-core';
import type {
  DurableConsumerSpec,
  DurableSource,
  OpenedDurable,
  PulledMessage,
} from './durable-source';

const nanosPerMs = 1_000_000;
/**
 * How long past its expiry a pull may go unanswered before the durable is opened again: the
 * server answers every pull (a message, or 408 when it expires), so only a pull lost with a
 * connection goes unanswered.
 */
const unansweredGraceMs = 5_000;

/** What the durable consumers take from the service's NATS connection. */
export interface JetStreamAccess {
  readonly connection: NatsConnection;
  /** where this service may subscribe its inboxes (its NATS permissions) */
  readonly inboxPrefix: string;
  jetStream(): JetStreamClient;
  jetStreamManager(): Promise<JetStreamManager>;
}

export class JetStreamDurableSource implements DurableSource {
  constructor(private readonly nats: JetStreamAccess) {}

  async ensure(spec: DurableConsumerSpec): Promise<void> {
    await ensureDurableConsumer(await this.nats.jetStreamManager(), spec);
  }

  async open(stream: string, durable: string): Promise<OpenedDurable> {
    // fails when the durable is gone, so the consumer pauses before it tries again
    await this.nats.jetStream().consumers.get(stream, durable);
    return new InboxPulls(
      this.nats.connection,
      createInbox(this.nats.inboxPrefix),
      `$JS.API.CONSUMER.MSG.NEXT.${stream}.${durable}`,
    );
  }
}

interface Waiting {
  resolve(message: PulledMessage | null): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** One pull at a time, each answered on the inbox this durable keeps while it is open. */
class InboxPulls implements OpenedDurable {
  private readonly subscription: Subscription;
  private waiting?: Waiting;

  constructor(
    private readonly connection: NatsConnection,
    private readonly inbox: string,
    private readonly pullSubject: string,
  ) {
    this.subscription = connection.subscribe(this.inbox, {
      callback: (error, msg) => (error ? this.fail(error) : this.arrived(msg)),
    });
  }

  next(expiresMs: number): Promise<PulledMessage | null> {
    if (this.waiting) return Promise.reject(new Error('a pull is already waiting'));
    if (this.subscription.isClosed()) return Promise.reject(new Error('the durable is closed'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          this.fail(new Error(`a pull went unanswered for ${expiresMs + unansweredGraceMs} ms`)),
        expiresMs + unansweredGraceMs,
      );
      this.waiting = { resolve, reject, timer };
      try {
        this.connection.publish(
          this.pullSubject,
          JSON.stringify({ batch: 1, expires: expiresMs * nanosPerMs }),
          { reply: this.inbox },
        );
      } catch (error) {
        this.fail(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  close(): void {
    this.fail(new Error('the durable is closed'));
    if (!this.subscription.isClosed()) this.subscription.unsubscribe();
  }

  private arrived(msg: Msg): void {
    const status = msg.data.length === 0 ? msg.headers?.code : undefined;
    if (status === undefined || status === 0) {
      let message: AckedByReply;
      try {
        message = new AckedByReply(msg);
      } catch (error) {
        return this.fail(error as Error); // not a JetStream message: open again
      }
      const waiting = this.take();
      // nobody asks for it now (its pull was given up): offered again at once, not at the
      // ack deadline
      if (waiting) waiting.resolve(message);
      else message.nak();
      return;
    }
    if (status === 100) return; // a heartbeat: none is asked for
    // 404 no messages, 408 the pull expired: nothing came
    if (status === 404 || status === 408) return this.take()?.resolve(null);
    // 409 (the durable deleted, too many pulls waiting, …), 503 (no JetStream): open again
    this.fail(
      new Error(`pull of ${this.pullSubject}: ${status} ${msg.headers?.description ?? ''}`),
    );
  }

  private fail(error: Error): void {
    this.take()?.reject(error);
  }

  private take(): Waiting | undefined {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) clearTimeout(waiting.timer);
    return waiting;
  }
}

/** A pulled JetStream message, acknowledged on its reply subject. */
class AckedByReply implements PulledMessage {
  readonly info: { readonly deliveryCount: number };

  constructor(private readonly msg: Msg) {
    this.info = { deliveryCount: deliveryCountOf(msg.reply ?? '') };
  }

  get subject(): string {
    return this.msg.subject;
  }

  get headers(): Msg['headers'] {
    return this.msg.headers;
  }

  json<T = unknown>(): T {
    return this.msg.json<T>();
  }

  ack(): void {
    this.msg.respond('+ACK');
  }

  nak(delayMs?: number): void {
    this.msg.respond(
      delayMs === undefined ? '-NAK' : `-NAK ${JSON.stringify({ delay: delayMs * nanosPerMs })}`,
    );
  }

  working(): void {
    this.msg.respond('+WPI');
  }

  term(reason?: string): void {
    this.msg.respond(reason === undefined ? '+TERM' : `+TERM ${reason}`);
  }
}

/**
 * The delivery count in a JetStream ack subject:
 * `$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>`, or
 * with `<domain>.<account hash>` after `ACK` and a token at the end (nats-server 2.9 on).
 */
export function deliveryCountOf(ackSubject: string): number {
  const tokens = ackSubject.split('.');
  if (tokens[0] !== '$JS' || tokens[1] !== 'ACK' || tokens.length < 9)
    throw new Error(`not a JetStream ack subject: ${ackSubject}`);
  const count = Number(tokens[tokens.length === 9 ? 4 : 6]);
  if (!Number.isInteger(count) || count < 1) throw new Error(`no delivery count in ${ackSubject}`);
  return count;
}

/** Creates the durable pull consumer, or brings an existing one up to date, position and all. */
export async function ensureDurableConsumer(
  jsm: JetStreamManager,
  spec: DurableConsumerSpec,
): Promise<void> {
  const settings = updatableSettings(spec);
  let current: ConsumerConfig;
  try {
    current = (await jsm.consumers.info(spec.stream, spec.durable)).config;
  } catch (error) {
    if (!/consumer not found/i.test(String(error))) throw error;
    await jsm.consumers
      .add(spec.stream, {
        durable_name: spec.durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy:
          spec.deliverPolicy === 'new' ? NatsDeliverPolicy.New : NatsDeliverPolicy.All,
        max_deliver: -1,
        ...settings,
      })
      .catch((addError: unknown) => {
        // another replica created it meanwhile
        if (!/already in use|consumer already exists/i.test(String(addError))) throw addError;
      });
    return;
  }
  if (!upToDate(current, settings)) await jsm.consumers.update(spec.stream, spec.durable, settings);
}

function updatableSettings(spec: DurableConsumerSpec): Partial<ConsumerConfig> {
  const [only, ...more] = spec.filterSubjects;
  return {
    // one of the two, the other cleared: an update merges into the current configuration
    ...(more.length === 0
      ? { filter_subject: only, filter_subjects: undefined }
      : { filter_subject: undefined, filter_subjects: [...spec.filterSubjects] }),
    ack_wait: spec.ackWaitMs * nanosPerMs,
    ...(spec.maxAckPending === undefined ? {} : { max_ack_pending: spec.maxAckPending }),
  };
}

function upToDate(current: ConsumerConfig, wanted: Partial<ConsumerConfig>): boolean {
  const filters = (config: Partial<ConsumerConfig>) =>
    (config.filter_subjects ?? (config.filter_subject ? [config.filter_subject] : [])).join(' ');
  return (
    filters(current) === filters(wanted) &&
    current.ack_wait === wanted.ack_wait &&
    (wanted.max_ack_pending === undefined || current.max_ack_pending === wanted.max_ack_pending)
  );
}
