/**
 * Credential sets in SQL (migration 0002): the secret (a password or a token) sealed by the
 * service before it gets here, never read back but to log in to an upstream.
 */
import { Injectable } from '@nestjs/common';
import type { CredentialSetView } from '@meridian/contracts';
import { InjectSql, type Sql } from '@meridian/database';

export interface StoredCredentialSet extends CredentialSetView {
  /** sealed */
  secret: string;
}

export abstract class CredentialSetsRepository {
  /** Creates or replaces; true when it was created. */
  abstract put(
    name: string,
    kind: CredentialSetView['kind'],
    username: string | undefined,
    secret: string,
  ): Promise<boolean>;
  abstract get(name: string): Promise<StoredCredentialSet | undefined>;
  abstract list(): Promise<StoredCredentialSet[]>;
  /** False when there was no such set. */
  abstract delete(name: string): Promise<boolean>;
}

interface Row {
  name: string;
  kind: CredentialSetView['kind'];
  username: string | null;
  secret: string;
  createdAt: Date;
  updatedAt: Date;
}

@Injectable()
export class SqlCredentialSetsRepository implements CredentialSetsRepository {
  constructor(@InjectSql() private readonly sql: Sql) {}

  async put(
    name: string,
    kind: CredentialSetView['kind'],
    username: string | undefined,
    secret: string,
  ): Promise<boolean> {
    const [row] = await this.sql<{ created: boolean }[]>`
      insert into replication.credential_sets (name, kind, username, secret)
      values (${name}, ${kind}, ${username ?? null}, ${secret})
      on conflict (name) do update
        set kind = excluded.kind, username = excluded.username, secret = excluded.secret,
          updated_at = now()
      returning (xmax = 0) as created`;
    return row!.created;
  }

  async get(name: string): Promise<StoredCredentialSet | undefined> {
    const [row] = await this.sql<Row[]>`
      select name, kind, username, secret, created_at as "createdAt", updated_at as "updatedAt"
      from replication.credential_sets where name = ${name}`;
    return row ? fromRow(row) : undefined;
  }

  async list(): Promise<StoredCredentialSet[]> {
    const rows = await this.sql<Row[]>`
      select name, kind, username, secret, created_at as "createdAt", updated_at as "updatedAt"
      from replication.credential_sets order by name`;
    return rows.map(fromRow);
  }

  async delete(name: string): Promise<boolean> {
    const rows = await this
      .sql`delete from replication.credential_sets where name = ${name} returning name`;
    return rows.length > 0;
  }
}

function fromRow(row: Row): StoredCredentialSet {
  return {
    name: row.name,
    kind: row.kind,
    ...(row.username === null ? {} : { username: row.username }),
    secret: row.secret,
    createdTime: row.createdAt.toISOString(),
    updatedTime: row.updatedAt.toISOString(),
  };
}
