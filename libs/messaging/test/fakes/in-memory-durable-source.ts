/**
 * A JetStream of one process, for the durable consumer's unit tests: durables hold their
 * messages in order; a nak puts a message back after its delay with one more delivery; a pull
 * waits for a message or its expiry. `loseConnection` fails the pulls in progress and the
 * next opens, as a dropped connection does.
 */
import type { HeaderReader } from '@meridian/telemetry';
import type {
  DurableConsumerSpec,
  DurableSource,
  OpenedDurable,
  PulledMessage,
} from '../../src/durable-consumer/durable-source';

export class FakeMessage implements PulledMessage {
  readonly info: { deliveryCount: number };
  readonly settled: string[] = [];
  heartbeats = 0;

  constructor(
    private readonly durable: FakeDurable,
    readonly subject: string,
    private readonly body: string,
    deliveryCount: number,
    readonly headers?: HeaderReader,
  ) {
    this.info = { deliveryCount };
  }

  json<T = unknown>(): T {
    return JSON.parse(this.body) as T;
  }

  ack(): void {
    this.settled.push('ack');
    this.durable.acked.push(this);
  }

  nak(delayMs = 0): void {
    this.settled.push(`nak ${delayMs}`);
    const again = new FakeMessage(
      this.durable,
      this.subject,
      this.body,
      this.info.deliveryCount + 1,
      this.headers,
    );
    setTimeout(() => this.durable.offer(again), delayMs);
  }

  working(): void {
    this.heartbeats += 1;
  }

  term(): void {
    this.settled.push('term');
  }
}

export class FakeDurable {
  readonly acked: FakeMessage[] = [];
  readonly handedOut: FakeMessage[] = [];
  private readonly waiting: FakeMessage[] = [];
  private readonly pulls: ((msg: FakeMessage | null) => void)[] = [];

  constructor(readonly spec: DurableConsumerSpec) {}

  publish(subject: string, payload: unknown, headers?: Record<string, string>): FakeMessage {
    const message = new FakeMessage(
      this,
      subject,
      JSON.stringify(payload),
      1,
      headers && { get: (key) => headers[key], keys: () => Object.keys(headers) },
    );
    this.offer(message);
    return message;
  }

  offer(message: FakeMessage): void {
    const pull = this.pulls.shift();
    if (pull) this.handOut(message, pull);
    else this.waiting.push(message);
  }

  next(expiresMs: number, failures: FailedPulls): Promise<FakeMessage | null> {
    return new Promise((resolve, reject) => {
      const waiting = this.waiting.shift();
      if (waiting) return this.handOut(waiting, resolve);
      const pull = (msg: FakeMessage | null) => {
        clearTimeout(timer);
        failures.delete(fail);
        resolve(msg);
      };
      const fail = (error: Error) => {
        clearTimeout(timer);
        this.pulls.splice(this.pulls.indexOf(pull), 1);
        reject(error);
      };
      const timer = setTimeout(() => {
        this.pulls.splice(this.pulls.indexOf(pull), 1);
        failures.delete(fail);
        resolve(null);
      }, expiresMs);
      this.pulls.push(pull);
      failures.add(fail);
    });
  }

  private handOut(message: FakeMessage, to: (msg: FakeMessage) => void): void {
    this.handedOut.push(message);
    to(message);
  }
}

type FailedPulls = Set<(error: Error) => void>;

export class InMemoryDurableSource implements DurableSource {
  readonly durables = new Map<string, FakeDurable>();
  readonly ensured: DurableConsumerSpec[] = [];
  private connected = true;
  private readonly pulling: FailedPulls = new Set();

  async ensure(spec: DurableConsumerSpec): Promise<void> {
    this.ensured.push(spec);
    if (!this.durables.has(spec.durable)) this.durables.set(spec.durable, new FakeDurable(spec));
  }

  async open(stream: string, durable: string): Promise<OpenedDurable> {
    const found = this.durables.get(durable);
    if (!this.connected) throw new Error('connection closed');
    if (!found || found.spec.stream !== stream) throw new Error('consumer not found');
    return { next: (expiresMs) => found.next(expiresMs, this.pulling), close: () => undefined };
  }

  durable(name: string): FakeDurable {
    const found = this.durables.get(name);
    if (!found) throw new Error(`no durable ${name}`);
    return found;
  }

  /** Fails the pulls in progress, and every open until `reconnect`. */
  loseConnection(): void {
    this.connected = false;
    for (const fail of [...this.pulling]) fail(new Error('connection closed'));
    this.pulling.clear();
  }

  reconnect(): void {
    this.connected = true;
  }
}
