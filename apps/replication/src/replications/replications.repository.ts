/**
 * Replications in SQL (migration 0005), as records. `save` keeps a record only over an older
 * one (by clock reading), so two merges racing in two replicas still keep the newest.
 */
import { Injectable } from '@nestjs/common';
import type { ReplicationRecord, ReplicationStorageView } from '@meridian/contracts';
import { InjectSql, type Sql } from '@meridian/database';

export abstract class ReplicationsRepository {
  abstract list(): Promise<ReplicationRecord[]>;
  /** Keeps each record unless a newer one is held; the regions it kept. */
  abstract save(records: readonly ReplicationRecord[]): Promise<string[]>;
  /** Keeps each record only where its region has no record yet (a seed); the regions it kept. */
  abstract seed(records: readonly ReplicationRecord[]): Promise<string[]>;
}

interface Row {
  region: string;
  natsDomain: string;
  storageType: 'filesystem' | 's3';
  storagePath: string | null;
  s3Endpoint: string | null;
  s3Bucket: string | null;
  s3Region: string | null;
  s3AccessKeyId: string | null;
  s3ForcePathStyle: boolean | null;
  sealedSecret: string | null;
  clock: string;
  deleted: boolean;
  createdAt: Date;
  updatedAt: Date;
}

@Injectable()
export class SqlReplicationsRepository extends ReplicationsRepository {
  constructor(@InjectSql() private readonly sql: Sql) {
    super();
  }

  async list(): Promise<ReplicationRecord[]> {
    const rows = await this.sql<Row[]>`
      select region, nats_domain as "natsDomain", storage_type as "storageType",
        storage_path as "storagePath", s3_endpoint as "s3Endpoint", s3_bucket as "s3Bucket",
        s3_region as "s3Region", s3_access_key_id as "s3AccessKeyId",
        s3_force_path_style as "s3ForcePathStyle", sealed_secret as "sealedSecret", clock,
        deleted, created_at as "createdAt", updated_at as "updatedAt"
      from replication.replications order by created_at, region`;
    return rows.map(fromRow);
  }

  async save(records: readonly ReplicationRecord[]): Promise<string[]> {
    return this.write(records, true);
  }

  async seed(records: readonly ReplicationRecord[]): Promise<string[]> {
    return this.write(records, false);
  }

  private async write(records: readonly ReplicationRecord[], replace: boolean): Promise<string[]> {
    const kept: string[] = [];
    for (const record of records) {
      const row = toRow(record);
      const written = replace
        ? await this.sql<{ region: string }[]>`
            insert into replication.replications ${this.sql(row)}
            on conflict (region) do update set
              nats_domain = excluded.nats_domain, storage_type = excluded.storage_type,
              storage_path = excluded.storage_path, s3_endpoint = excluded.s3_endpoint,
              s3_bucket = excluded.s3_bucket, s3_region = excluded.s3_region,
              s3_access_key_id = excluded.s3_access_key_id,
              s3_force_path_style = excluded.s3_force_path_style,
              sealed_secret = excluded.sealed_secret, clock = excluded.clock,
              deleted = excluded.deleted, created_at = excluded.created_at,
              updated_at = excluded.updated_at
            where replications.clock < excluded.clock
            returning region`
        : await this.sql<{ region: string }[]>`
            insert into replication.replications ${this.sql(row)}
            on conflict (region) do nothing
            returning region`;
      kept.push(...written.map(({ region }) => region));
    }
    return kept;
  }
}

function toRow(record: ReplicationRecord) {
  const { storage } = record;
  return {
    region: record.region,
    nats_domain: record.natsDomain,
    storage_type: storage.type,
    storage_path: storage.type === 'filesystem' ? storage.path : null,
    s3_endpoint: storage.type === 's3' ? (storage.endpoint ?? null) : null,
    s3_bucket: storage.type === 's3' ? storage.bucket : null,
    s3_region: storage.type === 's3' ? storage.region : null,
    s3_access_key_id: storage.type === 's3' ? storage.accessKeyId : null,
    s3_force_path_style: storage.type === 's3' ? storage.forcePathStyle : null,
    sealed_secret: record.sealedSecret ?? null,
    clock: record.clock,
    deleted: record.deleted,
    created_at: new Date(record.createdAt),
    updated_at: new Date(record.updatedAt),
  };
}

function fromRow(row: Row): ReplicationRecord {
  const storage: ReplicationStorageView =
    row.storageType === 'filesystem'
      ? { type: 'filesystem', path: row.storagePath ?? '' }
      : {
          type: 's3',
          ...(row.s3Endpoint === null ? {} : { endpoint: row.s3Endpoint }),
          bucket: row.s3Bucket ?? '',
          region: row.s3Region ?? 'us-east-1',
          accessKeyId: row.s3AccessKeyId ?? '',
          forcePathStyle: row.s3ForcePathStyle ?? true,
        };
  return {
    region: row.region,
    natsDomain: row.natsDomain,
    storage,
    ...(row.sealedSecret === null ? {} : { sealedSecret: row.sealedSecret }),
    clock: row.clock,
    deleted: row.deleted,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
