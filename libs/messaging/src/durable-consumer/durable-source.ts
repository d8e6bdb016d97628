/**
 * What a durable consumer needs from JetStream, and nothing more: make sure the durable
 * exists as configured, open it, pull one message. jetstream-durable-source.ts implements it
 * over NATS; the consumer's unit tests run on an in-memory fake of it. A `JsMsg` of
 * `@nats-io/jetstream` is a `PulledMessage` as it is.
 */
import type { HeaderReader } from '@meridian/telemetry';

export type DeliverPolicy = 'all' | 'new';

/** A durable pull consumer as a service declares it. */
export interface DurableConsumerSpec {
  stream: string;
  durable: string;
  /** subjects of the stream, wildcards allowed (more than one needs nats-server 2.10) */
  filterSubjects: readonly string[];
  /** where a new durable starts: every stored message, or only those published from now on */
  deliverPolicy: DeliverPolicy;
  /** how long a message may be in hand before the server offers it again (heartbeats extend it) */
  ackWaitMs: number;
  /** messages handed out and not yet acknowledged, at most; the server's default when unset */
  maxAckPending?: number;
}

export interface PulledMessage {
  readonly subject: string;
  readonly headers?: HeaderReader;
  readonly info: { readonly deliveryCount: number };
  json<T = unknown>(): T;
  ack(): void;
  /** offered again after `delayMs` */
  nak(delayMs?: number): void;
  /** still working on it: the ack deadline starts again */
  working(): void;
  /** never offered again */
  term(reason?: string): void;
}

export interface OpenedDurable {
  /** The next message, or null when none came within `expiresMs`; throws when the durable or the connection is gone. */
  next(expiresMs: number): Promise<PulledMessage | null>;
  /** Gives back what the opened durable holds (its inbox); a pull waiting fails. */
  close(): void;
}

export interface DurableSource {
  /** Creates the durable, or brings its configuration up to date; its position is kept. */
  ensure(spec: DurableConsumerSpec): Promise<void>;
  open(stream: string, durable: string): Promise<OpenedDurable>;
}
