/**
 * Scrub in SQL (migration 0005): the jobs, written as the runner goes so a job outlives a
 * restart of the service, and the blobs a job checks, taken in digest order a page at a time
 * (`after_digest` is where a resumed job picks up).
 */
import { Injectable } from '@nestjs/common';
import type { BlobInfo, ScrubItem, ScrubJob, ScrubRequest } from '@meridian/contracts';
import { InjectSql, type Sql } from '@meridian/database';

export type ScrubProgress = ScrubJob['progress'];
export type ScrubCounts = ScrubJob['counts'];

export interface StoredScrubJob extends ScrubJob {
  /** the last blob checked, in digest order */
  afterDigest?: string;
}

/** What a job has done since it was last recorded. */
export interface ScrubStep {
  afterDigest: string;
  progress: ScrubProgress;
  counts: ScrubCounts;
  items: ScrubItem[];
}

export abstract class ScrubRepository {
  /**
   * Stores a queued job leased to the caller for `leaseMs`, unless one is queued or running
   * already: then that one's id, and `created` false.
   */
  abstract create(
    id: string,
    request: ScrubRequest,
    leaseMs: number,
  ): Promise<{ id: string; created: boolean }>;
  abstract get(id: string): Promise<StoredScrubJob | undefined>;
  /**
   * Claims the queued or running jobs whose lease ran out (their replica stopped or died),
   * each for `leaseMs`; a job is claimed by one replica only.
   */
  abstract claimOrphans(leaseMs: number): Promise<string[]>;
  /** Extends the lease of a job this replica runs. */
  abstract renew(id: string, leaseMs: number): Promise<void>;
  /** Gives the lease up, so another replica (or this one restarted) resumes the job at once. */
  abstract release(id: string): Promise<void>;
  /** Marks a queued job running, with the totals it will check. */
  abstract begin(id: string, progress: ScrubProgress): Promise<void>;
  /** Adds the items found and the figures after them; renews the lease. */
  abstract record(id: string, step: ScrubStep, leaseMs: number): Promise<void>;
  abstract finish(id: string, state: 'succeeded' | 'failed', error?: string): Promise<void>;
  /** How many blobs (and bytes) a job of `request` checks, as of now. */
  abstract totals(request: ScrubRequest): Promise<{ blobs: number; bytes: number }>;
  /** The next blobs a job of `request` checks after `afterDigest`, in digest order. */
  abstract blobs(
    request: ScrubRequest,
    afterDigest: string | undefined,
    limit: number,
  ): Promise<BlobInfo[]>;
  /** Whether the blob is still recorded (GC or a delete may have removed it meanwhile). */
  abstract isRecorded(digest: string): Promise<boolean>;
}

interface JobRow {
  id: string;
  state: ScrubJob['state'];
  request: ScrubRequest;
  progress: ScrubProgress;
  counts: ScrubCounts;
  items: ScrubItem[];
  afterDigest: string | null;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

const emptyProgress: ScrubProgress = {
  blobsChecked: 0,
  blobsTotal: 0,
  bytesChecked: 0,
  bytesTotal: 0,
};

const emptyCounts: ScrubCounts = { ok: 0, corrupt: 0, missing: 0, repaired: 0, unrepairable: 0 };

@Injectable()
export class SqlScrubRepository implements ScrubRepository {
  constructor(@InjectSql() private readonly sql: Sql) {}

  async create(
    id: string,
    request: ScrubRequest,
    leaseMs: number,
  ): Promise<{ id: string; created: boolean }> {
    // the active job may finish between the refused insert and the look-up: then try again
    for (let attempt = 0; attempt < 3; attempt++) {
      const inserted = await this.sql<{ id: string }[]>`
        insert into blob.scrub_jobs (id, request, state, progress, counts, lease_until)
        values (${id}, ${this.sql.json(request)}, 'queued', ${this.sql.json(emptyProgress)},
          ${this.sql.json(emptyCounts)}, now() + ${leaseMs} * interval '1 millisecond')
        on conflict do nothing
        returning id`;
      if (inserted.length > 0) return { id, created: true };
      const [active] = await this.sql<{ id: string }[]>`
        select id from blob.scrub_jobs where state in ('queued', 'running')`;
      if (active) return { id: active.id, created: false };
    }
    throw new Error('scrub jobs keep starting and finishing; try again');
  }

