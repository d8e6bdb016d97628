/**
 * `meridian_upload_sessions`: the region's open upload sessions, counted in the database
 * when the metrics are read, so the figure is the same from every replica and survives
 * restarts. A session the gateway opened itself (apps/gateway upload-states.ts) counts from
 * its first chunk: before, nothing of it is written down.
 */
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectSql, type Sql } from '@meridian/database';
import { metrics } from '@meridian/telemetry';

@Injectable()
export class UploadSessionsMetric implements OnApplicationBootstrap {
  constructor(@InjectSql() private readonly sql: Sql) {}

  onApplicationBootstrap(): void {
    metrics().observeUploadSessions(async () => {
      const [row] = await this.sql<
        { open: number }[]
      >`select count(*)::int as open from blob.uploads`;
      return row?.open ?? 0;
    });
  }
}
