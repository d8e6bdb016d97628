/**
 * Auth records in SQL (schema `auth`, see migrations/0001_init.sql). A local change runs in
 * a transaction that locks the records it reads, writes them, and records one
 * `auth.changed.v1` event per record in the outbox, stamped with the clock reading the row
 * keeps; so an event exists if and only if its change committed. Records applied from other
 * regions are stored with their own clock reading and announce nothing (they would travel
 * back and loop).
 */
import { Injectable } from '@nestjs/common';
import { type AuthRecordKind, authChanged } from '@meridian/contracts';
import {
  type EventOrigin,
  InjectSql,
  Outbox,
  type Sql,
  type TransactionSql,
} from '@meridian/database';
import { type RecordOf, recordSchemas } from './auth-records';

export abstract class AuthRecordsRepository {
  /** The live record, or undefined when there is none (or a tombstone). */
  abstract get<K extends AuthRecordKind>(kind: K, id: string): Promise<RecordOf<K> | undefined>;

  /** Every live record of a kind, by id. */
  abstract list<K extends AuthRecordKind>(kind: K): Promise<RecordOf<K>[]>;

  /** Runs `work` in one transaction: all of its changes and events commit, or none. */
  abstract transaction<T>(work: (tx: AuthRecordsTransaction) => Promise<T>): Promise<T>;

  /**
   * Forgets refresh tokens past their expiry, without an event: every region sees the same
   * expiry, and a late copy of one would arrive expired. Returns how many.
   */
  abstract purgeExpiredRefreshTokens(): Promise<number>;
}

export interface AuthRecordsTransaction {
  /** Locks the record until commit (whether it exists or not) and reads it. */
  get<K extends AuthRecordKind>(kind: K, id: string): Promise<RecordOf<K> | undefined>;
  /** Locks the record until commit and reads the clock reading it was last written with. */
  stamp(kind: AuthRecordKind, id: string): Promise<string | undefined>;
  /**
   * The live records of a kind, ordered by id, read in the transaction (nothing locked): a
   * transaction never waits on the pool for a second connection.
   */
  list<K extends AuthRecordKind>(kind: K): Promise<RecordOf<K>[]>;
  /** Writes (or with null deletes) a record and records its event. */
  write<K extends AuthRecordKind>(
    kind: K,
    id: string,
    record: RecordOf<K> | null,
    origin: EventOrigin,
  ): Promise<void>;
  /**
   * Stores a record written in another region, with that region's clock reading; no event.
   * Later local writes sort after it.
   */
  store(
    kind: AuthRecordKind,
    id: string,
    record: Record<string, unknown> | null,
    hlc: string,
  ): Promise<void>;
  /** The ids of the live refresh tokens of an identity. */
  refreshTokensOf(
    subjectKind: string,
    subject: string,
  ): Promise<Array<{ id: string; slot?: number }>>;
}

interface RecordRow {
  record: Record<string, unknown> | null;
}

@Injectable()
export class SqlAuthRecordsRepository implements AuthRecordsRepository {
  constructor(
    @InjectSql() private readonly sql: Sql,
    private readonly outbox: Outbox,
  ) {}

  async get<K extends AuthRecordKind>(kind: K, id: string): Promise<RecordOf<K> | undefined> {
    const [row] = await this.sql<RecordRow[]>`
      select record from auth.records where kind = ${kind} and id = ${id}`;
    return parseRecord(kind, row);
  }

  list<K extends AuthRecordKind>(kind: K): Promise<RecordOf<K>[]> {
    return listRecords(this.sql, kind);
  }

  async purgeExpiredRefreshTokens(): Promise<number> {
    const purged = await this.sql`
      delete from auth.records
      where kind = 'refresh-token' and record is not null
        and (record ->> 'expiresAt')::timestamptz < now()`;
    return purged.count;
  }

  transaction<T>(work: (tx: AuthRecordsTransaction) => Promise<T>): Promise<T> {
    return this.sql.begin((tx) =>
      work(new SqlAuthRecordsTransaction(tx, this.outbox)),
    ) as Promise<T>;
  }
}

class SqlAuthRecordsTransaction implements AuthRecordsTransaction {
  constructor(
    private readonly tx: TransactionSql,
    private readonly outbox: Outbox,
  ) {}

  async get<K extends AuthRecordKind>(kind: K, id: string): Promise<RecordOf<K> | undefined> {
    await this.lock(kind, id);
    const [row] = await this.tx<RecordRow[]>`
      select record from auth.records where kind = ${kind} and id = ${id}`;
    return parseRecord(kind, row);
  }

  async stamp(kind: AuthRecordKind, id: string): Promise<string | undefined> {
    await this.lock(kind, id);
    const [row] = await this.tx<{ hlc: string }[]>`
      select hlc from auth.records where kind = ${kind} and id = ${id}`;
    return row?.hlc;
  }

  list<K extends AuthRecordKind>(kind: K): Promise<RecordOf<K>[]> {
    return listRecords(this.tx, kind);
  }

  async write<K extends AuthRecordKind>(
    kind: K,
    id: string,
    record: RecordOf<K> | null,
    origin: EventOrigin,
  ): Promise<void> {
    const envelope = this.outbox.envelope(origin);
    await this.store(kind, id, record, envelope.hlc);
    await this.outbox.write(this.tx, authChanged, { ...envelope, kind, id, record });
  }

  async store(
    kind: AuthRecordKind,
    id: string,
    record: Record<string, unknown> | null,
    hlc: string,
  ): Promise<void> {
    this.outbox.observe(hlc);
    const tx = this.tx;
    await tx`
      insert into auth.records (kind, id, record, hlc)
      values (${kind}, ${id}, ${record === null ? null : tx.json(record as never)}, ${hlc})
      on conflict (kind, id) do update
        set record = excluded.record, hlc = excluded.hlc, updated_at = now()`;
  }

  async refreshTokensOf(
    subjectKind: string,
    subject: string,
  ): Promise<Array<{ id: string; slot?: number }>> {
    const rows = await this.tx<{ id: string; slot: number | null }[]>`
      select id, (record ->> 'slot')::int as slot from auth.records
      where kind = 'refresh-token' and record is not null
        and record ->> 'subject' = ${subject} and record ->> 'subjectKind' = ${subjectKind}`;
    return rows.map((row) => (row.slot === null ? { id: row.id } : { id: row.id, slot: row.slot }));
  }

  // Serialises writers of one record across the service's replicas, also while it does not
  // exist yet (a row lock needs a row).
  private async lock(kind: AuthRecordKind, id: string): Promise<void> {
    await this.tx`select pg_advisory_xact_lock(hashtextextended(${`auth:${kind}:${id}`}, 0))`;
  }
}

function parseRecord<K extends AuthRecordKind>(
  kind: K,
  row: RecordRow | undefined,
): RecordOf<K> | undefined {
  if (!row?.record) return undefined;
  return recordSchemas[kind].parse(row.record) as RecordOf<K>;
}

async function listRecords<K extends AuthRecordKind>(
  sql: Sql | TransactionSql,
  kind: K,
): Promise<RecordOf<K>[]> {
  const rows = await sql<RecordRow[]>`
    select record from auth.records
    where kind = ${kind} and record is not null
    order by id`;
  return rows.map((row) => parseRecord(kind, row)!);
}
