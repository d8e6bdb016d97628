/**
 * Garbage collection in SQL: batches of blobs in digest order with their links, the
 * decisions applied under the blobs' exclusive holds (libs/database blob-holds.ts), doomed
 * blobs freed one by one, and the jobs (`blob.gc_jobs`, migration 0004).
 */
import { Injectable } from '@nestjs/common';
import type { BlobLink, GcJob, GcProgress } from '@meridian/contracts';
import {
  InjectSql,
  type Sql,
  type TransactionSql,
  tryHoldBlobsExclusive,
} from '@meridian/database';
import type { BlobRow, Decisions } from './gc-decisions';

export interface Batch {
  blobs: BlobRow[];
  /** the database's clock when the batch was read */
  now: Date;
  /** the last digest of the batch (the next batch starts after it); undefined at the end */
  last?: string;
  /** digests a push or upload held: not looked at this time */
  busy: number;
}

export interface StoredGcJob extends GcJob {
  cursor: string;
}

export const emptyProgress: GcProgress = {
  blobsExamined: 0,
  linksRemoved: 0,
  blobsFreed: 0,
  bytesFreed: 0,
  blobsBusy: 0,
  inGracePeriod: 0,
  uploadLeftoversRemoved: 0,
};

export abstract class GcRepository {
  /**
   * The next `limit` live blobs after `cursor`, read as they are (a dry run: nothing held,
   * nothing changed); `decideAndApply` receives them.
   */
  abstract peek(cursor: string, limit: number): Promise<Batch>;

  /**
   * The next `limit` live blobs after `cursor`, in one transaction: each held exclusively
   * (busy ones skipped), read again after the hold, then `decide` (which may ask the manifest
   * service) and its decisions applied before commit.
   */
  abstract collect(
    cursor: string,
    limit: number,
    decide: (batch: Batch) => Promise<Decisions>,
  ): Promise<{ batch: Batch; decisions: Decisions }>;

  /** Doomed blobs, oldest first. */
  abstract doomed(limit: number): Promise<{ digest: string; size: number }[]>;

  /**
   * Frees a doomed blob: with the digest held exclusively and the row still doomed, runs
   * `deleteBytes`, then removes the row, in one transaction; false when it was busy, live
   * again or gone.
   */
  abstract free(digest: string, deleteBytes: () => Promise<void>): Promise<boolean>;

  /** Creates a running job unless one runs: then that one, `started: false`. */
  abstract start(
    id: string,
    dryRun: boolean,
    trigger: GcJob['trigger'],
    leaseMs: number,
  ): Promise<{ job: StoredGcJob; started: boolean }>;
  abstract get(id: string): Promise<StoredGcJob | undefined>;
  /** Claims the running job whose lease ran out (its replica died), if any. */
  abstract claimOrphan(leaseMs: number): Promise<string | undefined>;
  abstract record(id: string, cursor: string, progress: GcProgress, leaseMs: number): Promise<void>;
  abstract release(id: string): Promise<void>;
  abstract finish(id: string, status: 'succeeded' | 'failed', error?: string): Promise<void>;
  /**
   * Records which of `ids` (upload ids found in the store) have no session, and answers those
   * that had none already when first seen more than `minAgeMs` ago.
   */
  abstract uploadLeftovers(ids: string[], minAgeMs: number): Promise<string[]>;
  /** Forgets leftovers removed from the store. */
  abstract forgetLeftovers(ids: string[]): Promise<void>;
  /** Bytes of the blobs no repository sees, or doomed and not freed yet. */
  abstract reclaimableBytes(): Promise<number>;
}

interface BlobSelectRow {
  digest: string;
  size: string;
  created_at: Date;
  links: { repository: string; created_at: string; unreferenced_since: string | null }[];
}

interface JobRow {
  id: string;
  dry_run: boolean;
  trigger: GcJob['trigger'];
  status: GcJob['status'];
  progress: GcProgress;
  cursor: string;
  error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

@Injectable()
export class SqlGcRepository implements GcRepository {
  constructor(@InjectSql() private readonly sql: Sql) {}

  async peek(cursor: string, limit: number): Promise<Batch> {
    const digests = await this.nextDigests(this.sql, cursor, limit);
    const { blobs, now } = await this.read(this.sql, digests);
    return { blobs, now, last: digests.at(-1), busy: 0 };
  }

