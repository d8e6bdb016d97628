/**
 * Repository usage in SQL: the running totals migrations/0005 keeps with triggers, read
 * without touching the manifests. Only repositories that exist are listed (a deleted one
 * keeps a row of zeros for its name).
 */
import { Injectable } from '@nestjs/common';
import type { RepositoryUsage } from '@meridian/contracts';
import { InjectSql, type Sql } from '@meridian/database';

export abstract class UsageRepository {
  /** Every repository's usage, by name; with `repository`, that one's (none if absent). */
  abstract list(repository?: string): Promise<RepositoryUsage[]>;
}

interface UsageRow {
  name: string;
  bytes: string | null;
  manifests: string | null;
  tags: string | null;
}

@Injectable()
export class SqlUsageRepository implements UsageRepository {
  constructor(@InjectSql() private readonly sql: Sql) {}

  async list(repository?: string): Promise<RepositoryUsage[]> {
    const rows = await this.sql<UsageRow[]>`
      select r.name, u.bytes, u.manifests, u.tags
      from manifest.repositories r left join manifest.repository_usage u on u.repository = r.name
      ${repository === undefined ? this.sql`` : this.sql`where r.name = ${repository}`}
      order by r.name`;
    return rows.map((row) => ({
      repository: row.name,
      sizeBytes: Number(row.bytes ?? 0),
      manifestCount: Number(row.manifests ?? 0),
      tagCount: Number(row.tags ?? 0),
    }));
  }
}
