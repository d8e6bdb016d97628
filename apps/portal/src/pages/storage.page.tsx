/**
 * Storage: the usage of every region of the registry (`/api/v1/usage/regions`: this region's
 * gateway asks each peer's services across the region link; each answers from the totals its
 * own transactions keep, and one that does not answer in time is shown unavailable) as a
 * chart and a table; then this region's store against its quota, the retention policy (shown
 * to Owners, who alone may read it), and the size of each repository here as a chart and a
 * table.
 */
import { Group, Paper, Table, Text, Title } from '@mantine/core';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { type RegionUsage, retentionSetting, usageOfRegions } from '../api/registry-views';
import { useLoad } from '../api/use-session';
import { LoadState } from '../components/load-state';
import { StateBadge } from '../components/state-badge';
import { formatBytes } from '../format';

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <Paper withBorder p="sm" miw={10 * 16}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700}>{value}</Text>
    </Paper>
  );
}

function RegionsUsage({ regions }: { regions: RegionUsage[] }) {
  const chart = regions.map((region) => ({
    region: region.region,
    bytes: region.available ? region.bytes : 0,
  }));
  return (
    <>
      <Title order={2} size="h3" mb="xs">
        Usage per region
      </Title>
      <div
        className="portal-chart portal-chart-small"
        role="img"
        aria-label={`Bar chart of the bytes stored in each of the ${regions.length} regions; the table beside has the same figures`}
      >
        <ResponsiveContainer>
          <BarChart data={chart} margin={{ left: 24 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="region" />
            <YAxis tickFormatter={(value: number) => formatBytes(value)} width={80} />
            <Tooltip formatter={(value) => formatBytes(Number(value))} />
            <Bar dataKey="bytes" name="Stored" fill="#2b8a3e" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <div className="portal-table-scroll">
        <Table striped aria-label="Usage per region" mb="lg">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Region</Table.Th>
              <Table.Th scope="col">State</Table.Th>
              <Table.Th scope="col">Stored</Table.Th>
              <Table.Th scope="col">Quota</Table.Th>
              <Table.Th scope="col">Blobs</Table.Th>
              <Table.Th scope="col">Manifests</Table.Th>
              <Table.Th scope="col">Repositories</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {regions.map((region) =>
              region.available ? (
                <Table.Tr key={region.region} data-region={region.region}>
                  <Table.Td>{region.region}</Table.Td>
                  <Table.Td>
                    <StateBadge state="available" />
                  </Table.Td>
                  <Table.Td>{formatBytes(region.bytes)}</Table.Td>
                  <Table.Td>{region.quotaBytes ? formatBytes(region.quotaBytes) : 'none'}</Table.Td>
                  <Table.Td>{region.blobCount}</Table.Td>
                  <Table.Td>{region.manifestCount}</Table.Td>
                  <Table.Td>{region.repositories.length}</Table.Td>
                </Table.Tr>
              ) : (
                <Table.Tr key={region.region} data-region={region.region}>
                  <Table.Td>{region.region}</Table.Td>
                  <Table.Td>
                    <StateBadge state="unavailable" />
                  </Table.Td>
                  <Table.Td colSpan={5}>{region.error}</Table.Td>
                </Table.Tr>
              ),
            )}
          </Table.Tbody>
        </Table>
      </div>
    </>
  );
}

export function StoragePage() {
  const { data: regions, error, loading } = useLoad('usage-regions', usageOfRegions, 30_000);
  const retention = useLoad('retention', retentionSetting).data;
  // this region answers first; its repositories are charted below
  const here = regions?.[0];
  const data = here?.available ? here : undefined;
  const repositories = [...(data?.repositories ?? [])].sort((a, b) => b.sizeBytes - a.sizeBytes);
  return (
    <>
      <Title order={1} size="h2" mb="md">
        Storage
      </Title>
      <LoadState error={error} loading={loading && regions === undefined} />
      {regions !== undefined && <RegionsUsage regions={regions} />}
      {data !== undefined && (
        <>
          <Title order={2} size="h3" mb="xs">
            In {data.region}
          </Title>
          <Group mb="md">
            <Figure label="Stored" value={formatBytes(data.bytes)} />
            <Figure label="Quota" value={data.quotaBytes ? formatBytes(data.quotaBytes) : 'none'} />
            <Figure label="Blobs" value={String(data.blobCount)} />
            <Figure label="Manifests" value={String(data.manifestCount)} />
            {retention !== undefined && (
              <Figure
                label="Retention of untagged manifests"
                value={retention.enabled ? `after ${retention.days} days` : 'off'}
              />
            )}
          </Group>
          <Title order={3} size="h4" mb="xs">
            Size per repository in {data.region}
          </Title>
          <div
            className="portal-chart"
            role="img"
            aria-label={`Bar chart of the size of the ${repositories.length} largest repositories; the table below has the same figures`}
          >
            <ResponsiveContainer>
              <BarChart data={repositories.slice(0, 20)} margin={{ left: 24, bottom: 8 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="name" interval={0} angle={-20} textAnchor="end" height={60} />
                <YAxis tickFormatter={(value: number) => formatBytes(value)} width={80} />
                <Tooltip formatter={(value) => formatBytes(Number(value))} />
                <Bar dataKey="sizeBytes" name="Size" fill="#1c5d99" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
          <div className="portal-table-scroll">
            <Table striped aria-label="Usage per repository">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Repository</Table.Th>
                  <Table.Th scope="col">Size</Table.Th>
                  <Table.Th scope="col">Uploaded</Table.Th>
                  <Table.Th scope="col">Quota</Table.Th>
                  <Table.Th scope="col">Manifests</Table.Th>
                  <Table.Th scope="col">Tags</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {repositories.map((repository) => (
                  <Table.Tr key={repository.name}>
                    <Table.Td>{repository.name}</Table.Td>
                    <Table.Td>{formatBytes(repository.sizeBytes)}</Table.Td>
                    <Table.Td>{formatBytes(repository.uploadedBytes)}</Table.Td>
                    <Table.Td>
                      {repository.quotaBytes ? formatBytes(repository.quotaBytes) : 'none'}
                    </Table.Td>
                    <Table.Td>{repository.manifestCount}</Table.Td>
                    <Table.Td>{repository.tagCount}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </div>
        </>
      )}
    </>
  );
}
