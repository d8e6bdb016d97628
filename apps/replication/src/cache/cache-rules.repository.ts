/**
 * Cache rules in SQL (migration 0004), checked by the service before they get here.
 */
import { Injectable } from '@nestjs/common';
import type { CacheRuleView } from '@meridian/contracts';
import { InjectSql, type Sql } from '@meridian/database';

export interface CacheRuleFields {
  source: string;
  target: string;
  credentialSet?: string;
  tagTtl: string;
  tagTtlSeconds: number;
}

export abstract class CacheRulesRepository {
  /** Creates or replaces; true when it was created. */
  abstract put(name: string, rule: CacheRuleFields): Promise<boolean>;
  abstract get(name: string): Promise<CacheRuleView | undefined>;
  abstract list(): Promise<CacheRuleView[]>;
  /** False when there was no such rule. */
  abstract delete(name: string): Promise<boolean>;
}

interface Row {
  name: string;
  source: string;
  target: string;
  credentialSet: string | null;
  tagTtl: string;
  tagTtlSeconds: number;
  createdAt: Date;
  updatedAt: Date;
}

@Injectable()
export class SqlCacheRulesRepository implements CacheRulesRepository {
  constructor(@InjectSql() private readonly sql: Sql) {}

  async put(name: string, rule: CacheRuleFields): Promise<boolean> {
    const [row] = await this.sql<{ created: boolean }[]>`
      insert into replication.cache_rules
        (name, source, target, credential_set, tag_ttl, tag_ttl_seconds)
      values (${name}, ${rule.source}, ${rule.target}, ${rule.credentialSet ?? null},
        ${rule.tagTtl}, ${rule.tagTtlSeconds})
      on conflict (name) do update
        set source = excluded.source, target = excluded.target,
          credential_set = excluded.credential_set, tag_ttl = excluded.tag_ttl,
          tag_ttl_seconds = excluded.tag_ttl_seconds, updated_at = now()
      returning (xmax = 0) as created`;
    return row!.created;
  }

  async get(name: string): Promise<CacheRuleView | undefined> {
    const [row] = await this.sql<Row[]>`
      select name, source, target, credential_set as "credentialSet", tag_ttl as "tagTtl",
        tag_ttl_seconds as "tagTtlSeconds", created_at as "createdAt", updated_at as "updatedAt"
      from replication.cache_rules where name = ${name}`;
    return row ? fromRow(row) : undefined;
  }

  async list(): Promise<CacheRuleView[]> {
    const rows = await this.sql<Row[]>`
      select name, source, target, credential_set as "credentialSet", tag_ttl as "tagTtl",
        tag_ttl_seconds as "tagTtlSeconds", created_at as "createdAt", updated_at as "updatedAt"
      from replication.cache_rules order by name`;
    return rows.map(fromRow);
  }

  async delete(name: string): Promise<boolean> {
    const rows = await this
      .sql`delete from replication.cache_rules where name = ${name} returning name`;
    return rows.length > 0;
  }
}

function fromRow(row: Row): CacheRuleView {
  return {
    name: row.name,
    source: row.source,
    target: row.target,
    ...(row.credentialSet === null ? {} : { credentialSet: row.credentialSet }),
    tagTtl: row.tagTtl,
    tagTtlSeconds: row.tagTtlSeconds,
    createdTime: row.createdAt.toISOString(),
    updatedTime: row.updatedAt.toISOString(),
  };
}
