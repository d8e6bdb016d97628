/**
 * Repositories in SQL. Deleting one removes its manifests, and with them its tags (foreign
 * keys cascade), in the transaction that records the event and leaves the tombstone.
 */
import { Injectable } from '@nestjs/common';
import type { ChangeableAttributes, EventDefinition } from '@meridian/contracts';
import { InjectSql, Outbox, type Sql, type TransactionSql } from '@meridian/database';
import type { z } from 'zod';
import type { ItemAttributes } from '../locks/lock-rules';
import { enabled, forgetLocks, repositoryLocks } from '../locks/lock-rows';
import { lockRepository } from '../manifests/lock-repository';
import { newestWrite } from '../manifests/newest-write';
import { recordDelete } from '../manifests/record-delete';
import { keepRestorable } from '../soft-delete/keep-restorable';

export abstract class RepositoriesRepository {
  /**
   * Up to `limit` repository names after `last`, in byte order; with `patterns`, only the
   * names one of them matches (`team-a/*`: everything under team-a/, `*`: everything).
   */
  abstract list(
    last: string | undefined,
    limit: number,
    patterns?: readonly string[],
  ): Promise<string[]>;

  /** Runs `work` in one transaction: all of its changes and events commit, or none. */
  abstract transaction<T>(work: (tx: RepositoriesTransaction) => Promise<T>): Promise<T>;
}

export interface RepositoriesTransaction {
  /** Waits until no other write to the repository is under way; held until commit. */
  lockRepository(repository: string): Promise<void>;
  /** The newest clock reading among the repository's rows and tombstones. */
  newestWrite(repository: string): Promise<string | undefined>;
  /** Deletes the repository with its manifests and tags; how many manifests, or undefined if absent. */
  delete(repository: string): Promise<number | undefined>;
  /** Leaves (or raises) the repository's tombstone, so older writes from other regions stay out. */
  recordDelete(repository: string, hlc: string): Promise<void>;
  /** Keeps the manifests the delete stamped `hlc` removes restorable, when soft delete is on. */
  keepRestorable(repository: string, hlc: string): Promise<void>;
  /** The repository's attributes now, and those of its tags and manifests a lock change touched. */
  locks(repository: string): Promise<{ repository: ChangeableAttributes; items: ItemAttributes[] }>;
  /** Removes the repository's lock changes and tag histories older than its delete. */
  forgetLocks(repository: string, hlc: string): Promise<void>;
  /** Records an event, published after commit. */
  emit<S extends z.ZodType>(def: EventDefinition<S>, payload: z.infer<S>): Promise<void>;
}

@Injectable()
export class SqlRepositoriesRepository implements RepositoriesRepository {
  constructor(
    @InjectSql() private readonly sql: Sql,
    private readonly outbox: Outbox,
  ) {}

  async list(
    last: string | undefined,
    limit: number,
    patterns?: readonly string[],
  ): Promise<string[]> {
    const sql = this.sql;
    if (patterns?.length === 0) return [];
    const matching =
      patterns === undefined || patterns.includes('*')
        ? sql``
        : sql`and (name = any(${exactNames(patterns)}::text[])
            or name ^@ any(${prefixes(patterns)}::text[]))`;
    // a repository whose newest lock change hides it from listings is left out
    const rows = await sql<{ name: string }[]>`
      select name from manifest.repositories r
      where name > ${last ?? ''} ${matching}
        and ${enabled(sql, 'list_enabled', 'repository', sql`r.name`, sql`''`)}
      order by name
      limit ${limit}`;
    return rows.map((row) => row.name);
  }

  transaction<T>(work: (tx: RepositoriesTransaction) => Promise<T>): Promise<T> {
    return this.sql.begin((tx) =>
      work(new SqlRepositoriesTransaction(tx, this.outbox)),
    ) as Promise<T>;
  }
}

class SqlRepositoriesTransaction implements RepositoriesTransaction {
  constructor(
    private readonly tx: TransactionSql,
    private readonly outbox: Outbox,
  ) {}

  lockRepository(repository: string): Promise<void> {
    return lockRepository(this.tx, repository);
  }

  newestWrite(repository: string): Promise<string | undefined> {
    return newestWrite(this.tx, repository, { kind: 'repository' });
  }

  recordDelete(repository: string, hlc: string): Promise<void> {
    return recordDelete(this.tx, repository, { kind: 'repository' }, hlc);
  }

  locks(
    repository: string,
  ): Promise<{ repository: ChangeableAttributes; items: ItemAttributes[] }> {
    return repositoryLocks(this.tx, repository);
  }

  keepRestorable(repository: string, hlc: string): Promise<void> {
    return keepRestorable(this.tx, repository, undefined, hlc);
  }

  forgetLocks(repository: string, hlc: string): Promise<void> {
    return forgetLocks(this.tx, repository, { kind: 'repository' }, hlc);
  }

  async delete(repository: string): Promise<number | undefined> {
    // Locking the row makes a push into the repository wait, so no manifest slips in
    // between the count and the delete (the push then creates the repository anew).
    const found = await this.tx`
      select 1 from manifest.repositories where name = ${repository} for update`;
    if (found.length === 0) return undefined;
    const manifests = await this
      .tx`delete from manifest.manifests where repository = ${repository}`;
    await this.tx`delete from manifest.repositories where name = ${repository}`;
    return manifests.count;
  }

  emit<S extends z.ZodType>(def: EventDefinition<S>, payload: z.infer<S>): Promise<void> {
    return this.outbox.write(this.tx, def, payload);
  }
}

function exactNames(patterns: readonly string[]): string[] {
  return patterns.filter((pattern) => !pattern.endsWith('/*'));
}

/** `team-a/*` → `team-a/` */
function prefixes(patterns: readonly string[]): string[] {
  return patterns.filter((pattern) => pattern.endsWith('/*')).map((p) => p.slice(0, -1));
}
