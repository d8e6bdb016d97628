/**
 * Usage and quotas in SQL: the running totals migrations/0003 keeps with triggers, and the
 * quotas set on repositories. Nothing here scans `blobs` or the store.
 */
import { Injectable } from '@nestjs/common';
import type { EventEnvelope, StoreUsage } from '@meridian/contracts';
import { InjectSql, type Sql } from '@meridian/database';
import { QuotaCrossings } from './quota-crossings';

/** What an upload of one blob into a repository would add to, and the quota on it. */
export interface UploadRoom {
  storeBytes: number;
  /** the store holds the blob already: it adds nothing there */
  storeHas: boolean;
  /** the blob's size, when the store holds it */
  storedSize?: number;
  repositoryBytes: number;
  /** the repository sees the blob already: it adds nothing there */
  repositorySees: boolean;
  repositoryQuotaBytes?: number;
}

export abstract class UsageRepository {
  /** The store's totals and every repository's, without the store's quota. */
  abstract usage(): Promise<Omit<StoreUsage, 'quotaBytes'>>;

  /** What an upload of `digest` (unknown yet when undefined) into `repository` adds to. */
  abstract uploadRoom(repository: string, digest: string | undefined): Promise<UploadRoom>;

  abstract quota(repository: string): Promise<number | undefined>;

  /** Sets or (undefined) removes a repository's quota, announcing what usage stands at under it. */
  abstract setQuota(
    repository: string,
    bytes: number | undefined,
    cause: EventEnvelope,
  ): Promise<void>;
}

@Injectable()
export class SqlUsageRepository implements UsageRepository {
  constructor(
    @InjectSql() private readonly sql: Sql,
    private readonly crossings: QuotaCrossings,
  ) {}

  async usage(): Promise<Omit<StoreUsage, 'quotaBytes'>> {
    const [[store], repositories] = await Promise.all([
      this.sql<{ bytes: string; blobs: string }[]>`select bytes, blobs from blob.store_usage`,
      this.sql<
        { repository: string; bytes: string | null; blobs: string | null; quota: string | null }[]
      >`
        select coalesce(u.repository, q.repository) as repository, u.bytes, u.blobs, q.bytes as quota
        from blob.repository_usage u full join blob.repository_quotas q on q.repository = u.repository
        where u.blobs > 0 or q.repository is not null
        order by 1`,
    ]);
    return {
      bytes: Number(store!.bytes),
      blobs: Number(store!.blobs),
      repositories: repositories.map((row) => ({
        repository: row.repository,
        bytes: Number(row.bytes ?? 0),
        blobs: Number(row.blobs ?? 0),
        ...(row.quota === null ? {} : { quotaBytes: Number(row.quota) }),
      })),
    };
  }

  async uploadRoom(repository: string, digest: string | undefined): Promise<UploadRoom> {
    const [row] = await this.sql<
      {
        store_bytes: string;
        stored_size: string | null;
        repository_bytes: string | null;
        repository_sees: boolean;
        quota: string | null;
      }[]
    >`
      select s.bytes as store_bytes,
        (select size from blob.blobs where digest = ${digest ?? ''}) as stored_size,
        (select bytes from blob.repository_usage where repository = ${repository}) as repository_bytes,
        exists (
          select 1 from blob.repository_blobs where repository = ${repository} and digest = ${digest ?? ''}
        ) as repository_sees,
        (select bytes from blob.repository_quotas where repository = ${repository}) as quota
      from blob.store_usage s`;
    return {
      storeBytes: Number(row!.store_bytes),
      storeHas: row!.stored_size !== null,
      ...(row!.stored_size === null ? {} : { storedSize: Number(row!.stored_size) }),
      repositoryBytes: Number(row!.repository_bytes ?? 0),
      repositorySees: row!.repository_sees,
      ...(row!.quota === null ? {} : { repositoryQuotaBytes: Number(row!.quota) }),
    };
  }

  async quota(repository: string): Promise<number | undefined> {
    const [row] = await this.sql<{ bytes: string }[]>`
      select bytes from blob.repository_quotas where repository = ${repository}`;
    return row && Number(row.bytes);
  }

  async setQuota(
    repository: string,
    bytes: number | undefined,
    cause: EventEnvelope,
  ): Promise<void> {
    await this.sql.begin(async (tx) => {
      if (bytes === undefined) {
        await tx`delete from blob.repository_quotas where repository = ${repository}`;
        await tx`delete from blob.quota_levels where quota = ${repository}`;
        return;
      }
      await tx`
        insert into blob.repository_quotas (repository, bytes) values (${repository}, ${bytes})
        on conflict (repository) do update set bytes = excluded.bytes, updated_at = now()`;
      await this.crossings.settle(tx, repository, cause);
    });
  }
}
