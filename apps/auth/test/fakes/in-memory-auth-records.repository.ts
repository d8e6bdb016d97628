/**
 * Auth records in memory, for unit tests of the rules above the repository: the same
 * contract (tombstones, clock readings, one event per local write) without Postgres.
 * Transactions run one at a time and keep their writes even when they throw.
 */
import type { AuthRecordKind } from '@meridian/contracts';
import type { EventOrigin } from '@meridian/database';
import { type RecordOf, recordSchemas } from '../../src/records/auth-records';
import type {
  AuthRecordsRepository,
  AuthRecordsTransaction,
} from '../../src/records/auth-records.repository';

interface Row {
  record: Record<string, unknown> | null;
  hlc: string;
}

export interface WrittenEvent {
  kind: AuthRecordKind;
  id: string;
  record: Record<string, unknown> | null;
  hlc: string;
  origin: EventOrigin;
}

export class InMemoryAuthRecordsRepository implements AuthRecordsRepository {
  readonly rows = new Map<string, Row>();
  readonly events: WrittenEvent[] = [];
  private counter = 0;

  constructor(private readonly region = 'us-east') {}

  async get<K extends AuthRecordKind>(kind: K, id: string): Promise<RecordOf<K> | undefined> {
    const row = this.rows.get(key(kind, id));
    return row?.record ? (recordSchemas[kind].parse(row.record) as RecordOf<K>) : undefined;
  }

  async list<K extends AuthRecordKind>(kind: K): Promise<RecordOf<K>[]> {
    return [...this.rows]
      .filter(([rowKey, row]) => rowKey.startsWith(`${kind}\u0000`) && row.record)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, row]) => recordSchemas[kind].parse(row.record) as RecordOf<K>);
  }

  async purgeExpiredRefreshTokens(): Promise<number> {
    let purged = 0;
    for (const [rowKey, row] of this.rows) {
      const record = row.record as RecordOf<'refresh-token'> | null;
      if (!rowKey.startsWith('refresh-token\u0000') || !record) continue;
      if (Date.parse(record.expiresAt) >= Date.now()) continue;
      this.rows.delete(rowKey);
      purged++;
    }
    return purged;
  }

  /** the transaction running, if any: one at a time, as the records' locks make them in Postgres */
  private running: Promise<unknown> = Promise.resolve();

  async transaction<T>(work: (tx: AuthRecordsTransaction) => Promise<T>): Promise<T> {
    const turn = this.running.then(() => this.transactionNow(work));
    this.running = turn.catch(() => undefined);
    return turn;
  }

  private async transactionNow<T>(work: (tx: AuthRecordsTransaction) => Promise<T>): Promise<T> {
    const tx: AuthRecordsTransaction = {
      get: (kind, id) => this.get(kind, id),
      stamp: async (kind, id) => this.rows.get(key(kind, id))?.hlc,
      list: (kind) => this.list(kind),
      write: async (kind, id, record, origin) => {
        const hlc = `${String(Date.now()).padStart(15, '0')}.${String(this.counter++).padStart(6, '0')}.${this.region}`;
        this.rows.set(key(kind, id), { record, hlc });
        this.events.push({ kind, id, record, hlc, origin });
      },
      store: async (kind, id, record, hlc) => {
        this.rows.set(key(kind, id), { record, hlc });
      },
      refreshTokensOf: async (subjectKind, subject) =>
        [...this.rows]
          .filter(([rowKey]) => rowKey.startsWith('refresh-token\u0000'))
          .flatMap(([rowKey, row]) => {
            const record = row.record as RecordOf<'refresh-token'> | null;
            if (record?.subjectKind !== subjectKind || record.subject !== subject) return [];
            const id = rowKey.slice('refresh-token\u0000'.length);
            return [record.slot ? { id, slot: record.slot } : { id }];
          }),
    };
    return work(tx);
  }
}

function key(kind: string, id: string): string {
  return `${kind}\u0000${id}`;
}
