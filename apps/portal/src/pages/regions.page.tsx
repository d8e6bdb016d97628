/**
 * Regions: this region's replication from each peer (`/api/v1/replication/regions`), polled
 * every few seconds with no reload: connected or not, events pending, the oldest pending
 * event's age (the lag), copy throughput, last error; and the lag per peer as a chart of
 * what this page has seen over the last hour.
 */
import { Table, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
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
import { replicationRegions } from '../api/registry-views';
import { useLoad } from '../api/use-session';
import { LoadState } from '../components/load-state';
import { StateBadge } from '../components/state-badge';
import { formatBytes, formatDuration, formatTime } from '../format';

const pollMs = 3000;
const historyMs = 60 * 60 * 1000;
const colours = ['#1c5d99', '#c92a2a', '#2b8a3e', '#e67700', '#5f3dc4'];

type Sample = { at: number } & Record<string, number>;

export function RegionsPage() {
  const { data, error, loading } = useLoad('replication-regions', replicationRegions, pollMs);
  const [history, setHistory] = useState<Sample[]>([]);
  useEffect(() => {
    if (data === undefined) return;
    const at = Date.now();
    const sample: Sample = { at } as Sample;
    for (const peer of data.peers) sample[peer.region] = peer.oldestPendingAgeMs ?? 0;
    setHistory((samples) => [...samples.filter((old) => old.at > at - historyMs), sample]);
  }, [data]);
  return (
    <>
      <Title order={1} size="h2" mb="md">
        Replication{data ? ` into ${data.region}` : ''}
      </Title>
      <LoadState error={error} loading={loading && data === undefined} />
      {data !== undefined && (
        <>
          <Text size="sm" mb="xs" aria-live="polite">
            Updated {formatTime(new Date(history.at(-1)?.at ?? Date.now()).toISOString())}, every{' '}
            {pollMs / 1000} s.
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
                  </Table.Tr>
                ))}
                {data.peers.length === 0 && (
                  <Table.Tr>
                    <Table.Td colSpan={6}>This registry has one region.</Table.Td>
                  </Table.Tr>
                )}
              </Table.Tbody>
            </Table>
          </div>
          <Title order={2} size="h3" mt="lg" mb="xs">
            Lag over the last hour
          </Title>
          <div
            className="portal-chart"
            role="img"
            aria-label="Line chart of each peer's replication lag while this page is open; the table above has the current figures"
          >
            <ResponsiveContainer>
              <LineChart data={history} margin={{ left: 24 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis
                  dataKey="at"
                  type="number"
                  domain={['dataMin', 'dataMax']}
                  tickFormatter={(at: number) => new Date(at).toISOString().slice(11, 19)}
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
                    dot={false}
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
