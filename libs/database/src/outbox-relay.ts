/**
 * Publishes committed outbox rows, oldest first. Woken by NOTIFY right after a commit and
 * whenever its LISTEN connection is (re)established, since notifications sent while it was
 * down are lost; as a safety net besides, every `pollIntervalMs` (20 s: an idle relay costs
 * a transaction per poll, a region runs a dozen relays, and a poll that comes back sooner
 * than the pool's idle timeout keeps another connection open in turn, see sql.ts). A batch
 * is taken out of the table in one statement (a DELETE of rows locked with SKIP LOCKED, so
 * replicas of a service share the work) inside a transaction that commits only after
 * JetStream acknowledged every row: when publishing fails the delete rolls back and the
 * batch is retried with backoff.
 */
import type { Logger } from 'pino';
import { context, extractTraceContext } from '@meridian/telemetry';
import { beginPipelined } from './begin-pipelined';
import { outboxChannel, outboxTraceKey } from './outbox';
import type { Sql } from './sql';

export type PublishFn = (subject: string, payload: unknown, eventId: string) => Promise<void>;

export interface OutboxRelayOptions {
  batchSize?: number;
  pollIntervalMs?: number;
  maxBackoffMs?: number;
}

interface OutboxRow {
  seq: string;
  event_id: string;
  subject: string;
  payload: unknown;
}

export class OutboxRelay {
  private running = false;
  /** set by a NOTIFY that arrived while the relay was busy, so it is not lost */
  private woken = false;
  private wake?: () => void;
  private loop?: Promise<void>;
  private unlisten?: () => Promise<void>;

  constructor(
    private readonly sql: Sql,
    private readonly schema: string,
    private readonly publish: PublishFn,
    private readonly logger: Logger,
    private readonly options: OutboxRelayOptions = {},
  ) {}

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const listener = await this.sql.listen(
      outboxChannel(this.schema),
      () => this.notify(),
      () => this.notify(),
    );
    this.unlisten = () => listener.unlisten();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.notify();
    await this.loop;
    await this.unlisten?.();
  }

  /** Publishes everything pending now; returns how many events went out. */
  async flush(): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await this.publishBatch();
      total += published;
      if (published < (this.options.batchSize ?? 256)) return total;
    }
  }

  private async run(): Promise<void> {
    let backoffMs = 100;
    while (this.running) {
      try {
        this.woken = false;
        await this.flush();
        backoffMs = 100;
        await this.sleep(this.options.pollIntervalMs ?? 20_000);
      } catch (err) {
        this.logger.warn({ err, backoffMs }, 'failed to publish outbox events');
        await this.sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, this.options.maxBackoffMs ?? 5000);
      }
    }
  }

  private async publishBatch(): Promise<number> {
    const batchSize = this.options.batchSize ?? 256;
    // BEGIN goes out with the DELETE; the COMMIT waits for JetStream's acks
    return beginPipelined(this.sql, async (tx) => {
      const taken = await tx.unsafe<OutboxRow[]>(
        `delete from ${this.schema}.outbox where seq in (
           select seq from ${this.schema}.outbox order by seq limit $1 for update skip locked
         ) returning seq, event_id, subject, payload`,
        [batchSize],
      );
      if (taken.length === 0) return 0;
      // RETURNING has no order; one connection publishes in order, so the stream stores the
      // batch in commit order.
      const rows = taken.sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
      await Promise.all(
        rows.map((row) => {
          const { event, trace } = takeTraceContext(row.payload);
          return context.with(trace, () => this.publish(row.subject, event, row.event_id));
        }),
      );
      return rows.length;
    });
  }

  private notify(): void {
    this.woken = true;
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.woken = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}

/** The event as published, and the trace it was written in (the active one when none). */
function takeTraceContext(payload: unknown) {
  if (typeof payload !== 'object' || payload === null || !(outboxTraceKey in payload))
    return { event: payload, trace: context.active() };
  const { [outboxTraceKey]: carrier, ...event } = payload as Record<string, unknown>;
  const headers = carrier as Record<string, string>;
  return { event, trace: extractTraceContext({ get: (key) => headers[key] }) };
}
