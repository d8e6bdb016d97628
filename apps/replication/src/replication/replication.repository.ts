/**
 * What the replication service remembers, in the region's Postgres (schema `replication`):
 * the peer events it has applied (so a redelivery changes nothing), where each pushed image
 * is ready, pending or failed per region, and each peer link's last error. Outcome events
 * are written to the outbox in the same transaction as the status they announce, so
 * `replication.completed.v1` goes out exactly once per source push and region.
 */
import { Injectable } from '@nestjs/common';
import {
  type ManifestPushed,
  type RegionId,
  type ReplicationCompleted,
  type ReplicationFailed,
  type ReplicationState,
  replicationCompleted,
  replicationFailed,
} from '@meridian/contracts';
import { InjectSql, Outbox, type Sql, type TransactionSql } from '@meridian/database';

export interface ImageStatusRow {
  repository: string;
  digest: string;
  region: RegionId;
  state: ReplicationState;
  since: Date;
  pushedAt: Date;
  sourceRegion: RegionId;
  lagMs?: number;
  lastError?: string;
}

export interface PeerError {
  error: string;
  at: Date;
}

/** A pushed image as the status table keys it. */
export type PushedImage = Pick<
  ReplicationCompleted,
  'repository' | 'digest' | 'sourceRegion' | 'pushedAt'
>;

export abstract class ReplicationRepository {
  abstract isApplied(eventId: string): Promise<boolean>;
  /** Records a peer event as applied; false when it already was. */
  abstract markApplied(eventId: string, sourceRegion: string, name: string): Promise<boolean>;
  /** The image is pending in `region`, unless the region already has a state for it. */
  abstract recordPending(image: PushedImage, region: RegionId, at: Date): Promise<void>;
  /**
   * In one transaction: marks `push` applied, marks the image ready in `completed.region`,
   * writes `completed` to the outbox. Nothing when the push was applied before; false then.
   */
  abstract completePush(push: ManifestPushed, completed: ReplicationCompleted): Promise<boolean>;
  /** A peer's (or this region's) outcome event, as a status row; ready is never undone. */
  abstract recordOutcome(event: ReplicationCompleted | ReplicationFailed): Promise<void>;
  /** In one transaction, once per source event: status failed here and `failed` written. */
  abstract reportFailure(failed: ReplicationFailed): Promise<boolean>;
  abstract recordPeerError(peer: RegionId, error: string, at: Date): Promise<void>;
  abstract peerErrors(): Promise<Map<RegionId, PeerError>>;
  abstract statusOf(repository: string, digest: string): Promise<ImageStatusRow[]>;
}

interface StatusDbRow {
  repository: string;
  digest: string;
  region: string;
  state: ReplicationState;
  since: Date;
  pushed_at: Date;
  source_region: string;
  lag_ms: number | null;
  last_error: string | null;
}

@Injectable()
export class SqlReplicationRepository extends ReplicationRepository {
  constructor(
    @InjectSql() private readonly sql: Sql,
    private readonly outbox: Outbox,
  ) {
    super();
  }

  async isApplied(eventId: string): Promise<boolean> {
    const rows = await this.sql`
      select 1 from replication.applied_events where event_id = ${eventId}`;
    return rows.length > 0;
  }

  markApplied(eventId: string, sourceRegion: string, name: string): Promise<boolean> {
    return insertApplied(this.sql, eventId, sourceRegion, name);
  }

  async recordPending(image: PushedImage, region: RegionId, at: Date): Promise<void> {
    await this.sql`
      insert into replication.image_status
        (repository, digest, region, state, since, pushed_at, source_region)
      values (${image.repository}, ${image.digest}, ${region}, 'pending', ${at},
              ${image.pushedAt}, ${image.sourceRegion})
      on conflict do nothing`;
  }

  completePush(push: ManifestPushed, completed: ReplicationCompleted): Promise<boolean> {
    return this.sql.begin(async (tx) => {
      const name = 'manifest.pushed.v1';
      if (!(await insertApplied(tx, push.eventId, push.originRegion, name))) return false;
      await upsertOutcome(tx, completed);
      await this.outbox.write(tx, replicationCompleted, completed);
      return true;
    });
  }

  async recordOutcome(event: ReplicationCompleted | ReplicationFailed): Promise<void> {
    await upsertOutcome(this.sql, event);
  }

  reportFailure(failed: ReplicationFailed): Promise<boolean> {
    return this.sql.begin(async (tx) => {
      const inserted = await tx`
        insert into replication.reported_failures (event_id, attempts)
        values (${failed.sourceEventId}, ${failed.attempts})
        on conflict do nothing returning 1`;
      if (inserted.length === 0) return false;
      await upsertOutcome(tx, failed);
      await this.outbox.write(tx, replicationFailed, failed);
      return true;
    });
  }

  async recordPeerError(peer: RegionId, error: string, at: Date): Promise<void> {
    await this.sql`
      insert into replication.peer_errors (region, error, at) values (${peer}, ${error}, ${at})
      on conflict (region) do update set error = excluded.error, at = excluded.at`;
  }

  async peerErrors(): Promise<Map<RegionId, PeerError>> {
    const rows = await this.sql<{ region: string; error: string; at: Date }[]>`
      select region, error, at from replication.peer_errors`;
    return new Map(rows.map(({ region, error, at }) => [region, { error, at }]));
  }

  async statusOf(repository: string, digest: string): Promise<ImageStatusRow[]> {
    const rows = await this.sql<StatusDbRow[]>`
      select * from replication.image_status
      where repository = ${repository} and digest = ${digest}`;
    return rows.map((row) => ({
      repository: row.repository,
      digest: row.digest,
      region: row.region,
      state: row.state,
      since: row.since,
      pushedAt: row.pushed_at,
      sourceRegion: row.source_region,
      ...(row.lag_ms === null ? {} : { lagMs: row.lag_ms }),
      ...(row.last_error === null ? {} : { lastError: row.last_error }),
    }));
  }
}

async function insertApplied(
  sql: Sql | TransactionSql,
  eventId: string,
  sourceRegion: string,
  name: string,
): Promise<boolean> {
  const inserted = await sql`
    insert into replication.applied_events (event_id, source_region, name)
    values (${eventId}, ${sourceRegion}, ${name})
    on conflict do nothing returning 1`;
  return inserted.length > 0;
}

/** Ready replaces anything and is never replaced; failed replaces pending. */
async function upsertOutcome(
  sql: Sql | TransactionSql,
  event: ReplicationCompleted | ReplicationFailed,
): Promise<void> {
  const ready = 'lagMs' in event;
  const state: ReplicationState = ready ? 'ready' : 'failed';
  const lagMs = ready ? event.lagMs : null;
  const lastError = ready ? null : event.error;
  await sql`
    insert into replication.image_status
      (repository, digest, region, state, since, pushed_at, source_region, lag_ms, last_error)
    values (${event.repository}, ${event.digest}, ${event.region}, ${state}, ${event.occurredAt},
            ${event.pushedAt}, ${event.sourceRegion}, ${lagMs}, ${lastError})
    on conflict (repository, digest, region) do update set
      state = excluded.state,
      since = case when image_status.state = excluded.state then image_status.since
                   else excluded.since end,
      lag_ms = excluded.lag_ms,
      last_error = excluded.last_error
    where image_status.state <> 'ready'`;
}
