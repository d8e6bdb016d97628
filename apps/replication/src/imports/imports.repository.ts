/**
 * Import jobs in SQL (migration 0002): written as the runner goes, so a job outlives a
 * restart of the service. A replica claims a job by leasing it; the lease is renewed while
 * the job runs, and a job whose lease ran out (its replica died) is claimed again.
 */
import { Injectable } from '@nestjs/common';
import type { ImportFailureReason, ImportJob, ImportRequest } from '@meridian/contracts';
import { InjectSql, type Sql } from '@meridian/database';
import type { RpcContext } from '@meridian/messaging';
import type { ImportProgress } from './import-transfer';

export interface StoredImportJob extends ImportJob {
  request: ImportRequest;
  /** sealed */
  credentials?: string;
  context: RpcContext;
}

export abstract class ImportsRepository {
  /** A queued job, not to be run before `delayMs` from now. */
  abstract create(
    id: string,
    request: ImportRequest,
    credentials: string | undefined,
    context: RpcContext,
    delayMs?: number,
  ): Promise<void>;
  abstract get(id: string): Promise<StoredImportJob | undefined>;
  /**
   * Claims jobs due to run (queued or running, lease run out, retry time come), each for
   * `leaseMs`, and marks them running with one more attempt; each is claimed by one replica.
   */
  abstract claim(limit: number, leaseMs: number): Promise<string[]>;
  /**
   * Milliseconds until the next job may be claimed (a queued job's time, a retry's, a lease
   * that runs out), by the clock `claim` reads; undefined when no job is pending. Zero or
   * less: one is due now.
   */
  abstract dueInMs(): Promise<number | undefined>;
  abstract renew(id: string, leaseMs: number): Promise<void>;
  abstract recordProgress(id: string, progress: ImportProgress): Promise<void>;
  /** Back to queued after a retryable failure, not to be run before `delayMs`. */
  abstract retryLater(
    id: string,
    delayMs: number,
    reason: ImportFailureReason,
    message: string,
  ): Promise<void>;
  abstract succeed(id: string, digest: string): Promise<void>;
  abstract fail(id: string, reason: ImportFailureReason, message: string): Promise<void>;
  /** Gives the lease up, so another replica resumes the job at once. */
  abstract release(id: string): Promise<void>;
}

export const emptyImportProgress: ImportProgress = {
  bytesDone: 0,
  bytesTotal: 0,
  blobsDone: 0,
  blobsTotal: 0,
  blobsMounted: 0,
};

interface JobRow {
  id: string;
  state: ImportJob['state'];
  request: ImportRequest;
  credentials: string | null;
  context: RpcContext;
  progress: ImportProgress;
  digest: string | null;
  attempts: number;
  errorReason: ImportFailureReason | null;
  errorMessage: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

@Injectable()
export class SqlImportsRepository implements ImportsRepository {
  constructor(@InjectSql() private readonly sql: Sql) {}

  async create(
    id: string,
    request: ImportRequest,
    credentials: string | undefined,
    context: RpcContext,
    delayMs = 0,
  ): Promise<void> {
    await this.sql`
      insert into replication.import_jobs
        (id, request, credentials, context, state, progress, next_attempt_at)
      values (${id}, ${this.sql.json(request)}, ${credentials ?? null}, ${this.sql.json(context)},
        'queued', ${this.sql.json(emptyImportProgress)},
        now() + ${delayMs} * interval '1 millisecond')`;
  }

  async get(id: string): Promise<StoredImportJob | undefined> {
    const [row] = await this.sql<JobRow[]>`
      select id, state, request, credentials, context, progress, digest, attempts,
        error_reason as "errorReason", error_message as "errorMessage",
        created_at as "createdAt", finished_at as "finishedAt"
      from replication.import_jobs where id = ${id}`;
    if (!row) return undefined;
    const targets = Array.isArray(row.request.target) ? row.request.target : [row.request.target];
    return {
      id: row.id,
      state: row.state,
      source: row.request.source,
      targets,
      force: row.request.force,
      allPlatforms: row.request.allPlatforms,
      ...(row.request.credentialSet ? { credentialSet: row.request.credentialSet } : {}),
      ...(row.digest ? { digest: row.digest } : {}),
      progress: row.progress,
      attempts: row.attempts,
      ...(row.errorReason && row.errorMessage
        ? { error: { reason: row.errorReason, message: row.errorMessage } }
        : {}),
      createdTime: row.createdAt.toISOString(),
      ...(row.finishedAt ? { finishedTime: row.finishedAt.toISOString() } : {}),
      request: row.request,
      ...(row.credentials ? { credentials: row.credentials } : {}),
      context: row.context,
    };
  }

  async claim(limit: number, leaseMs: number): Promise<string[]> {
    const rows = await this.sql<{ id: string }[]>`
      update replication.import_jobs
      set state = 'running', attempts = attempts + 1,
        lease_until = now() + ${leaseMs} * interval '1 millisecond'
      where id in (
        select id from replication.import_jobs
        where state in ('queued', 'running') and lease_until <= now() and next_attempt_at <= now()
        order by created_at
        limit ${limit}
        for update skip locked)
      returning id`;
    return rows.map((row) => row.id);
  }

  async dueInMs(): Promise<number | undefined> {
    const [row] = await this.sql<{ ms: number | null }[]>`
      select (extract(epoch from min(greatest(next_attempt_at, lease_until)) - now()) * 1000)::float8 as ms
      from replication.import_jobs
      where state in ('queued', 'running')`;
    return row?.ms ?? undefined;
  }

  async renew(id: string, leaseMs: number): Promise<void> {
    await this.sql`
      update replication.import_jobs
      set lease_until = now() + ${leaseMs} * interval '1 millisecond'
      where id = ${id} and state = 'running'`;
  }

  async recordProgress(id: string, progress: ImportProgress): Promise<void> {
    await this.sql`
      update replication.import_jobs set progress = ${this.sql.json(progress)}
      where id = ${id} and state = 'running'`;
  }

  async retryLater(
    id: string,
    delayMs: number,
    reason: ImportFailureReason,
    message: string,
  ): Promise<void> {
    await this.sql`
      update replication.import_jobs
      set state = 'queued', error_reason = ${reason}, error_message = ${message},
        next_attempt_at = now() + ${delayMs} * interval '1 millisecond', lease_until = now()
      where id = ${id}`;
  }

  async succeed(id: string, digest: string): Promise<void> {
    await this.sql`
      update replication.import_jobs
      set state = 'succeeded', digest = ${digest}, error_reason = null, error_message = null,
        credentials = null, finished_at = now()
      where id = ${id}`;
  }

  async fail(id: string, reason: ImportFailureReason, message: string): Promise<void> {
    await this.sql`
      update replication.import_jobs
      set state = 'failed', error_reason = ${reason}, error_message = ${message},
        credentials = null, finished_at = now()
      where id = ${id}`;
  }

  async release(id: string): Promise<void> {
    await this.sql`
      update replication.import_jobs set lease_until = now(), attempts = greatest(attempts - 1, 0)
      where id = ${id} and state = 'running'`;
  }
}
