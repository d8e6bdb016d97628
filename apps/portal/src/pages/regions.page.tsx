/**
 * Regions: the registry's regions and each one's status (replications-panel.tsx: Owners add
 * and remove them), then this region's replication from each peer (`/api/v1/replication/regions`), polled
 * every few seconds with no reload: connected or not, events pending, the oldest pending
 * event's age (the lag), copy throughput, last error; and the lag per peer over the last
 * hour as a chart of the replication service's lag history
 * (`/api/v1/replication/lag-history`, sampled once a minute and kept by the registry, so the
 * chart is full as soon as the page opens), polled again every 30 s.
 */
import { Table, Text, Title } from '@mantine/core';
import { useMemo } from 'react';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import {
  type LagHistory,
  type PeerStatus,
  lagHistory,
  replicationRegions,
} from '../api/registry-views';
import { useLoad } from '../api/use-session';
import { LoadState } from '../components/load-state';
import { ReplicationsPanel } from '../components/replications-panel';
import { StateBadge } from '../components/state-badge';
import { formatBytes, formatDuration, formatTime } from '../format';

const pollMs = 3000;
const historyPollMs = 30_000;
const hourMs = 60 * 60 * 1000;
const colours = ['#1c5d99', '#c92a2a', '#2b8a3e', '#e67700', '#5f3dc4'];

type ChartPoint = { at: number } & Record<string, number>;

/** One point per sample time, a value per peer sampled then (Recharts' row-per-x shape). */
function chartPoints(history: LagHistory | undefined): ChartPoint[] {
  const byTime = new Map<number, ChartPoint>();
  for (const peer of history?.peers ?? []) {
    for (const sample of peer.samples) {
      const at = Date.parse(sample.time);
      const point = byTime.get(at) ?? ({ at } as ChartPoint);
      point[peer.region] = sample.lagMs;
      byTime.set(at, point);
    }
  }
  return [...byTime.values()].sort((a, b) => a.at - b.at);
}

export function RegionsPage() {
  const { data, error, loading } = useLoad('replication-regions', replicationRegions, pollMs);
  const history = useLoad('lag-history', (session) => lagHistory(session, 60), historyPollMs);
  const points = useMemo(() => chartPoints(history.data), [history.data]);
  // the chart spans the hour up to when the history arrived, however few samples it has
  const historyAt = useMemo(() => (history.data === undefined ? 0 : Date.now()), [history.data]);
  const sampleCount = points.length;
  // when the figures in the table arrived (each poll answers a new object)
  const updatedAt = useMemo(() => (data === undefined ? 0 : Date.now()), [data]);
  return (
    <>
      <Title order={1} size="h2" mb="md">
        Replication{data ? ` into ${data.region}` : ''}
      </Title>
      <ReplicationsPanel pollMs={pollMs} />
      <LoadState error={error} loading={loading && data === undefined} />
      {data !== undefined && (
        <>
          <Title order={2} size="h3" mb="xs">
            Links to the peers
          </Title>
          <Text size="sm" mb="xs" aria-live="polite">
            Updated {formatTime(new Date(updatedAt).toISOString())}, every {pollMs / 1000} s.
          </Text>
          <div className="portal-table-scroll">
            <Table striped aria-label="Peer regions">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Peer</Table.Th>
                  <Table.Th scope="col">Link</Table.Th>
                  <Table.Th scope="col">Events pending</Table.Th>
                  <Table.Th scope="col">Lag (oldest pending)</Table.Th>
                  <Table.Th scope="col">Copying</Table.Th>
                  <Table.Th scope="col">Last error</Table.Th>
                  <Table.Th scope="col">Anti-entropy</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.peers.map((peer) => (
                  <Table.Tr key={peer.region} data-peer={peer.region}>
                    <Table.Td>{peer.region}</Table.Td>
                    <Table.Td>
                      <StateBadge state={peer.connected ? 'connected' : 'disconnected'} />
                    </Table.Td>
                    <Table.Td>{peer.eventsPending}</Table.Td>
                    <Table.Td>{formatDuration(peer.oldestPendingAgeMs ?? 0)}</Table.Td>
                    <Table.Td>{formatBytes(peer.copyBytesPerSecond)}/s</Table.Td>
                    <Table.Td>
                      {peer.lastError ? `${peer.lastError} (${formatTime(peer.lastErrorAt)})` : '—'}
                    </Table.Td>
                    <Table.Td>{antiEntropyOf(peer)}</Table.Td>
                  </Table.Tr>
                ))}
                {data.peers.length === 0 && (
                  <Table.Tr>
                    <Table.Td colSpan={7}>This registry has one region.</Table.Td>
                  </Table.Tr>
                )}
              </Table.Tbody>
            </Table>
          </div>
          <Title order={2} size="h3" mt="lg" mb="xs">
            Lag over the last hour
          </Title>
          <LoadState error={history.error} loading={false} />
          <Text size="sm" mb="xs" data-testid="lag-samples">
            {sampleCount} {sampleCount === 1 ? 'sample' : 'samples'}
            {history.data ? `, one every ${history.data.sampleIntervalSeconds} s` : ''}
          </Text>
          <div
            className="portal-chart"
            role="img"
            aria-label="Line chart of each peer's replication lag over the last hour, as the registry sampled it; the table above has the current figures"
          >
            <ResponsiveContainer>
              <LineChart data={points} margin={{ left: 24 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis
                  dataKey="at"
                  type="number"
                  domain={[historyAt - hourMs, historyAt]}
                  tickFormatter={(at: number) => new Date(at).toISOString().slice(11, 16)}
                />
                <YAxis tickFormatter={(ms: number) => formatDuration(ms)} width={80} />
                <Tooltip
                  labelFormatter={(at) => new Date(Number(at)).toISOString().slice(11, 19)}
                  formatter={(ms) => formatDuration(Number(ms))}
                />
                <Legend />
                {data.peers.map((peer, index) => (
                  <Line
                    key={peer.region}
                    dataKey={peer.region}
                    name={peer.region}
                    stroke={colours[index % colours.length]}
                    dot={{ r: 2 }}
                    connectNulls={false}
                    isAnimationActive={false}
                  />
                ))}
              </LineChart>
            </ResponsiveContainer>
          </div>
        </>
      )}
    </>
  );
}

/** The running pass (backfill or continuous), or the last one: when, compared, repaired. */
function antiEntropyOf(peer: PeerStatus): string {
  const pass = peer.antiEntropy;
  if (pass === undefined) return '—';
  const counts = `${pass.repositoriesCompared} compared, ${pass.repaired} repaired`;
  if (pass.state === 'running') return `${pass.mode} running: ${counts}`;
  if (pass.lastError !== undefined) return `stopped: ${pass.lastError}`;
  return `${pass.lastPassAt ? formatTime(pass.lastPassAt) : '—'}: ${counts}`;
}
