/**
 * Upload sessions in SQL (`blob.uploads`). A session untouched for the idle timeout is
 * expired: every method here treats it as absent, and `removeExpired` deletes it. The
 * timeout is measured on the database's clock, so replicas on different hosts agree.
 *
 * A session's `offset` is the size of its upload state; advancing is optimistic (the update
 * names the offset it expects), so two chunks racing for one session cannot both land.
 */
import { Inject, Injectable } from '@nestjs/common';
import {
  type EventEnvelope,
  type UploadSession,
  type UploadState,
  blobUploaded,
} from '@meridian/contracts';
import {
  InjectSql,
  Outbox,
  beginPipelined,
  type Sql,
  type TransactionSql,
  holdBlobsShared,
} from '@meridian/database';
import { type BlobConfig, blobConfigToken } from '../config';
import { QuotaCrossings } from '../usage/quota-crossings';

export type AdvanceResult =
  | { kind: 'advanced'; session: UploadSession }
  /** the session exists but stands elsewhere */
  | { kind: 'moved'; offset: number }
  | { kind: 'unknown' };

export interface CompleteRequest {
  uploadId: string;
  repository: string;
  digest: string;
  size: number;
  /** a quota applies: settle its thresholds in the same transaction when the link is new */
  settleQuotas?: boolean;
  /**
   * The gateway opened the session (a `_state` the client may use again): whether it has a
   * row or not, it ends by being marked ended, and only the call that marks it records the blob.
   */
  deferred?: boolean;
  /**
   * Puts the bytes at the blob's key. Runs inside the transaction, with the blob's digest
   * held (libs/database blob-holds.ts), so garbage collection cannot delete the key between
   * the bytes landing and the row recording them.
   */
  placeBytes: () => Promise<void>;
}

export type CompleteResult =
  /** `linked`: the repository did not see the blob before */
  { kind: 'completed'; linked: boolean } | { kind: 'unknown' };

export interface ExpiredUpload {
  uploadId: string;
  state: UploadState;
}

/** A session the gateway opened, as the database sees it. */
export type DeferredLookup =
  /** it has a row: it took bytes (the row may say it took none yet) */
  | { kind: 'open'; session: UploadSession }
  /** no row, not ended, not expired: still empty, as opened */
  | { kind: 'empty' }
  /** ended, or opened longer than the idle timeout ago and never used */
  | { kind: 'unknown' };

export abstract class UploadsRepository {
  abstract insert(uploadId: string, repository: string, state: UploadState): Promise<UploadSession>;

  /**
   * The row of a session the gateway opened at `startedAt`, unless it ended or has one
   * already (then undefined).
   */
  abstract insertDeferred(
    uploadId: string,
    repository: string,
    state: UploadState,
    startedAt: string,
  ): Promise<UploadSession | undefined>;

  abstract find(uploadId: string, repository: string): Promise<UploadSession | undefined>;

  /** A session the gateway opened at `startedAt`: its row, or none yet, or unknown. One round trip. */
  abstract findDeferred(
    uploadId: string,
    repository: string,
    startedAt: string,
  ): Promise<DeferredLookup>;

  /** Moves the session from `fromOffset` to `state.size`. */
  abstract advance(
    uploadId: string,
    repository: string,
    fromOffset: number,
    state: UploadState,
  ): Promise<AdvanceResult>;

  /**
   * Ends the session and records its blob, in one transaction: the blob, its link to the
   * repository, and `blob.uploaded.v1` when the link is new. Unknown when the session is gone.
   */
  abstract complete(request: CompleteRequest, envelope: EventEnvelope): Promise<CompleteResult>;

  /** Deletes the session; its state, or undefined when there was none. */
  abstract remove(uploadId: string, repository: string): Promise<UploadState | undefined>;

  /**
   * Ends a session the gateway opened at `startedAt`: its row deleted if it has one, marked
   * ended. Undefined when it was unknown (ended already, or expired); else the state of its
   * row, if it had one.
   */
  abstract removeDeferred(
    uploadId: string,
    repository: string,
    startedAt: string,
  ): Promise<{ state: UploadState | undefined } | undefined>;

  /**
   * Deletes up to `limit` marks of ended sessions older than the idle timeout (every `_state`
   * of theirs has expired); how many went.
   */
  abstract forgetEnded(limit: number): Promise<number>;

  /**
   * Deletes up to `limit` expired sessions whose bytes `removeBytes` removed (it answers
   * false to keep a session for the next sweep). Sessions another replica is sweeping are
   * skipped.
   */
  abstract removeExpired(
    limit: number,
    removeBytes: (upload: ExpiredUpload) => Promise<boolean>,
  ): Promise<{ removed: number; kept: number }>;
}

interface UploadRow {
  id: string;
  repository: string;
  offset: string;
  state: UploadState;
  started_at: Date;
}

