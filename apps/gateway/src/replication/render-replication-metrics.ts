/**
 * The regions API's figures in the Prometheus text format (exposition format 0.0.4), so
 * replication lag and queue depth per peer can be scraped and alerted on: one gauge per
 * figure, labelled with this region and the peer, and anti-entropy's repairs per peer and
 * kind as a counter (since the replication service started).
 */
import type { RpcResponse, replicationRpc } from '@meridian/contracts';

type Regions = RpcResponse<typeof replicationRpc.regions>;
type Peer = Regions['peers'][number];

interface Gauge {
  name: string;
  help: string;
  value(peer: Peer): number | undefined;
}

const gauges: readonly Gauge[] = [
  {
    name: 'meridian_replication_peer_connected',
    help: "1 when this region reaches the peer region's NATS, else 0.",
    value: (peer) => (peer.connected ? 1 : 0),
  },
  {
    name: 'meridian_replication_events_pending',
    help: 'Events of the peer region not yet applied in this region.',
    value: (peer) => peer.eventsPending,
  },
  {
    name: 'meridian_replication_oldest_pending_age_seconds',
    help: 'Age of the oldest event of the peer region not yet applied here.',
    value: (peer) =>
      peer.oldestPendingAgeMs === undefined ? undefined : peer.oldestPendingAgeMs / 1000,
  },
  {
    name: 'meridian_replication_copy_bytes_per_second',
    help: "Blob bytes copied from the peer region's store per second, over the last minute.",
    value: (peer) => peer.copyBytesPerSecond,
  },
  {
    name: 'meridian_replication_last_error_timestamp_seconds',
    help: 'When replication from the peer region last failed (Unix time).',
    value: (peer) =>
      peer.lastErrorAt === undefined ? undefined : Date.parse(peer.lastErrorAt) / 1000,
  },
];

export const prometheusContentType = 'text/plain; version=0.0.4; charset=utf-8';

export function renderReplicationMetrics(regions: Regions): string {
  const lines: string[] = [];
  for (const gauge of gauges) {
    lines.push(`# HELP ${gauge.name} ${gauge.help}`, `# TYPE ${gauge.name} gauge`);
    for (const peer of regions.peers) {
      const value = gauge.value(peer);
      if (value === undefined) continue;
      const labels = `region=${label(regions.region)},peer=${label(peer.region)}`;
      lines.push(`${gauge.name}{${labels}} ${value}`);
    }
  }
  const repairs = 'meridian_replication_repairs_total';
  lines.push(
    `# HELP ${repairs} Divergences from the peer region anti-entropy repaired in this region, by kind.`,
    `# TYPE ${repairs} counter`,
  );
  for (const peer of regions.peers) {
    for (const [kind, count] of Object.entries(peer.antiEntropy?.repairs ?? {})) {
      const labels = `region=${label(regions.region)},peer=${label(peer.region)},kind=${label(kind)}`;
      lines.push(`${repairs}{${labels}} ${count}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Region ids are `[a-z0-9-]`; escaping keeps the format valid whatever they become. */
function label(value: string): string {
  return JSON.stringify(value);
}
