/**
 * Soft delete in SQL (migrations/0010_soft_delete.sql): the setting, the `soft-delete` row of
 * `settings`, settled by its clock reading like retention's; the restorable manifests this
 * region keeps (taken by keep-restorable.ts in each delete's transaction), listed, read for a
 * restore and removed for good once expired.
 */
import { Injectable } from '@nestjs/common';
import type { EventDefinition, SoftDeletePolicy } from '@meridian/contracts';
import { InjectSql, Outbox, type Sql, type TransactionSql } from '@meridian/database';
import type { z } from 'zod';
import { softDeleteSettingName } from './keep-restorable';

/** What the setting is until someone sets it (ACR's default days). */
export const defaultSoftDeletePolicy: SoftDeletePolicy = { enabled: false, retentionDays: 7 };

/** Keeps two replicas of the manifest service from sweeping at once (any constant key). */
const sweepLockKey = 0x6d736474; // "msdt"

/** A restorable manifest as listed. */
export interface RestorableListed {
  digest: string;
  mediaType: string;
  size: number;
  tags: string[];
  deletedAt: Date;
  expiresAt: Date;
}

/** What a restore pushes again. */
export interface Restorable {
  mediaType: string;
  body: Uint8Array;
  tags: string[];
  deletedHlc: string;
}

export abstract class SoftDeleteRepository {
  abstract policy(): Promise<SoftDeletePolicy>;
  /** Runs `work` in one transaction with its events. */
  abstract transaction<T>(work: (tx: SoftDeleteTransaction) => Promise<T>): Promise<T>;
  /** Sets the policy if `hlc` is newer than the stored change; true when it then holds it. */
  abstract applyPolicy(policy: SoftDeletePolicy, hlc: string): Promise<boolean>;
  /** Up to `limit` of the repository's restorable manifests after `last`, in digest order. */
  abstract list(
    repository: string,
    last: string | undefined,
    limit: number,
  ): Promise<RestorableListed[]>;
  /** Whether the repository exists or holds anything restorable. */
  abstract known(repository: string): Promise<boolean>;
  /** The restorable manifest, unless it expired (or was never kept). */
  abstract find(repository: string, digest: string): Promise<Restorable | undefined>;
  /**
   * Runs `round` unless another replica is sweeping (then undefined): the claim lasts until
   * `round` settles.
   */
  abstract exclusively<T>(round: () => Promise<T>): Promise<T | undefined>;
  /** Removes up to `limit` expired restorable manifests, the longest expired first; how many. */
  abstract removeExpired(limit: number): Promise<number>;
}

export interface SoftDeleteTransaction {
  /** The newest change of the policy, locked until commit, to stamp the next one after it. */
  policyHlc(): Promise<string | undefined>;
  setPolicy(policy: SoftDeletePolicy, hlc: string): Promise<void>;
  emit<S extends z.ZodType>(def: EventDefinition<S>, payload: z.infer<S>): Promise<void>;
}

interface TagAtDelete {
  name: string;
  hlc: string;
}

@Injectable()
export class SqlSoftDeleteRepository implements SoftDeleteRepository {
  constructor(
    @InjectSql() private readonly sql: Sql,
    private readonly outbox: Outbox,
  ) {}

  async policy(): Promise<SoftDeletePolicy> {
    const [row] = await this.sql<{ value: SoftDeletePolicy }[]>`
      select value from manifest.settings where name = ${softDeleteSettingName}`;
    return row?.value ?? defaultSoftDeletePolicy;
  }

  transaction<T>(work: (tx: SoftDeleteTransaction) => Promise<T>): Promise<T> {
    return this.sql.begin((tx) =>
      work(new SqlSoftDeleteTransaction(tx, this.outbox)),
    ) as Promise<T>;
  }

  async applyPolicy(policy: SoftDeletePolicy, hlc: string): Promise<boolean> {
    const set = await this.sql`
      insert into manifest.settings (name, value, hlc)
      values (${softDeleteSettingName}, ${this.sql.json(policy)}, ${hlc})
      on conflict (name) do update set value = excluded.value, hlc = excluded.hlc
        where settings.hlc < excluded.hlc
      returning 1`;
    return set.length > 0;
  }

  async list(
    repository: string,
    last: string | undefined,
    limit: number,
  ): Promise<RestorableListed[]> {
    const rows = await this.sql<(Omit<RestorableListed, 'tags'> & { tags: TagAtDelete[] })[]>`
      select digest, media_type as "mediaType", size, tags, deleted_at as "deletedAt",
        expires_at as "expiresAt"
      from manifest.restorable_manifests
      where repository = ${repository} and digest > ${last ?? ''} and expires_at > now()
      order by digest
      limit ${limit}`;
    return rows.map((row) => ({ ...row, tags: row.tags.map((tag) => tag.name) }));
  }

  async known(repository: string): Promise<boolean> {
    const [row] = await this.sql<{ known: boolean }[]>`
      select exists (select 1 from manifest.repositories where name = ${repository})
        or exists (select 1 from manifest.restorable_manifests where repository = ${repository})
        as known`;
    return row!.known;
  }

  async find(repository: string, digest: string): Promise<Restorable | undefined> {
    const [row] = await this.sql<
      { mediaType: string; body: Buffer; tags: TagAtDelete[]; deletedHlc: string }[]
    >`
      select media_type as "mediaType", body, tags, deleted_hlc as "deletedHlc"
      from manifest.restorable_manifests
      where repository = ${repository} and digest = ${digest} and expires_at > now()`;
    return row && { ...row, tags: row.tags.map((tag) => tag.name) };
  }

  async exclusively<T>(round: () => Promise<T>): Promise<T | undefined> {
    // a transaction-scoped advisory lock: released when the claim's transaction ends, even
    // when this replica dies mid-round (its connection closes)
    return (await this.sql.begin(async (tx) => {
      const [claim] = await tx<{ claimed: boolean }[]>`
        select pg_try_advisory_xact_lock(${sweepLockKey}) as claimed`;
      if (!claim?.claimed) return undefined;
      return round();
    })) as T | undefined;
  }

  async removeExpired(limit: number): Promise<number> {
    const removed = await this.sql`
      delete from manifest.restorable_manifests r
      using (
        select repository, digest from manifest.restorable_manifests
        where expires_at <= now()
        order by expires_at
        limit ${limit}
        for update skip locked
      ) expired
      where r.repository = expired.repository and r.digest = expired.digest`;
    return removed.count;
  }
}

class SqlSoftDeleteTransaction implements SoftDeleteTransaction {
  constructor(
    private readonly tx: TransactionSql,
    private readonly outbox: Outbox,
  ) {}

  async policyHlc(): Promise<string | undefined> {
    const [row] = await this.tx<{ hlc: string }[]>`
      select hlc from manifest.settings where name = ${softDeleteSettingName} for update`;
    return row?.hlc;
  }

  async setPolicy(policy: SoftDeletePolicy, hlc: string): Promise<void> {
    await this.tx`
      insert into manifest.settings (name, value, hlc)
      values (${softDeleteSettingName}, ${this.tx.json(policy)}, ${hlc})
      on conflict (name) do update set value = excluded.value, hlc = excluded.hlc`;
  }

  emit<S extends z.ZodType>(def: EventDefinition<S>, payload: z.infer<S>): Promise<void> {
    return this.outbox.write(this.tx, def, payload);
  }
}
