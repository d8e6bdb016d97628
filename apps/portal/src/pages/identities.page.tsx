/**
 * Identities: the service principals (Owners only, `/api/v1/service-principals`): the list with roles, a form
 * that creates one with its roles, and for each a secret reset and a delete. A new or reset
 * secret is shown once, as the registry answers it once.
 */
import { Button, Checkbox, Group, Paper, Stack, Table, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import {
  createServicePrincipal,
  deleteServicePrincipal,
  listServicePrincipals,
  resetServicePrincipalSecret,
  roleNames,
} from '../api/registry-views';
import { useAction } from '../api/use-action';
import { useLoad, useSession } from '../api/use-session';
import { ActionFailure } from '../components/action-failure';
import { ConfirmButton } from '../components/confirm-button';
import { LoadState } from '../components/load-state';
import { OwnersOnly } from '../components/owners-only';
import { ShownOnce } from '../components/shown-once';
import { formatTime } from '../format';

function ServicePrincipals() {
  const session = useSession();
  const { data, error, loading, reload } = useLoad('service-principals', listServicePrincipals);
  const action = useAction(reload);
  const [secret, setSecret] = useState<{ id: string; secret: string } | undefined>();
  const [id, setId] = useState('');
  const [description, setDescription] = useState('');
  const [roles, setRoles] = useState<string[]>(['Reader']);

  const create = (event: FormEvent) => {
    event.preventDefault();
    action.run('create', async () => {
      const created = await createServicePrincipal(session, id.trim(), {
        ...(description.trim() ? { description: description.trim() } : {}),
        roles,
      });
      if (created.secret) setSecret({ id: created.id, secret: created.secret });
      setId('');
      setDescription('');
    });
  };

  return (
    <>
      {secret && (
        <ShownOnce
          title={`Secret of ${secret.id}`}
          username={secret.id}
          secret={secret.secret}
          onDismiss={() => setSecret(undefined)}
        />
      )}
      <Paper withBorder p="md" mb="lg" component="form" onSubmit={create}>
        <Title order={2} size="h4" mb="xs">
          New service principal
        </Title>
        <Stack gap="sm">
          <Group align="flex-end">
            <TextInput
              label="Principal name"
              required
              value={id}
              onChange={(event) => setId(event.currentTarget.value)}
            />
            <TextInput
              label="Description"
              value={description}
              onChange={(event) => setDescription(event.currentTarget.value)}
            />
          </Group>
          <Checkbox.Group label="Roles" value={roles} onChange={setRoles}>
            <Group gap="sm" mt={4}>
              {roleNames.map((role) => (
                <Checkbox key={role} value={role} label={role} />
              ))}
            </Group>
          </Checkbox.Group>
          <Button type="submit" w="fit-content" loading={action.busy === 'create'}>
            Create service principal
          </Button>
        </Stack>
      </Paper>
      <ActionFailure error={action.error} />
      <LoadState error={error} loading={loading && data === undefined} />
      {data !== undefined && (
        <div className="portal-table-scroll">
          <Table striped aria-label="Service principals">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Name</Table.Th>
                <Table.Th scope="col">Description</Table.Th>
                <Table.Th scope="col">Roles</Table.Th>
                <Table.Th scope="col">Created</Table.Th>
                <Table.Th scope="col">Change</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.map((principal) => (
                <Table.Tr key={principal.id} data-principal={principal.id}>
                  <Table.Td>{principal.id}</Table.Td>
                  <Table.Td>{principal.description ?? '—'}</Table.Td>
                  <Table.Td>{principal.roles.join(', ') || '—'}</Table.Td>
                  <Table.Td>{formatTime(principal.createdAt)}</Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      <Button
                        size="xs"
                        variant="default"
                        loading={action.busy === `reset:${principal.id}`}
                        aria-label={`Reset the secret of ${principal.id}`}
                        onClick={() =>
                          action.run(`reset:${principal.id}`, async () =>
                            setSecret(await resetServicePrincipalSecret(session, principal.id)),
                          )
                        }
                      >
                        Reset secret
                      </Button>
                      <ConfirmButton
                        label={`Delete service principal ${principal.id}`}
                        loading={action.busy === `delete:${principal.id}`}
                        onConfirm={() =>
                          action.run(`delete:${principal.id}`, () =>
                            deleteServicePrincipal(session, principal.id),
                          )
                        }
                      >
                        Delete
                      </ConfirmButton>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
              {data.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={5}>No service principals.</Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </div>
      )}
    </>
  );
}

export function IdentitiesPage() {
  return (
    <>
      <Title order={1} size="h2" mb="md">
        Identities
      </Title>
      <OwnersOnly what="Identities">
        <ServicePrincipals />
      </OwnersOnly>
    </>
  );
}
