/**
 * Purge in SQL (migration 0008): the jobs, written as the runner goes so a job outlives a
 * restart of the service, and the snapshot of one repository that a plan is made from (its
 * tags, manifests and the attributes their newest lock changes set). A snapshot holds one
 * repository's rows; the runner takes repositories one at a time.
 */
import { Injectable } from '@nestjs/common';
import type { ChangeableAttributes, PurgeItem, PurgeJob, PurgeRequest } from '@meridian/contracts';
import { InjectSql, type Sql } from '@meridian/database';
import type { RpcContext } from '@meridian/messaging';
import { newestChangeJoin, ownAttributes } from '../locks/lock-rows';
import type { RepositorySnapshot } from './purge-plan';

export type PurgeProgress = PurgeJob['progress'];

export interface StoredPurgeJob extends PurgeJob {
  context: RpcContext;
  doneRepositories: string[];
}

export abstract class PurgeRepository {
  /** Stores a running job, leased to the caller for `leaseMs`. */
  abstract create(
    id: string,
    request: PurgeRequest,
    context: RpcContext,
    leaseMs: number,
  ): Promise<void>;
  abstract get(id: string): Promise<StoredPurgeJob | undefined>;
  /**
   * Claims the running jobs whose lease ran out (their replica stopped or died), each for
   * `leaseMs`; a job is claimed by one replica only.
   */
  abstract claimOrphans(leaseMs: number): Promise<string[]>;
  /** Extends the lease of a job this replica runs. */
  abstract renew(id: string, leaseMs: number): Promise<void>;
  /** Gives the lease up, so another replica (or this one restarted) resumes the job at once. */
  abstract release(id: string): Promise<void>;
  /** Adds the items decided in `repository` and the counts after them; renews the lease. */
  abstract recordRepository(
    id: string,
    repository: string,
    items: PurgeItem[],
    progress: PurgeProgress,
    leaseMs: number,
  ): Promise<void>;
  abstract setMatched(id: string, repositoriesMatched: number): Promise<void>;
  abstract finish(id: string, status: 'succeeded' | 'failed', error?: string): Promise<void>;
  /** Repository names in byte order, at most `limit`. */
  abstract repositories(limit: number): Promise<string[]>;
  abstract snapshot(repository: string): Promise<RepositorySnapshot | undefined>;
}

export const emptyProgress: PurgeProgress = {
  repositoriesDone: 0,
  repositoriesMatched: 0,
  tagsDeleted: 0,
  manifestsDeleted: 0,
  kept: 0,
  skipped: 0,
};

interface JobRow {
  id: string;
  status: PurgeJob['status'];
  request: PurgeRequest;
  context: RpcContext;
  progress: PurgeProgress;
  items: PurgeItem[];
  doneRepositories: string[];
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

@Injectable()
export class SqlPurgeRepository implements PurgeRepository {
  constructor(@InjectSql() private readonly sql: Sql) {}

  async create(
    id: string,
    request: PurgeRequest,
    context: RpcContext,
    leaseMs: number,
  ): Promise<void> {
    await this.sql`
      insert into manifest.purge_jobs (id, request, context, status, progress, lease_until)
      values (${id}, ${this.sql.json(request)}, ${this.sql.json(context)}, 'running',
        ${this.sql.json(emptyProgress)}, now() + ${leaseMs} * interval '1 millisecond')`;
  }

  async get(id: string): Promise<StoredPurgeJob | undefined> {
    const [row] = await this.sql<JobRow[]>`
      select id, status, request, context, progress, items,
        done_repositories as "doneRepositories", error, created_at as "createdAt",
        finished_at as "finishedAt"
      from manifest.purge_jobs where id = ${id}`;
    if (!row) return undefined;
    return {
      id: row.id,
      status: row.status,
      request: row.request,
      context: row.context,
      progress: row.progress,
      items: row.items,
      doneRepositories: row.doneRepositories,
      createdTime: row.createdAt.toISOString(),
      ...(row.finishedAt ? { finishedTime: row.finishedAt.toISOString() } : {}),
      ...(row.error === null ? {} : { error: row.error }),
    };
  }

