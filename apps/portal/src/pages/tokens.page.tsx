/**
 * Repository-scoped tokens (Owners only, `/api/v1/tokens`): the list with each token's scope
 * map, status and passwords; a form that creates a token bound to a scope map and generates
 * its first password; for each, enable or disable, a new password in either slot, and a
 * delete. A generated password is shown once, as the registry answers it once.
 */
import { Button, Group, NativeSelect, Paper, Table, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import {
  type PasswordInfo,
  createToken,
  deleteToken,
  generateTokenPassword,
  listScopeMaps,
  listTokens,
  setTokenStatus,
} from '../api/registry-views';
import { useAction } from '../api/use-action';
import { useLoad, useSession } from '../api/use-session';
import { ActionFailure } from '../components/action-failure';
import { ConfirmButton } from '../components/confirm-button';
import { LoadState } from '../components/load-state';
import { OwnersOnly } from '../components/owners-only';
import { ShownOnce } from '../components/shown-once';
import { StateBadge } from '../components/state-badge';
import { formatTime } from '../format';

function describePassword(password: PasswordInfo): string {
  return `password ${password.slot}: ${formatTime(password.createdAt)}${
    password.expiresAt ? `, expires ${formatTime(password.expiresAt)}` : ''
  }`;
}

function Tokens() {
  const session = useSession();
  const { data, error, loading, reload } = useLoad('tokens', listTokens);
  const scopeMaps = useLoad('scope-maps', listScopeMaps).data ?? [];
  const action = useAction(reload);
  const [shown, setShown] = useState<{ name: string; slot: number; value: string } | undefined>();
  const [name, setName] = useState('');
  const [scopeMap, setScopeMap] = useState('');
  const chosenMap = scopeMap || scopeMaps[0]?.name || '';

  const newPassword = async (token: string, slot: 1 | 2) => {
    const { password } = await generateTokenPassword(session, token, slot);
    setShown({ name: token, slot, value: password.value });
  };

  const create = (event: FormEvent) => {
    event.preventDefault();
    const token = name.trim();
    action.run('create', async () => {
      await createToken(session, token, chosenMap);
      await newPassword(token, 1);
      setName('');
    });
  };

  return (
    <>
      {shown && (
        <ShownOnce
          title={`Password ${shown.slot} of ${shown.name}`}
          username={shown.name}
          secret={shown.value}
          onDismiss={() => setShown(undefined)}
        />
      )}
      <Paper withBorder p="md" mb="lg" component="form" onSubmit={create}>
        <Title order={2} size="h4" mb="xs">
          New token
        </Title>
        <Group align="flex-end">
          <TextInput
            label="Token name"
            required
            value={name}
            onChange={(event) => setName(event.currentTarget.value)}
          />
          <NativeSelect
            label="Scope map"
            required
            value={chosenMap}
            data={scopeMaps.map((map) => map.name)}
            onChange={(event) => setScopeMap(event.currentTarget.value)}
          />
          <Button type="submit" loading={action.busy === 'create'} disabled={chosenMap === ''}>
            Create token
          </Button>
        </Group>
      </Paper>
      <ActionFailure error={action.error} />
      <LoadState error={error} loading={loading && data === undefined} />
      {data !== undefined && (
        <div className="portal-table-scroll">
          <Table striped aria-label="Tokens">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Name</Table.Th>
                <Table.Th scope="col">Scope map</Table.Th>
                <Table.Th scope="col">Status</Table.Th>
                <Table.Th scope="col">Passwords</Table.Th>
                <Table.Th scope="col">Change</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.map((token) => {
                const next = token.status === 'enabled' ? 'disabled' : 'enabled';
                return (
                  <Table.Tr key={token.name} data-token={token.name} data-status={token.status}>
                    <Table.Td>{token.name}</Table.Td>
                    <Table.Td>{token.scopeMap}</Table.Td>
                    <Table.Td className="portal-badge-cell">
                      <StateBadge state={token.status} />
                    </Table.Td>
                    <Table.Td>
                      {token.passwords.map(describePassword).join('; ') || 'none yet'}
                    </Table.Td>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Button
                          size="xs"
                          variant="default"
                          loading={action.busy === `status:${token.name}`}
                          aria-label={`${next === 'disabled' ? 'Disable' : 'Enable'} token ${token.name}`}
                          onClick={() =>
                            action.run(`status:${token.name}`, () =>
                              setTokenStatus(session, token.name, next),
                            )
                          }
                        >
                          {next === 'disabled' ? 'Disable' : 'Enable'}
                        </Button>
                        {([1, 2] as const).map((slot) => (
                          <Button
                            key={slot}
                            size="xs"
                            variant="default"
                            loading={action.busy === `password:${token.name}:${slot}`}
                            aria-label={`New password ${slot} for token ${token.name}`}
                            onClick={() =>
                              action.run(`password:${token.name}:${slot}`, () =>
                                newPassword(token.name, slot),
                              )
                            }
                          >
                            New password {slot}
                          </Button>
                        ))}
                        <ConfirmButton
                          label={`Delete token ${token.name}`}
                          loading={action.busy === `delete:${token.name}`}
                          onConfirm={() =>
                            action.run(`delete:${token.name}`, () =>
                              deleteToken(session, token.name),
                            )
                          }
                        >
                          Delete
                        </ConfirmButton>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
              {data.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={5}>No tokens.</Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </div>
      )}
    </>
  );
}

export function TokensPage() {
  return (
    <>
      <Title order={1} size="h2" mb="md">
        Tokens
      </Title>
      <OwnersOnly what="Tokens">
        <Tokens />
      </OwnersOnly>
    </>
  );
}
