/**
 * The retention policy and what its sweep reads, in SQL (migrations/0007_retention.sql). The
 * policy is the `retention` row of `settings`, settled by its clock reading like quarantine's:
 * another region's change is applied only when it is newer than the stored one.
 */
import { Injectable } from '@nestjs/common';
import type { EventDefinition, RetentionPolicy } from '@meridian/contracts';
import { InjectSql, Outbox, type Sql, type TransactionSql } from '@meridian/database';
import type { z } from 'zod';
import type { SweptManifest } from './retention-rules';

export const retentionSettingName = 'retention';

/** What the policy is until someone sets it (ACR's default days). */
export const defaultRetentionPolicy: RetentionPolicy = { enabled: false, days: 7 };

/** Keeps two replicas of the manifest service from sweeping at once (any constant key). */
const sweepLockKey = 0x6d726574; // "mret"

export abstract class RetentionRepository {
  abstract policy(): Promise<RetentionPolicy>;
  /** Runs `work` in one transaction with its events. */
  abstract transaction<T>(work: (tx: RetentionTransaction) => Promise<T>): Promise<T>;
  /** Sets the policy if `hlc` is newer than the stored change; true when it then holds it. */
  abstract applyPolicy(policy: RetentionPolicy, hlc: string): Promise<boolean>;
  /**
   * Runs `round` unless another replica is sweeping (then undefined): the claim lasts until
   * `round` settles.
   */
  abstract exclusively<T>(round: () => Promise<T>): Promise<T | undefined>;
  /**
   * Repositories holding a manifest untagged for longer than `days`, the longest-untagged
   * first, leaving out repositories whose lock refuses deletes.
   */
  abstract repositoriesToSweep(days: number, limit: number): Promise<string[]>;
  /** Every manifest of the repository, as the rules judge it for `days`. */
  abstract manifestsOf(repository: string, days: number): Promise<SweptManifest[]>;
}

export interface RetentionTransaction {
  /** The newest change of the policy, locked until commit, to stamp the next one after it. */
  policyHlc(): Promise<string | undefined>;
  setPolicy(policy: RetentionPolicy, hlc: string): Promise<void>;
  emit<S extends z.ZodType>(def: EventDefinition<S>, payload: z.infer<S>): Promise<void>;
}

interface ManifestRow {
  digest: string;
  tagged: boolean;
  locked: boolean;
  expired: boolean;
  subject: string | null;
  children: string[] | null;
}

@Injectable()
export class SqlRetentionRepository implements RetentionRepository {
  constructor(
    @InjectSql() private readonly sql: Sql,
    private readonly outbox: Outbox,
  ) {}

  async policy(): Promise<RetentionPolicy> {
    const [row] = await this.sql<{ value: RetentionPolicy }[]>`
      select value from manifest.settings where name = ${retentionSettingName}`;
    return row?.value ?? defaultRetentionPolicy;
  }

  transaction<T>(work: (tx: RetentionTransaction) => Promise<T>): Promise<T> {
    return this.sql.begin((tx) => work(new SqlRetentionTransaction(tx, this.outbox))) as Promise<T>;
  }

  async applyPolicy(policy: RetentionPolicy, hlc: string): Promise<boolean> {
    const set = await this.sql`
      insert into manifest.settings (name, value, hlc)
      values (${retentionSettingName}, ${this.sql.json(policy)}, ${hlc})
      on conflict (name) do update set value = excluded.value, hlc = excluded.hlc
        where settings.hlc < excluded.hlc
      returning 1`;
    return set.length > 0;
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

  async repositoriesToSweep(days: number, limit: number): Promise<string[]> {
    const rows = await this.sql<{ repository: string }[]>`
      select m.repository from manifest.manifests m
      where m.untagged_since < now() - make_interval(days => ${days})
        and ${repositoryUnlocked(this.sql)}
      group by m.repository
      order by min(m.untagged_since)
      limit ${limit}`;
    return rows.map((row) => row.repository);
  }

  async manifestsOf(repository: string, days: number): Promise<SweptManifest[]> {
    const rows = await this.sql<ManifestRow[]>`
      select m.digest,
        m.untagged_since is null
          or exists (select 1 from manifest.tags t
                     where t.repository = m.repository and t.digest = m.digest) as tagged,
        coalesce((
          select not (l.delete_enabled and l.write_enabled) from manifest.lock_changes l
          where l.repository = m.repository and l.target = 'manifest' and l.name = m.digest
          order by l.hlc desc limit 1), false) as locked,
        coalesce(m.untagged_since < now() - make_interval(days => ${days}), false) as expired,
        m.subject,
        (select array_agg(child) from jsonb_array_elements_text(m.refs -> 'manifests') child)
          as children
      from manifest.manifests m
      where m.repository = ${repository}`;
    return rows.map((row) => ({
      digest: row.digest,
      tagged: row.tagged,
      locked: row.locked,
      expired: row.expired,
      ...(row.subject === null ? {} : { subject: row.subject }),
      children: row.children ?? [],
    }));
  }
}

/** The repository of `m` has no lock refusing deletes (its newest lock change, if any). */
function repositoryUnlocked(sql: Sql) {
  return sql`coalesce((
    select l.delete_enabled and l.write_enabled from manifest.lock_changes l
    where l.repository = m.repository and l.target = 'repository' and l.name = ''
    order by l.hlc desc limit 1), true)`;
}

class SqlRetentionTransaction implements RetentionTransaction {
  constructor(
    private readonly tx: TransactionSql,
    private readonly outbox: Outbox,
  ) {}

  async policyHlc(): Promise<string | undefined> {
    const [row] = await this.tx<{ hlc: string }[]>`
      select hlc from manifest.settings where name = ${retentionSettingName} for update`;
    return row?.hlc;
  }

  async setPolicy(policy: RetentionPolicy, hlc: string): Promise<void> {
    await this.tx`
      insert into manifest.settings (name, value, hlc)
      values (${retentionSettingName}, ${this.tx.json(policy)}, ${hlc})
      on conflict (name) do update set value = excluded.value, hlc = excluded.hlc`;
  }

  emit<S extends z.ZodType>(def: EventDefinition<S>, payload: z.infer<S>): Promise<void> {
    return this.outbox.write(this.tx, def, payload);
  }
}
