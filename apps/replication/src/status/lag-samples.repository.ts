/**
 * The lag history in the region's Postgres (`replication.lag_samples`): it survives a restart
 * of the replication service and every replica reads the same one (docs/architecture.md,
 * "The lag history").
 */
import { Injectable } from '@nestjs/common';
import type { LagSample, RegionId } from '@meridian/contracts';
import { InjectSql, type Sql } from '@meridian/database';

export interface PeerLagSample extends LagSample {
  peer: RegionId;
}

export abstract class LagSamplesRepository {
  /** Keeps `sample` unless one of the same peer and time is kept already (another replica's). */
  abstract record(sample: PeerLagSample): Promise<void>;
  /** The samples taken at or after `since`, oldest first. */
  abstract since(since: Date): Promise<PeerLagSample[]>;
  /** Deletes the samples taken before `before`; how many. */
  abstract prune(before: Date): Promise<number>;
}

interface LagSampleRow {
  peer: string;
  sampled_at: Date;
  lag_ms: string;
  pending: string;
  connected: boolean;
}

@Injectable()
export class SqlLagSamplesRepository extends LagSamplesRepository {
  constructor(@InjectSql() private readonly sql: Sql) {
    super();
  }

  async record(sample: PeerLagSample): Promise<void> {
    await this.sql`
      insert into replication.lag_samples (peer, sampled_at, lag_ms, pending, connected)
      values (${sample.peer}, ${new Date(sample.time)}, ${sample.lagMs}, ${sample.pending},
              ${sample.connected})
      on conflict do nothing`;
  }

  async since(since: Date): Promise<PeerLagSample[]> {
    const rows = await this.sql<LagSampleRow[]>`
      select peer, sampled_at, lag_ms, pending, connected from replication.lag_samples
      where sampled_at >= ${since}
      order by sampled_at, peer`;
    return rows.map((row) => ({
      peer: row.peer,
      time: row.sampled_at.toISOString(),
      lagMs: Number(row.lag_ms),
      pending: Number(row.pending),
      connected: row.connected,
    }));
  }

  async prune(before: Date): Promise<number> {
    const result = await this.sql`
      delete from replication.lag_samples where sampled_at < ${before}`;
    return result.count;
  }
}