  collect(
    cursor: string,
    limit: number,
    decide: (batch: Batch) => Promise<Decisions>,
  ): Promise<{ batch: Batch; decisions: Decisions }> {
    return this.sql.begin(async (tx) => {
      const digests = await this.nextDigests(tx, cursor, limit);
      const held = await tryHoldBlobsExclusive(tx, digests);
      // read after the hold: what a push or upload committed before it is seen
      const { blobs, now } = await this.read(tx, [...held]);
      const batch = { blobs, now, last: digests.at(-1), busy: digests.length - held.size };
      const decisions = await decide(batch);
      await this.apply(tx, decisions);
      return { batch, decisions };
    });
  }

  async doomed(limit: number): Promise<{ digest: string; size: number }[]> {
    const rows = await this.sql<{ digest: string; size: string }[]>`
      select digest, size from blob.blobs where state = 'doomed'
      order by doomed_at limit ${limit}`;
    return rows.map((row) => ({ digest: row.digest, size: Number(row.size) }));
  }

  free(digest: string, deleteBytes: () => Promise<void>): Promise<boolean> {
    return this.sql.begin(async (tx) => {
      if ((await tryHoldBlobsExclusive(tx, [digest])).size === 0) return false;
      const [row] = await tx`
        select 1 from blob.blobs where digest = ${digest} and state = 'doomed' for update`;
      if (!row) return false;
      await deleteBytes();
      await tx`delete from blob.blobs where digest = ${digest}`;
      return true;
    });
  }

  async start(
    id: string,
    dryRun: boolean,
    trigger: GcJob['trigger'],
    leaseMs: number,
  ): Promise<{ job: StoredGcJob; started: boolean }> {
    const inserted = await this.sql<JobRow[]>`
      insert into blob.gc_jobs (id, dry_run, trigger, status, progress, lease_until)
      values (${id}, ${dryRun}, ${trigger}, 'running', ${this.sql.json(emptyProgress)},
        now() + ${leaseMs} * interval '1 millisecond')
      on conflict ((true)) where status = 'running' do nothing
      returning *`;
    if (inserted[0]) return { job: toJob(inserted[0]), started: true };
    const [running] = await this.sql<JobRow[]>`
      select * from blob.gc_jobs where status = 'running'`;
    // the running one finished in between: start again
    if (!running) return this.start(id, dryRun, trigger, leaseMs);
    return { job: toJob(running), started: false };
  }

  async get(id: string): Promise<StoredGcJob | undefined> {
    const [row] = await this.sql<JobRow[]>`select * from blob.gc_jobs where id = ${id}`;
    return row && toJob(row);
  }

  async claimOrphan(leaseMs: number): Promise<string | undefined> {
    const [row] = await this.sql<{ id: string }[]>`
      update blob.gc_jobs set lease_until = now() + ${leaseMs} * interval '1 millisecond'
      where status = 'running' and lease_until <= now()
      returning id`;
    return row?.id;
  }

  async record(id: string, cursor: string, progress: GcProgress, leaseMs: number): Promise<void> {
    await this.sql`
      update blob.gc_jobs
      set cursor = ${cursor}, progress = ${this.sql.json(progress)},
        lease_until = now() + ${leaseMs} * interval '1 millisecond'
      where id = ${id}`;
  }

  async release(id: string): Promise<void> {
    await this.sql`update blob.gc_jobs set lease_until = now() where id = ${id}`;
  }

  async finish(id: string, status: 'succeeded' | 'failed', error?: string): Promise<void> {
    await this.sql`
      update blob.gc_jobs set status = ${status}, error = ${error ?? null}, finished_at = now()
      where id = ${id} and status = 'running'`;
  }

  async uploadLeftovers(ids: string[], minAgeMs: number): Promise<string[]> {
    if (ids.length === 0) return [];
    await this.sql`
      insert into blob.upload_leftovers (upload_id)
      select id from unnest(${ids}::uuid[]) as found (id)
      where not exists (select 1 from blob.uploads u where u.id = found.id)
      on conflict do nothing`;
    const rows = await this.sql<{ upload_id: string }[]>`
      select upload_id from blob.upload_leftovers l
      where upload_id = any(${ids}::uuid[])
        and seen_at < now() - ${minAgeMs} * interval '1 millisecond'
        and not exists (select 1 from blob.uploads u where u.id = l.upload_id)`;
    return rows.map((row) => row.upload_id);
  }

