/**
 * SQL over `webhook.deliveries` and `webhook.attempts`: the queue every request is sent from
 * and the log of every attempt. A delivery is taken by setting a lease (several replicas of
 * the service share the queue with `for update skip locked`); each attempt's outcome and the
 * delivery's next state commit together. Inserting deliveries notifies the runners at once.
 * A delivery keeps the trace context it was recorded in (the consumer span of its event), so
 * its attempts continue that trace.
 */
import { Injectable } from '@nestjs/common';
import type { DeliveryAttempt, DeliveryState, DeliveryView } from '@meridian/contracts';
import { InjectSql, type Sql } from '@meridian/database';
import { injectTraceContext } from '@meridian/telemetry';

export const deliveriesChannel = 'meridian_webhook_deliveries';

export interface NewDelivery {
  id: string;
  webhook: string;
  eventId: string;
  action: string;
  contentType: string;
  body: string;
  redeliveryOf?: string;
}

export interface DueDelivery {
  id: string;
  webhook: string;
  eventId: string;
  action: string;
  contentType: string;
  body: string;
  attempts: number;
  createdAt: Date;
  /** the trace context it was recorded in (`traceparent`, `tracestate`) */
  traceContext?: Record<string, string>;
}

export interface AttemptOutcome {
  deliveryId: string;
  attempt: DeliveryAttempt;
  /** the delivery's state after the attempt */
  state: DeliveryState;
  nextAttemptAt?: Date;
}

interface DeliveryRow {
  seq: string;
  id: string;
  webhook: string;
  event_id: string;
  action: string;
  state: DeliveryState;
  attempts: number;
  created_at: Date;
  next_attempt_at: Date;
  last_error: string | null;
  redelivery_of: string | null;
}

interface AttemptRow {
  delivery_id: string;
  attempt: number;
  started_at: Date;
  duration_ms: number;
  request: DeliveryAttempt['request'];
  response: DeliveryAttempt['response'] | null;
  error: string | null;
}

@Injectable()
export class DeliveriesRepository {
  constructor(@InjectSql() private readonly sql: Sql) {}

  /** Records deliveries (an event seen again records nothing twice) and wakes the runners. */
  async record(deliveries: readonly NewDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    const traceContext: Record<string, string> = {};
    injectTraceContext({ set: (key, value) => (traceContext[key] = value) });
    const rows = deliveries.map((delivery) => ({
      id: delivery.id,
      webhook: delivery.webhook,
      event_id: delivery.eventId,
      action: delivery.action,
      content_type: delivery.contentType,
      body: delivery.body,
      redelivery_of: delivery.redeliveryOf ?? null,
      trace_context: Object.keys(traceContext).length > 0 ? this.sql.json(traceContext) : null,
    }));
    await this.sql.begin(async (tx) => {
      await tx`
        insert into webhook.deliveries ${tx(rows)}
        on conflict (webhook, event_id) where redelivery_of is null do nothing`;
      await tx`select pg_notify(${deliveriesChannel}, '')`;
    });
  }

  /**
   * Leases up to `limit` due deliveries, at most `free[webhook]` (else `perWebhook`) of each
   * webhook, oldest due first, so a webhook whose requests hang only ever holds its own slots.
   */
  async takeDue(
    limit: number,
    perWebhook: number,
    busy: ReadonlyMap<string, number>,
    leaseMs: number,
  ): Promise<DueDelivery[]> {
    const inFlight = Object.fromEntries(busy);
    const full = [...busy].filter(([, count]) => count >= perWebhook).map(([name]) => name);
    const rows = await this.sql<
      Array<{
        id: string;
        webhook: string;
        event_id: string;
        action: string;
        content_type: string;
        body: string;
        attempts: number;
        created_at: Date;
        trace_context: Record<string, string> | null;
      }>
    >`
      with candidates as (
        select id, webhook, next_attempt_at, seq
        from webhook.deliveries
        where state = 'pending' and next_attempt_at <= now()
          and (lease_until is null or lease_until < now())
          and webhook <> all(${this.sql.array(full)}::text[])
        order by next_attempt_at
        limit ${limit * 8}
        for update skip locked
      ), ranked as (
        select id, webhook,
               row_number() over (partition by webhook order by next_attempt_at, seq) as rank
        from candidates
      ), chosen as (
        select id from ranked
        where rank <= ${perWebhook} - coalesce((${this.sql.json(inFlight)}::jsonb ->> webhook)::int, 0)
        limit ${limit}
      )
      update webhook.deliveries d
      set lease_until = now() + ${leaseMs} * interval '1 millisecond'
      from chosen where d.id = chosen.id
      returning d.id, d.webhook, d.event_id, d.action, d.content_type, d.body, d.attempts,
                d.created_at, d.trace_context`;
    return rows.map((row) => ({
      id: row.id,
      webhook: row.webhook,
      eventId: row.event_id,
      action: row.action,
      contentType: row.content_type,
      body: row.body,
      attempts: row.attempts,
      createdAt: row.created_at,
      ...(row.trace_context ? { traceContext: row.trace_context } : {}),
    }));
  }

