/**
 * Tag listing in SQL: the primary key (repository, name collate "C") serves it in byte order.
 * Tags whose newest lock change (or their repository's) says `listEnabled: false` are left
 * out in the same statement, before the page is cut, so `n` and `last` page the tags listed.
 */
import { Injectable } from '@nestjs/common';
import { InjectSql, type Sql } from '@meridian/database';
import { enabled } from '../locks/lock-rows';

export abstract class TagsRepository {
  /**
   * Up to `limit` tag names of the repository after `last`, in byte order; undefined when
   * the repository does not exist.
   */
  abstract list(
    repository: string,
    last: string | undefined,
    limit: number,
  ): Promise<string[] | undefined>;
}

@Injectable()
export class SqlTagsRepository implements TagsRepository {
  constructor(@InjectSql() private readonly sql: Sql) {}

  async list(
    repository: string,
    last: string | undefined,
    limit: number,
  ): Promise<string[] | undefined> {
    const sql = this.sql;
    const rows = await sql<{ name: string }[]>`
      select name from manifest.tags t
      where repository = ${repository} ${last === undefined ? sql`` : sql`and name > ${last}`}
        and ${enabled(sql, 'list_enabled', 'repository', sql`${repository}`, sql`''`)}
        and ${enabled(sql, 'list_enabled', 'tag', sql`t.repository`, sql`t.name`)}
      order by name
      limit ${limit}`;
    if (rows.length > 0) return rows.map((row) => row.name);
    const known = await sql`select 1 from manifest.repositories where name = ${repository}`;
    return known.length > 0 ? [] : undefined;
  }
}
