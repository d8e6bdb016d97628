/**
 * Repositories: every repository the identity may read (the catalog lists only those), with
 * tag count and last push (`/acr/v1/{name}`) and size in this region (`/api/v1/usage`, when
 * the identity may read usage). Searchable by name.
 */
import { Anchor, Table, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import type { RegistrySession } from '../api/registry-session';
import {
  type RepositoryAttributes,
  listRepositories,
  repositoryAttributes,
  usage,
} from '../api/registry-views';
import { useLoad } from '../api/use-session';
import { LoadState } from '../components/load-state';
import { formatBytes, formatTime } from '../format';

interface RepositoryRow {
  name: string;
  attributes?: RepositoryAttributes;
  sizeBytes?: number;
}

async function loadRepositories(session: RegistrySession): Promise<RepositoryRow[]> {
  const [names, sizes] = await Promise.all([
    listRepositories(session),
    usage(session).then(
      (answer) => new Map(answer.repositories.map((repository) => [repository.name, repository])),
      () => new Map<string, { sizeBytes: number }>(),
    ),
  ]);
  return Promise.all(
    names.map(async (name) => ({
      name,
      attributes: await repositoryAttributes(session, name).catch(() => undefined),
      sizeBytes: sizes.get(name)?.sizeBytes,
    })),
  );
}

export function RepositoriesPage() {
  const [search, setSearch] = useState('');
  const { data, error, loading } = useLoad('repositories', loadRepositories);
  const rows = (data ?? []).filter((row) => row.name.includes(search.trim()));
  return (
    <>
      <Title order={1} size="h2" mb="md">
        Repositories
      </Title>
      <TextInput
        label="Search repositories"
        placeholder="team/app"
        type="search"
        value={search}
        onChange={(event) => setSearch(event.currentTarget.value)}
        mb="md"
        maw={28 * 16}
      />
      <LoadState error={error} loading={loading && data === undefined} />
      {data !== undefined && (
        <div className="portal-table-scroll">
          <Table striped highlightOnHover aria-label="Repositories">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Name</Table.Th>
                <Table.Th scope="col">Tags</Table.Th>
                <Table.Th scope="col">Size</Table.Th>
                <Table.Th scope="col">Last push</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((row) => (
                <Table.Tr key={row.name}>
                  <Table.Td>
                    <Anchor
                      component={Link}
                      to={`/repository?${new URLSearchParams({ name: row.name })}`}
                    >
                      {row.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{row.attributes?.tagCount ?? '—'}</Table.Td>
                  <Table.Td>{formatBytes(row.sizeBytes)}</Table.Td>
                  <Table.Td>{formatTime(row.attributes?.lastUpdateTime)}</Table.Td>
                </Table.Tr>
              ))}
              {rows.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={4}>
                    {search ? 'No repository matches the search.' : 'No repositories yet.'}
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </div>
      )}
    </>
  );
}