  /** When the next delivery falls due (undefined: none is pending). */
  async nextDueAt(): Promise<Date | undefined> {
    const [row] = await this.sql<Array<{ at: Date | null }>>`
      select min(greatest(next_attempt_at, coalesce(lease_until, next_attempt_at))) as at
      from webhook.deliveries where state = 'pending'`;
    return row?.at ?? undefined;
  }

  /** Logs the attempt and moves the delivery on, together. */
  async finishAttempt(outcome: AttemptOutcome): Promise<void> {
    const { deliveryId, attempt, state, nextAttemptAt } = outcome;
    await this.sql.begin(async (tx) => {
      await tx`
        insert into webhook.attempts
          (delivery_id, attempt, started_at, duration_ms, request, response, error)
        values (${deliveryId}, ${attempt.attempt}, ${attempt.startedAt}, ${attempt.durationMs},
                ${tx.json(attempt.request as never)},
                ${attempt.response ? tx.json(attempt.response as never) : null},
                ${attempt.error ?? null})
        on conflict (delivery_id, attempt) do nothing`;
      await tx`
        update webhook.deliveries
        set state = ${state}, attempts = ${attempt.attempt}, lease_until = null,
            next_attempt_at = ${nextAttemptAt ?? new Date()},
            last_error = ${attempt.error ?? errorOfResponse(attempt)},
            finished_at = ${state === 'pending' ? null : new Date()}
        where id = ${deliveryId}`;
    });
  }

  /** Ends a delivery without an attempt (its webhook is gone or disabled). */
  async abandon(deliveryId: string, reason: string): Promise<void> {
    await this.sql`
      update webhook.deliveries
      set state = 'dead', lease_until = null, last_error = ${reason}, finished_at = now()
      where id = ${deliveryId}`;
  }

  async find(webhook: string, id: string): Promise<NewDelivery | undefined> {
    const [row] = await this.sql<
      Array<{ event_id: string; action: string; content_type: string; body: string }>
    >`
      select event_id, action, content_type, body from webhook.deliveries
      where webhook = ${webhook} and id = ${id}`;
    if (!row) return undefined;
    return {
      id,
      webhook,
      eventId: row.event_id,
      action: row.action,
      contentType: row.content_type,
      body: row.body,
    };
  }

  /** A webhook's deliveries, newest first, after the delivery `last`; with their attempts. */
  async log(webhook: string, n: number, last?: string): Promise<DeliveryView[]> {
    const deliveries = await this.sql<DeliveryRow[]>`
      select seq, id, webhook, event_id, action, state, attempts, created_at, next_attempt_at,
             last_error, redelivery_of
      from webhook.deliveries
      where webhook = ${webhook}
        ${last ? this.sql`and seq < (select seq from webhook.deliveries where id = ${last})` : this.sql``}
      order by seq desc
      limit ${n}`;
    if (deliveries.length === 0) return [];
    const attempts = await this.sql<AttemptRow[]>`
      select delivery_id, attempt, started_at, duration_ms, request, response, error
      from webhook.attempts
      where delivery_id in ${this.sql(deliveries.map((row) => row.id))}
      order by attempt desc`;
    return deliveries.map((row) => toView(row, attempts));
  }

  /** Forgets finished deliveries (and their attempts) older than `before`. */
  async purgeFinishedBefore(before: Date): Promise<number> {
    const result = await this.sql`
      delete from webhook.deliveries where state <> 'pending' and finished_at < ${before}`;
    return result.count;
  }
}

function errorOfResponse(attempt: DeliveryAttempt): string | null {
  const status = attempt.response?.status;
  return status !== undefined && (status < 200 || status > 299) ? `HTTP ${status}` : null;
}

function toView(row: DeliveryRow, attempts: readonly AttemptRow[]): DeliveryView {
  return {
    id: row.id,
    webhook: row.webhook,
    eventId: row.event_id,
    action: row.action as DeliveryView['action'],
    state: row.state,
    attempts: row.attempts,
    createdAt: row.created_at.toISOString(),
    ...(row.state === 'pending' ? { nextAttemptAt: row.next_attempt_at.toISOString() } : {}),
    ...(row.last_error ? { lastError: row.last_error } : {}),
    ...(row.redelivery_of ? { redeliveryOf: row.redelivery_of } : {}),
    log: attempts
      .filter((attempt) => attempt.delivery_id === row.id)
      .map((attempt) => ({
        attempt: attempt.attempt,
        startedAt: attempt.started_at.toISOString(),
        durationMs: attempt.duration_ms,
        request: attempt.request,
        ...(attempt.response ? { response: attempt.response } : {}),
        ...(attempt.error ? { error: attempt.error } : {}),
      })),
  };
}