  async claimOrphans(leaseMs: number): Promise<string[]> {
    const rows = await this.sql<{ id: string }[]>`
      update manifest.purge_jobs
      set lease_until = now() + ${leaseMs} * interval '1 millisecond'
      where id in (
        select id from manifest.purge_jobs
        where status = 'running' and lease_until <= now()
        order by created_at
        for update skip locked)
      returning id`;
    return rows.map((row) => row.id);
  }

  async renew(id: string, leaseMs: number): Promise<void> {
    await this.sql`
      update manifest.purge_jobs set lease_until = now() + ${leaseMs} * interval '1 millisecond'
      where id = ${id} and status = 'running'`;
  }

  async release(id: string): Promise<void> {
    await this.sql`update manifest.purge_jobs set lease_until = now() where id = ${id}`;
  }

  async recordRepository(
    id: string,
    repository: string,
    items: PurgeItem[],
    progress: PurgeProgress,
    leaseMs: number,
  ): Promise<void> {
    await this.sql`
      update manifest.purge_jobs
      set items = items || ${this.sql.json(items)}::jsonb,
        progress = ${this.sql.json(progress)},
        done_repositories = array_append(done_repositories, ${repository}::text),
        lease_until = now() + ${leaseMs} * interval '1 millisecond'
      where id = ${id}`;
  }

  async setMatched(id: string, repositoriesMatched: number): Promise<void> {
    await this.sql`
      update manifest.purge_jobs
      set progress = jsonb_set(progress, '{repositoriesMatched}', ${repositoriesMatched}::text::jsonb)
      where id = ${id}`;
  }

  async finish(id: string, status: 'succeeded' | 'failed', error?: string): Promise<void> {
    await this.sql`
      update manifest.purge_jobs
      set status = ${status}, error = ${error ?? null}, finished_at = now()
      where id = ${id}`;
  }

  async repositories(limit: number): Promise<string[]> {
    const rows = await this.sql<{ name: string }[]>`
      select name from manifest.repositories order by name limit ${limit}`;
    return rows.map((row) => row.name);
  }

  async snapshot(repository: string): Promise<RepositorySnapshot | undefined> {
    const sql = this.sql;
    const [own] = await sql<{ changeableAttributes: ChangeableAttributes }[]>`
      select ${ownAttributes(sql, 'a')}
      from manifest.repositories r
      ${newestChangeJoin(sql, 'a', 'repository', sql`r.name`, sql`''`)}
      where r.name = ${repository}`;
    if (!own) return undefined;
    const [tags, manifests] = await Promise.all([
      sql<
        {
          name: string;
          digest: string;
          updatedAt: Date;
          changeableAttributes: ChangeableAttributes;
        }[]
      >`
        select t.name, t.digest, t.updated_at as "updatedAt", ${ownAttributes(sql, 'a')}
        from manifest.tags t
        ${newestChangeJoin(sql, 'a', 'tag', sql`t.repository`, sql`t.name`)}
        where t.repository = ${repository}`,
      sql<
        {
          digest: string;
          createdAt: Date;
          subject: string | null;
          children: string[] | null;
          changeableAttributes: ChangeableAttributes;
        }[]
      >`
        select m.digest, m.created_at as "createdAt", m.subject,
          m.refs -> 'manifests' as children, ${ownAttributes(sql, 'a')}
        from manifest.manifests m
        ${newestChangeJoin(sql, 'a', 'manifest', sql`m.repository`, sql`m.digest`)}
        where m.repository = ${repository}`,
    ]);
    return {
      repository,
      attributes: own.changeableAttributes,
      tags: tags.map((tag) => ({
        name: tag.name,
        digest: tag.digest,
        updatedAt: tag.updatedAt,
        attributes: tag.changeableAttributes,
      })),
      manifests: manifests.map((manifest) => ({
        digest: manifest.digest,
        createdAt: manifest.createdAt,
        ...(manifest.subject === null ? {} : { subject: manifest.subject }),
        children: manifest.children ?? [],
        attributes: manifest.changeableAttributes,
      })),
    };
  }
}
