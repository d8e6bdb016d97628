/**
 * Scope maps (Owners only, `/api/v1/scope-maps`): the list with each map's rules (a
 * repository name or pattern and the actions a token bound to the map may take there), a
 * form that creates or replaces a map with one or more rules, and a delete (the registry
 * refuses it while a token uses the map, and the page says so).
 */
import { Button, Checkbox, Group, Paper, Stack, Table, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import {
  type ScopeMapRule,
  deleteScopeMap,
  listScopeMaps,
  putScopeMap,
  scopeMapActions,
} from '../api/registry-views';
import { useAction } from '../api/use-action';
import { useLoad, useSession } from '../api/use-session';
import { ActionFailure } from '../components/action-failure';
import { ConfirmButton } from '../components/confirm-button';
import { LoadState } from '../components/load-state';
import { OwnersOnly } from '../components/owners-only';
import { formatTime } from '../format';

const emptyRule = (): ScopeMapRule => ({ repository: '', actions: ['content/read'] });

function ScopeMaps() {
  const session = useSession();
  const { data, error, loading, reload } = useLoad('scope-maps', listScopeMaps);
  const action = useAction(reload);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [rules, setRules] = useState<ScopeMapRule[]>([emptyRule()]);
  const setRule = (index: number, rule: ScopeMapRule) =>
    setRules((current) => current.map((old, at) => (at === index ? rule : old)));

  const save = (event: FormEvent) => {
    event.preventDefault();
    action.run('save', async () => {
      await putScopeMap(session, name.trim(), {
        ...(description.trim() ? { description: description.trim() } : {}),
        rules: rules.map((rule) => ({ ...rule, repository: rule.repository.trim() })),
      });
      setName('');
      setDescription('');
      setRules([emptyRule()]);
    });
  };

  return (
    <>
      <Paper withBorder p="md" mb="lg" component="form" onSubmit={save}>
        <Title order={2} size="h4" mb="xs">
          New scope map (or replace one of the same name)
        </Title>
        <Stack gap="sm">
          <Group align="flex-end">
            <TextInput
              label="Scope map name"
              required
              value={name}
              onChange={(event) => setName(event.currentTarget.value)}
            />
            <TextInput
              label="Description"
              value={description}
              onChange={(event) => setDescription(event.currentTarget.value)}
            />
          </Group>
          {rules.map((rule, index) => (
            <Group key={index} align="flex-end" aria-label={`Rule ${index + 1}`} role="group">
              <TextInput
                label={`Repository or pattern, rule ${index + 1}`}
                placeholder="team-a/*"
                required
                value={rule.repository}
                onChange={(event) =>
                  setRule(index, { ...rule, repository: event.currentTarget.value })
                }
              />
              <Checkbox.Group
                label={`Actions, rule ${index + 1}`}
                value={rule.actions}
                onChange={(actions) => setRule(index, { ...rule, actions })}
              >
                <Group gap="sm" mt={4}>
                  {scopeMapActions.map((actionName) => (
                    <Checkbox key={actionName} value={actionName} label={actionName} />
                  ))}
                </Group>
              </Checkbox.Group>
              {rules.length > 1 && (
                <Button
                  size="xs"
                  variant="default"
                  aria-label={`Remove rule ${index + 1}`}
                  onClick={() => setRules((current) => current.filter((_, at) => at !== index))}
                >
                  Remove
                </Button>
              )}
            </Group>
          ))}
          <Group>
            <Button
              variant="default"
              onClick={() => setRules((current) => [...current, emptyRule()])}
            >
              Add rule
            </Button>
            <Button type="submit" loading={action.busy === 'save'}>
              Save scope map
            </Button>
          </Group>
        </Stack>
      </Paper>
      <ActionFailure error={action.error} />
      <LoadState error={error} loading={loading && data === undefined} />
      {data !== undefined && (
        <div className="portal-table-scroll">
          <Table striped aria-label="Scope maps">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Name</Table.Th>
                <Table.Th scope="col">Description</Table.Th>
                <Table.Th scope="col">Rules</Table.Th>
                <Table.Th scope="col">Updated</Table.Th>
                <Table.Th scope="col">Change</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.map((map) => (
                <Table.Tr key={map.name} data-scope-map={map.name}>
                  <Table.Td>{map.name}</Table.Td>
                  <Table.Td>{map.description ?? '—'}</Table.Td>
                  <Table.Td>
                    {map.rules.map((rule) => (
                      <div key={rule.repository}>
                        <code>{rule.repository}</code>: {rule.actions.join(', ')}
                      </div>
                    ))}
                  </Table.Td>
                  <Table.Td>{formatTime(map.updatedAt)}</Table.Td>
                  <Table.Td>
                    <ConfirmButton
                      label={`Delete scope map ${map.name}`}
                      loading={action.busy === `delete:${map.name}`}
                      onConfirm={() =>
                        action.run(`delete:${map.name}`, () => deleteScopeMap(session, map.name))
                      }
                    >
                      Delete
                    </ConfirmButton>
                  </Table.Td>
                </Table.Tr>
              ))}
              {data.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={5}>No scope maps.</Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </div>
      )}
    </>
  );
}

export function ScopeMapsPage() {
  return (
    <>
      <Title order={1} size="h2" mb="md">
        Scope maps
      </Title>
      <OwnersOnly what="Scope maps">
        <ScopeMaps />
      </OwnersOnly>
    </>
  );
}