  async forgetLeftovers(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.sql`delete from blob.upload_leftovers where upload_id = any(${ids}::uuid[])`;
  }

  async reclaimableBytes(): Promise<number> {
    const [row] = await this.sql<{ bytes: string }[]>`
      select coalesce(sum(size), 0) as bytes from blob.blobs b
      where state = 'doomed'
        or not exists (select 1 from blob.repository_blobs l where l.digest = b.digest)`;
    return Number(row?.bytes ?? 0);
  }

  private async nextDigests(sql: Sql | TransactionSql, cursor: string, limit: number) {
    const rows = await sql<{ digest: string }[]>`
      select digest from blob.blobs
      where digest > ${cursor} and state = 'live'
      order by digest limit ${limit}`;
    return rows.map((row) => row.digest);
  }

  private async read(
    sql: Sql | TransactionSql,
    digests: string[],
  ): Promise<{ blobs: BlobRow[]; now: Date }> {
    const rows = await sql<(BlobSelectRow & { now: Date })[]>`
      select b.digest, b.size, b.created_at, now() as now,
        coalesce((
          select json_agg(json_build_object('repository', l.repository,
            'created_at', l.created_at, 'unreferenced_since', l.unreferenced_since))
          from blob.repository_blobs l where l.digest = b.digest
        ), '[]'::json) as links
      from blob.blobs b
      where b.digest = any(${digests}::text[]) and b.state = 'live'`;
    const [{ now } = { now: await this.now(sql) }] = rows;
    return {
      now,
      blobs: rows.map((row) => ({
        digest: row.digest,
        size: Number(row.size),
        createdAt: row.created_at,
        links: row.links.map((link) => ({
          repository: link.repository,
          createdAt: new Date(link.created_at),
          ...(link.unreferenced_since === null
            ? {}
            : { unreferencedSince: new Date(link.unreferenced_since) }),
        })),
      })),
    };
  }

  private async now(sql: Sql | TransactionSql): Promise<Date> {
    const [row] = await sql<{ now: Date }[]>`select now() as now`;
    return row!.now;
  }

  private async apply(tx: TransactionSql, decisions: Decisions): Promise<void> {
    const columns = (links: BlobLink[]) =>
      [links.map((link) => link.repository), links.map((link) => link.digest)] as const;
    if (decisions.removeLinks.length > 0) {
      const [repositories, digests] = columns(decisions.removeLinks);
      await tx`
        delete from blob.repository_blobs l
        using unnest(${repositories}::text[], ${digests}::text[]) as gone (repository, digest)
        where l.repository = gone.repository and l.digest = gone.digest`;
    }
    if (decisions.markLinks.length > 0) {
      const [repositories, digests] = columns(decisions.markLinks);
      await tx`
        update blob.repository_blobs l set unreferenced_since = now()
        from unnest(${repositories}::text[], ${digests}::text[]) as seen (repository, digest)
        where l.repository = seen.repository and l.digest = seen.digest
          and l.unreferenced_since is null`;
    }
    if (decisions.unmarkLinks.length > 0) {
      const [repositories, digests] = columns(decisions.unmarkLinks);
      await tx`
        update blob.repository_blobs l set unreferenced_since = null
        from unnest(${repositories}::text[], ${digests}::text[]) as seen (repository, digest)
        where l.repository = seen.repository and l.digest = seen.digest`;
    }
    if (decisions.doom.length > 0) {
      // a blob with a link left is never doomed: every link is made with the digest held
      await tx`
        update blob.blobs b set state = 'doomed', doomed_at = now()
        where b.digest = any(${decisions.doom.map((blob) => blob.digest)}::text[])
          and b.state = 'live'
          and not exists (select 1 from blob.repository_blobs l where l.digest = b.digest)`;
    }
  }
}

function toJob(row: JobRow): StoredGcJob {
  return {
    id: row.id,
    status: row.status,
    dryRun: row.dry_run,
    trigger: row.trigger,
    createdTime: row.created_at.toISOString(),
    ...(row.finished_at ? { finishedTime: row.finished_at.toISOString() } : {}),
    ...(row.error ? { error: row.error } : {}),
    progress: { ...emptyProgress, ...row.progress },
    cursor: row.cursor,
  };
}
