/**
 * Quarantine states and the quarantine setting in SQL (migrations/0003_quarantine.sql). Local
 * decisions and setting changes run in a transaction that writes their event to the outbox;
 * another region's change is applied only when its clock reading is newer than the row's, so
 * every region ends with the newest change whatever order they arrive in.
 */
import { Injectable } from '@nestjs/common';
import type { EventDefinition, QuarantineState } from '@meridian/contracts';
import { InjectSql, Outbox, type Sql, type TransactionSql } from '@meridian/database';
import type { z } from 'zod';

export const quarantineSettingName = 'quarantine';

export interface QuarantineRecord {
  state: QuarantineState;
  details?: string;
  hlc: string;
}

/** What a quarantine event says of the manifest besides its state. */
export interface QuarantinedManifest {
  mediaType: string;
  size: number;
  /** one tag pointing to it, if any (the event names it) */
  tag?: string;
}

export interface QuarantineChange {
  repository: string;
  digest: string;
  state: QuarantineState;
  details?: string;
  hlc: string;
}

export abstract class QuarantineRepository {
  abstract find(repository: string, digest: string): Promise<QuarantineRecord | undefined>;
  abstract settingEnabled(): Promise<boolean>;
  /** Runs `work` in one transaction with its events. */
  abstract transaction<T>(work: (tx: QuarantineTransaction) => Promise<T>): Promise<T>;
  /** Sets the state if `hlc` is newer than the row's; true when the row then holds it. */
  abstract applyChange(change: QuarantineChange): Promise<boolean>;
  /** Sets the setting if `hlc` is newer than the stored change; true when it then holds it. */
  abstract applySetting(enabled: boolean, hlc: string): Promise<boolean>;
}

export interface QuarantineTransaction {
  /** The manifest, locked until commit, or undefined when the repository has no such manifest. */
  lockManifest(repository: string, digest: string): Promise<QuarantinedManifest | undefined>;
  find(repository: string, digest: string): Promise<QuarantineRecord | undefined>;
  setState(change: QuarantineChange): Promise<void>;
  setSetting(enabled: boolean, hlc: string): Promise<void>;
  /** The newest change of the setting, to stamp the next one after it. */
  settingHlc(): Promise<string | undefined>;
  emit<S extends z.ZodType>(def: EventDefinition<S>, payload: z.infer<S>): Promise<void>;
}

interface RecordRow {
  state: QuarantineState;
  details: string | null;
  hlc: string;
}

@Injectable()
export class SqlQuarantineRepository implements QuarantineRepository {
  constructor(
    @InjectSql() private readonly sql: Sql,
    private readonly outbox: Outbox,
  ) {}

  async find(repository: string, digest: string): Promise<QuarantineRecord | undefined> {
    return findRecord(this.sql, repository, digest);
  }

  async settingEnabled(): Promise<boolean> {
    return readSetting(this.sql);
  }

  transaction<T>(work: (tx: QuarantineTransaction) => Promise<T>): Promise<T> {
    return this.sql.begin((tx) =>
      work(new SqlQuarantineTransaction(tx, this.outbox)),
    ) as Promise<T>;
  }

  async applyChange(change: QuarantineChange): Promise<boolean> {
    const set = await this.sql`
      insert into manifest.quarantine (repository, digest, state, details, hlc)
      values (${change.repository}, ${change.digest}, ${change.state}, ${change.details ?? null},
        ${change.hlc})
      on conflict (repository, digest) do update
        set state = excluded.state, details = excluded.details, hlc = excluded.hlc,
          updated_at = now()
        where quarantine.hlc < excluded.hlc
      returning 1`;
    return set.length > 0;
  }

  async applySetting(enabled: boolean, hlc: string): Promise<boolean> {
    const set = await this.sql`
      insert into manifest.settings (name, value, hlc)
      values (${quarantineSettingName}, ${this.sql.json(enabled)}, ${hlc})
      on conflict (name) do update set value = excluded.value, hlc = excluded.hlc
        where settings.hlc < excluded.hlc
      returning 1`;
    return set.length > 0;
  }
}

class SqlQuarantineTransaction implements QuarantineTransaction {
  constructor(
    private readonly tx: TransactionSql,
    private readonly outbox: Outbox,
  ) {}

  async lockManifest(repository: string, digest: string): Promise<QuarantinedManifest | undefined> {
    const [row] = await this.tx<{ mediaType: string; size: number; tag: string | null }[]>`
      select m.media_type as "mediaType", m.size,
        (select min(t.name) from manifest.tags t
         where t.repository = m.repository and t.digest = m.digest) as tag
      from manifest.manifests m
      where m.repository = ${repository} and m.digest = ${digest}
      for update of m`;
    if (!row) return undefined;
    return { mediaType: row.mediaType, size: row.size, tag: row.tag ?? undefined };
  }

  find(repository: string, digest: string): Promise<QuarantineRecord | undefined> {
    return findRecord(this.tx, repository, digest);
  }

  async setState(change: QuarantineChange): Promise<void> {
    await this.tx`
      insert into manifest.quarantine (repository, digest, state, details, hlc)
      values (${change.repository}, ${change.digest}, ${change.state}, ${change.details ?? null},
        ${change.hlc})
      on conflict (repository, digest) do update
        set state = excluded.state, details = excluded.details, hlc = excluded.hlc,
          updated_at = now()`;
  }

  async setSetting(enabled: boolean, hlc: string): Promise<void> {
    await this.tx`
      insert into manifest.settings (name, value, hlc)
      values (${quarantineSettingName}, ${this.tx.json(enabled)}, ${hlc})
      on conflict (name) do update set value = excluded.value, hlc = excluded.hlc`;
  }

  async settingHlc(): Promise<string | undefined> {
    const [row] = await this.tx<{ hlc: string }[]>`
      select hlc from manifest.settings where name = ${quarantineSettingName} for update`;
    return row?.hlc;
  }

  emit<S extends z.ZodType>(def: EventDefinition<S>, payload: z.infer<S>): Promise<void> {
    return this.outbox.write(this.tx, def, payload);
  }
}

async function findRecord(
  sql: Sql | TransactionSql,
  repository: string,
  digest: string,
): Promise<QuarantineRecord | undefined> {
  const [row] = await sql<RecordRow[]>`
    select state, details, hlc from manifest.quarantine
    where repository = ${repository} and digest = ${digest}`;
  if (!row) return undefined;
  return { state: row.state, details: row.details ?? undefined, hlc: row.hlc };
}

async function readSetting(sql: Sql | TransactionSql): Promise<boolean> {
  const [row] = await sql<{ value: unknown }[]>`
    select value from manifest.settings where name = ${quarantineSettingName}`;
  return row?.value === true;
}
