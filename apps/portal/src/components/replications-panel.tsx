/**
 * The registry's regions (`/api/v1/replications`), polled with the rest of the Regions page:
 * each one's status as this region sees it (provisioning with its backfill's progress, ready,
 * degraded with the reason), its store and lag. Owners add a region by its filesystem store
 * (S3 stores: the CLI or the API) and remove one; the registry refuses the region called.
 */
import { Button, Group, Paper, Table, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import {
  type Replication,
  deleteReplication,
  listReplications,
  putReplication,
} from '../api/registry-views';
import { useAction } from '../api/use-action';
import { useLoad, useSession } from '../api/use-session';
import { formatDuration } from '../format';
import { ActionFailure } from './action-failure';
import { ConfirmButton } from './confirm-button';
import { LoadState } from './load-state';
import { StateBadge } from './state-badge';

export function ReplicationsPanel({ pollMs }: { pollMs: number }) {
  const session = useSession();
  const { data, error, loading, reload } = useLoad('replications', listReplications, pollMs);
  const action = useAction(reload);
  const [region, setRegion] = useState('');
  const [storagePath, setStoragePath] = useState('');
  const owner = session.mayManageIdentities;

  const add = (event: FormEvent) => {
    event.preventDefault();
    action.run('add', async () => {
      await putReplication(session, region.trim(), {
        storage: { type: 'filesystem', path: storagePath.trim() },
      });
      setRegion('');
      setStoragePath('');
    });
  };

  return (
    <>
      <Title order={2} size="h3" mb="xs">
        Replications
      </Title>
      {owner && (
        <Paper withBorder p="md" mb="md" component="form" onSubmit={add}>
          <Group align="flex-end">
            <TextInput
              label="Region"
              placeholder="ap-south"
              required
              value={region}
              onChange={(event) => setRegion(event.currentTarget.value)}
            />
            <TextInput
              label="Store directory"
              placeholder="/srv/meridian/ap-south/store"
              required
              value={storagePath}
              onChange={(event) => setStoragePath(event.currentTarget.value)}
            />
            <Button type="submit" loading={action.busy === 'add'}>
              Add region
            </Button>
          </Group>
        </Paper>
      )}
      <ActionFailure error={action.error} />
      <LoadState error={error} loading={loading && data === undefined} />
      {data !== undefined && (
        <div className="portal-table-scroll">
          <Table striped aria-label="Replications" mb="lg">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Region</Table.Th>
                <Table.Th scope="col">Status</Table.Th>
                <Table.Th scope="col">Why / progress</Table.Th>
                <Table.Th scope="col">Store</Table.Th>
                <Table.Th scope="col">Lag</Table.Th>
                {owner && <Table.Th scope="col">Change</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.map((replication) => (
                <Table.Tr key={replication.region} data-replication={replication.region}>
                  <Table.Td>
                    {replication.region}
                    {replication.local && (
                      <Text span size="sm" c="dimmed">
                        {' '}
                        (this region)
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <StateBadge state={replication.status} />
                  </Table.Td>
                  <Table.Td>{detailOf(replication)}</Table.Td>
                  <Table.Td>
                    <code>{storeOf(replication)}</code>
                  </Table.Td>
                  <Table.Td>
                    {replication.lagMs === undefined ? '—' : formatDuration(replication.lagMs)}
                  </Table.Td>
                  {owner && (
                    <Table.Td>
                      {!replication.local && (
                        <ConfirmButton
                          label={`Remove region ${replication.region}`}
                          loading={action.busy === `delete:${replication.region}`}
                          onConfirm={() =>
                            action.run(`delete:${replication.region}`, () =>
                              deleteReplication(session, replication.region),
                            )
                          }
                        >
                          Remove
                        </ConfirmButton>
                      )}
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
    </>
  );
}

function detailOf(replication: Replication): string {
  const progress = replication.provisioning;
  const counts = progress ? `${progress.compared} compared, ${progress.repaired} repaired` : '';
  return [replication.statusReason, counts].filter(Boolean).join(': ') || '—';
}

function storeOf({ storage }: Replication): string {
  return storage.type === 'filesystem'
    ? storage.path
    : `s3 ${storage.endpoint ?? ''} ${storage.bucket}`.replace(/\s+/g, ' ');
}