/** Expired sessions' bytes are removed a few at a time, to keep the sweep's transaction short. */
const removalConcurrency = 8;

@Injectable()
export class SqlUploadsRepository implements UploadsRepository {
  private readonly idleTimeoutSeconds: number;

  constructor(
    @InjectSql() private readonly sql: Sql,
    private readonly outbox: Outbox,
    @Inject(blobConfigToken) config: BlobConfig,
    private readonly crossings: QuotaCrossings,
  ) {
    this.idleTimeoutSeconds = config.uploadIdleTimeoutSeconds;
  }

  async insert(uploadId: string, repository: string, state: UploadState): Promise<UploadSession> {
    // A session lost in a crash costs the client a restarted upload, nothing more: skip
    // waiting for the commit to reach disk on the push's first round trip. One statement,
    // its own transaction: `set_config(…, true)` holds for it alone.
    const [row] = await this.sql<Pick<UploadRow, 'started_at'>[]>`
      with durability as (select set_config('synchronous_commit', 'off', true))
      insert into blob.uploads (id, repository, "offset", state)
      select ${uploadId}, ${repository}, ${state.size}, ${this.sql.json(state as never)} from durability
      returning started_at`;
    return {
      uploadId,
      repository,
      offset: state.size,
      state,
      startedAt: row!.started_at.toISOString(),
    };
  }

  async insertDeferred(
    uploadId: string,
    repository: string,
    state: UploadState,
    startedAt: string,
  ): Promise<UploadSession | undefined> {
    const [row] = await this.sql<Pick<UploadRow, 'started_at'>[]>`
      insert into blob.uploads (id, repository, "offset", state, started_at)
      select ${uploadId}, ${repository}, ${state.size}, ${this.sql.json(state as never)}, ${startedAt}
      where not exists (select 1 from blob.ended_uploads where id = ${uploadId})
      on conflict (id) do nothing
      returning started_at`;
    if (!row) return undefined;
    return {
      uploadId,
      repository,
      offset: state.size,
      state,
      startedAt: row.started_at.toISOString(),
    };
  }

  async findDeferred(
    uploadId: string,
    repository: string,
    startedAt: string,
  ): Promise<DeferredLookup> {
    const [row] = await this.sql<(Partial<UploadRow> & { ended: boolean; fresh: boolean })[]>`
      select u.id, u.repository, u."offset", u.state, u.started_at,
        exists (select 1 from blob.ended_uploads where id = ${uploadId}) as ended,
        ${startedAt}::timestamptz > now() - make_interval(secs => ${this.idleTimeoutSeconds}) as fresh
      from (select) as one
      left join blob.uploads u on u.id = ${uploadId} and u.repository = ${repository}
        and u.updated_at > now() - make_interval(secs => ${this.idleTimeoutSeconds})`;
    if (!row || row.ended) return { kind: 'unknown' };
    if (row.id) return { kind: 'open', session: toSession(row as UploadRow) };
    return row.fresh ? { kind: 'empty' } : { kind: 'unknown' };
  }

  async find(uploadId: string, repository: string): Promise<UploadSession | undefined> {
    const [row] = await this.sql<UploadRow[]>`
      select id, repository, "offset", state, started_at from blob.uploads
      where id = ${uploadId} and repository = ${repository}
        and updated_at > now() - make_interval(secs => ${this.idleTimeoutSeconds})`;
    return row && toSession(row);
  }

  async advance(
    uploadId: string,
    repository: string,
    fromOffset: number,
    state: UploadState,
  ): Promise<AdvanceResult> {
    const [row] = await this.sql<UploadRow[]>`
      update blob.uploads set "offset" = ${state.size}, state = ${this.sql.json(state as never)}, updated_at = now()
      where id = ${uploadId} and repository = ${repository} and "offset" = ${fromOffset}
        and updated_at > now() - make_interval(secs => ${this.idleTimeoutSeconds})
      returning id, repository, "offset", state, started_at`;
    if (row) return { kind: 'advanced', session: toSession(row) };
    const current = await this.find(uploadId, repository);
    return current ? { kind: 'moved', offset: current.offset } : { kind: 'unknown' };
  }

  async complete(request: CompleteRequest, envelope: EventEnvelope): Promise<CompleteResult> {
    const { repository, digest, settleQuotas } = request;
    // Without a quota, two round trips: BEGIN with the hold, the statement with COMMIT.
    return beginPipelined(this.sql, async (tx, commitWith) => {
      await holdBlobsShared(tx, [digest]);
      await request.placeBytes();
      if (!settleQuotas) return commitWith(this.completeIn(tx, request, envelope));
      const result = await this.completeIn(tx, request, envelope);
      if (result.kind === 'completed' && result.linked) {
        await this.crossings.settle(tx, repository, envelope);
      }
      return result;
    });
  }