  async get(id: string): Promise<StoredScrubJob | undefined> {
    const [row] = await this.sql<JobRow[]>`
      select id, state, request, progress, counts, items, after_digest as "afterDigest", error,
        created_at as "createdAt", finished_at as "finishedAt"
      from blob.scrub_jobs where id = ${id}`;
    if (!row) return undefined;
    return {
      id: row.id,
      state: row.state,
      request: row.request,
      createdTime: row.createdAt.toISOString(),
      ...(row.finishedAt ? { finishedTime: row.finishedAt.toISOString() } : {}),
      ...(row.error === null ? {} : { error: row.error }),
      progress: row.progress,
      counts: row.counts,
      items: row.items,
      ...(row.afterDigest === null ? {} : { afterDigest: row.afterDigest }),
    };
  }

  async claimOrphans(leaseMs: number): Promise<string[]> {
    const rows = await this.sql<{ id: string }[]>`
      update blob.scrub_jobs
      set lease_until = now() + ${leaseMs} * interval '1 millisecond'
      where id in (
        select id from blob.scrub_jobs
        where state in ('queued', 'running') and lease_until <= now()
        for update skip locked)
      returning id`;
    return rows.map((row) => row.id);
  }

  async renew(id: string, leaseMs: number): Promise<void> {
    await this.sql`
      update blob.scrub_jobs set lease_until = now() + ${leaseMs} * interval '1 millisecond'
      where id = ${id} and state in ('queued', 'running')`;
  }

  async release(id: string): Promise<void> {
    await this.sql`update blob.scrub_jobs set lease_until = now() where id = ${id}`;
  }

  async begin(id: string, progress: ScrubProgress): Promise<void> {
    await this.sql`
      update blob.scrub_jobs set state = 'running', progress = ${this.sql.json(progress)}
      where id = ${id} and state = 'queued'`;
  }

  async record(id: string, step: ScrubStep, leaseMs: number): Promise<void> {
    await this.sql`
      update blob.scrub_jobs
      set items = items || ${this.sql.json(step.items)}::jsonb,
        progress = ${this.sql.json(step.progress)},
        counts = ${this.sql.json(step.counts)},
        after_digest = ${step.afterDigest},
        lease_until = now() + ${leaseMs} * interval '1 millisecond'
      where id = ${id}`;
  }

  async finish(id: string, state: 'succeeded' | 'failed', error?: string): Promise<void> {
    await this.sql`
      update blob.scrub_jobs
      set state = ${state}, error = ${error ?? null}, finished_at = now()
      where id = ${id}`;
  }

  async totals(request: ScrubRequest): Promise<{ blobs: number; bytes: number }> {
    const [row] = await this.sql<{ blobs: number; bytes: string }[]>`
      select count(*)::int as blobs, coalesce(sum(b.size), 0)::text as bytes
      from blob.blobs b
      where ${this.scrubbed(request)}`;
    return { blobs: row?.blobs ?? 0, bytes: Number(row?.bytes ?? 0) };
  }

  async blobs(
    request: ScrubRequest,
    afterDigest: string | undefined,
    limit: number,
  ): Promise<BlobInfo[]> {
    const rows = await this.sql<{ digest: string; size: string }[]>`
      select b.digest, b.size
      from blob.blobs b
      where ${this.scrubbed(request)}
        ${afterDigest === undefined ? this.sql`` : this.sql`and b.digest > ${afterDigest}`}
      order by b.digest
      limit ${limit}`;
    return rows.map((row) => ({ digest: row.digest, size: Number(row.size) }));
  }

  async isRecorded(digest: string): Promise<boolean> {
    const [row] = await this.sql`
      select 1 from blob.blobs where digest = ${digest} and state = 'live'`;
    return row !== undefined;
  }

  /**
   * The blobs a job checks: every live blob the store holds (a doomed one is garbage
   * collection's to free), or those `repository` sees.
   */
  private scrubbed(request: ScrubRequest) {
    const { repository } = request;
    return this.sql`b.state = 'live'
      ${
        repository === undefined
          ? this.sql``
          : this.sql`and exists (select 1 from blob.repository_blobs l
              where l.repository = ${repository} and l.digest = b.digest)`
      }`;
  }
}
