/**
 * Storage: this region's usage (`/api/v1/usage`: each region answers for itself, from the
 * totals its own transactions keep), the store's total against its quota, the retention
 * policy (shown to Owners, who alone may read it), and the size of each repository as a
 * chart and a table.
 */
import { Group, Paper, Table, Text, Title } from '@mantine/core';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { retentionSetting, usage } from '../api/registry-views';
import { useLoad } from '../api/use-session';
import { LoadState } from '../components/load-state';
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

export function StoragePage() {
  const { data, error, loading } = useLoad('usage', usage, 30_000);
  const retention = useLoad('retention', retentionSetting).data;
  const repositories = [...(data?.repositories ?? [])].sort((a, b) => b.sizeBytes - a.sizeBytes);
  return (
    <>
      <Title order={1} size="h2" mb="md">
        Storage{data ? ` in ${data.region}` : ''}
      </Title>
      <LoadState error={error} loading={loading && data === undefined} />
      {data !== undefined && (
        <>
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
          <Title order={2} size="h3" mb="xs">
            Size per repository
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
                <Bar dataKey="sizeBytes" name="Size" fill="#1c5d99" />
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