  private completeIn(
    sql: TransactionSql,
    request: CompleteRequest,
    envelope: EventEnvelope,
  ): Promise<CompleteResult> {
    const { uploadId, repository, digest, size } = request;
    const deferred = request.deferred === true;
    const event = this.outbox.row(blobUploaded, { ...envelope, repository, digest, size });
    // One statement: the blob row, the link and the event exist only if this call ended the
    // session, so of two racing completes exactly one records the blob and announces it (and
    // only when the link is new). A doomed row is live again (its bytes are the ones just
    // placed); a link made again starts its grace period over.
    // A session the gateway opened ends by being marked ended, row or no row: of two racing
    // completes, the one whose mark lands wins.
    const statement = sql<{ completed: boolean; linked: boolean }[]>`
      with removed as (
        delete from blob.uploads where id = ${uploadId} and repository = ${repository} returning id
      ), marked as (
        insert into blob.ended_uploads (id) select ${uploadId} where ${deferred}
        on conflict (id) do nothing returning id
      ), session as (
        select id from removed where not ${deferred} union all select id from marked
      ), blob as (
        insert into blob.blobs (digest, size) select ${digest}, ${size} from session
        on conflict (digest) do update set state = 'live', doomed_at = null
          where blob.blobs.state = 'doomed'
      ), made as (
        insert into blob.repository_blobs (repository, digest) select ${repository}, ${digest} from session
        on conflict (repository, digest) do update set created_at = now(), unreferenced_since = null
        returning xmax = 0 as inserted
      ), link as (
        select 1 from made where inserted
      ), event as (
        insert into ${sql(event.table)} (event_id, subject, payload)
        select ${event.eventId}, ${event.subject}, ${sql.json(event.payload as never)} from link
        returning 1
      )
      select exists (select 1 from session) as completed, exists (select 1 from link) as linked,
        (select count(pg_notify(${event.channel}, '')) from event) as notified`;
    // the statement itself is returned (not awaited here), to go out with a COMMIT behind it
    return statement.then(([row]) =>
      row?.completed ? { kind: 'completed', linked: row.linked } : { kind: 'unknown' },
    );
  }

  async remove(uploadId: string, repository: string): Promise<UploadState | undefined> {
    const [row] = await this.sql<Pick<UploadRow, 'state'>[]>`
      delete from blob.uploads
      where id = ${uploadId} and repository = ${repository}
        and updated_at > now() - make_interval(secs => ${this.idleTimeoutSeconds})
      returning state`;
    return row?.state;
  }

  async removeDeferred(
    uploadId: string,
    repository: string,
    startedAt: string,
  ): Promise<{ state: UploadState | undefined } | undefined> {
    const idle = this.idleTimeoutSeconds;
    const [row] = await this.sql<{ state: UploadState | null; marked: boolean }[]>`
      with removed as (
        delete from blob.uploads where id = ${uploadId} and repository = ${repository}
          and updated_at > now() - make_interval(secs => ${idle})
        returning state
      ), marked as (
        insert into blob.ended_uploads (id) select ${uploadId}
        where exists (select 1 from removed)
          or ${startedAt}::timestamptz > now() - make_interval(secs => ${idle})
        on conflict (id) do nothing returning id
      )
      select (select state from removed) as state, exists (select 1 from marked) as marked`;
    return row?.marked ? { state: row.state ?? undefined } : undefined;
  }

  async forgetEnded(limit: number): Promise<number> {
    const rows = await this.sql`
      delete from blob.ended_uploads where id in (
        select id from blob.ended_uploads
        where ended_at <= now() - make_interval(secs => ${this.idleTimeoutSeconds})
        order by ended_at limit ${limit})`;
    return rows.count;
  }

  async removeExpired(
    limit: number,
    removeBytes: (upload: ExpiredUpload) => Promise<boolean>,
  ): Promise<{ removed: number; kept: number }> {
    return this.sql.begin(async (tx) => {
      const rows = await tx<{ id: string; state: UploadState }[]>`
        select id, state from blob.uploads
        where updated_at <= now() - make_interval(secs => ${this.idleTimeoutSeconds})
        order by updated_at
        limit ${limit}
        for update skip locked`;
      const removed: string[] = [];
      for (let start = 0; start < rows.length; start += removalConcurrency) {
        const batch = rows.slice(start, start + removalConcurrency);
        const results = await Promise.all(
          batch.map((row) => removeBytes({ uploadId: row.id, state: row.state })),
        );
        batch.forEach((row, index) => results[index] && removed.push(row.id));
      }
      if (removed.length > 0) await tx`delete from blob.uploads where id = any(${removed}::uuid[])`;
      return { removed: removed.length, kept: rows.length - removed.length };
    });
  }
}

function toSession(row: UploadRow): UploadSession {
  return {
    uploadId: row.id,
    repository: row.repository,
    offset: Number(row.offset),
    state: row.state,
    startedAt: row.started_at.toISOString(),
  };
}
