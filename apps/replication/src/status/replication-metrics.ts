/**
 * Replication lag, backlog, reachability, copy throughput and last error per peer region
 * as `meridian_replication_*` gauges in the process's metrics registry: read from the same
 * figures as the regions RPC, at scrape (or OTLP export) time, under the names the
 * gateway's `/api/v1/replication/metrics` uses, so both say the same.
 */
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { type MeridianMetrics, type PeerReplicationFigures, metrics } from '@meridian/telemetry';
import { ReplicationStatusService } from './replication-status.service';

@Injectable()
export class ReplicationMetrics implements OnApplicationBootstrap {
  constructor(private readonly status: ReplicationStatusService) {}

  onApplicationBootstrap(): void {
    this.register(metrics());
  }

  register(registry: MeridianMetrics): void {
    registry.observeReplication(async () => {
      const { region, peers } = await this.status.regions();
      return {
        region,
        peers: peers.map((peer): PeerReplicationFigures => ({
          peer: peer.region,
          connected: peer.connected,
          eventsPending: peer.eventsPending,
          oldestPendingAgeSeconds:
            peer.oldestPendingAgeMs === undefined ? undefined : peer.oldestPendingAgeMs / 1000,
          copyBytesPerSecond: peer.copyBytesPerSecond,
          lastErrorTimestampSeconds:
            peer.lastErrorAt === undefined ? undefined : Date.parse(peer.lastErrorAt) / 1000,
        })),
      };
    });
  }
}
