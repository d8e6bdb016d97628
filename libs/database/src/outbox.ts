/**
 * The transactional outbox. A service records each event in the same transaction as the
 * change it describes (`Outbox.write(tx, …)`); the OutboxRelay publishes committed events to
 * the region's JetStream stream with the event id as message id, then removes them. So an
 * event is published if and only if its change committed, and never lost while NATS is down.
 *
 * Table `<schema>.outbox` (created by `outboxTableSql`): rows in commit order by `seq`.
 * When tracing is on, a row's payload also keeps the trace context of the work that wrote
 * it (`outboxTraceKey`); the relay takes it out again and publishes the event as part of
 * that trace.
 */
import { randomUUID } from 'node:crypto';
import {
  type Actor,
  type EventDefinition,
  type EventEnvelope,
  type Hlc,
  type HybridLogicalClock,
  type RequestInfo,
} from '@meridian/contracts';
import { injectTraceContext } from '@meridian/telemetry';
import type { z } from 'zod';
import type { TransactionSql } from './sql';

/** The outbox table; include it in a service's first migration. */
export const outboxTableSql = `
create table if not exists outbox (
  seq bigserial primary key,
  event_id uuid not null unique,
  subject text not null,
  payload jsonb not null,
  created_at timestamptz not null default now()
);`;

/** Where an outbox row's payload keeps the trace context it was written in; never published. */
export const outboxTraceKey = 'meridianTraceContext';

/** The event with the active trace context beside it, or as it is when tracing is off. */
function withTraceContext(event: EventEnvelope): EventEnvelope {
  const carrier: Record<string, string> = {};
  injectTraceContext({ set: (key, value) => (carrier[key] = value) });
  if (Object.keys(carrier).length === 0) return event;
  return Object.assign({ [outboxTraceKey]: carrier }, event);
}

export function outboxChannel(schema: string): string {
  return `meridian_outbox_${schema}`;
}

export interface OutboxRow {
  /** schema-qualified */
  table: string;
  channel: string;
  eventId: string;
  subject: string;
  payload: EventEnvelope;
}

export interface EventOrigin {
  actor?: Actor;
  request?: RequestInfo;
}

export class Outbox {
  constructor(
    readonly schema: string,
    private readonly clock: HybridLogicalClock,
  ) {}

  get region(): string {
    return this.clock.region;
  }

  /** The fields every event carries, with a fresh id and clock reading. */
  envelope(origin: EventOrigin = {}): EventEnvelope {
    return {
      eventId: randomUUID(),
      originRegion: this.clock.region,
      hlc: this.clock.tick(),
      occurredAt: new Date().toISOString(),
      ...(origin.actor ? { actor: origin.actor } : {}),
      ...(origin.request ? { request: origin.request } : {}),
    };
  }

  /**
   * Merges a clock reading from another region's event, so this service's later envelopes
   * sort after every write it has applied (replication calls it before applying one).
   */
  observe(remote: Hlc): void {
    this.clock.observe(remote);
  }

  /**
   * The outbox row of an event, validated against its contract, for a repository that records
   * it in the very statement that makes the change (a data-modifying CTE), so a hot path
   * commits in one round trip rather than a transaction of several. The statement must insert
   * `eventId`, `subject`, `payload` into `table` and call `pg_notify(channel, '')` for each row
   * it inserts, as `write` does.
   */
  row<S extends z.ZodType>(def: EventDefinition<S>, payload: z.infer<S>): OutboxRow {
    const event = def.schema.parse(payload) as EventEnvelope;
    return {
      table: `${this.schema}.outbox`,
      channel: outboxChannel(this.schema),
      eventId: event.eventId,
      subject: def.subject(this.clock.region),
      payload: withTraceContext(event),
    };
  }

  /** Records an event inside the caller's transaction; validated against its contract. */
  async write<S extends z.ZodType>(
    tx: TransactionSql,
    def: EventDefinition<S>,
    payload: z.infer<S>,
  ): Promise<void> {
    const event = def.schema.parse(payload) as EventEnvelope;
    // Both go out together (pipelined on the transaction's connection, still in this order):
    // one round trip to the database instead of two on every write that announces something.
    await Promise.all([
      tx.unsafe(
        `insert into ${this.schema}.outbox (event_id, subject, payload) values ($1, $2, $3)`,
        [event.eventId, def.subject(this.clock.region), withTraceContext(event) as never],
      ),
      tx.unsafe(`select pg_notify($1, '')`, [outboxChannel(this.schema)]),
    ]);
  }
}
