/**
 * Cache rules (Owners and Contributors, `/api/v1/cache-rules`): which repositories of the
 * registry are a pull-through cache of which upstream, with the credential set and tag TTL
 * each uses; a form that creates or replaces a rule (the registry checks it: a source with
 * its host, both ends `/*` or neither, a known credential set, no overlapping target, and
 * the page shows its refusal), and a delete (what a rule cached stays).
 */
import { Alert, Button, Group, Paper, Stack, Table, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { deleteCacheRule, listCacheRules, putCacheRule } from '../api/registry-views';
import { useAction } from '../api/use-action';
import { useLoad, useSession } from '../api/use-session';
import { ActionFailure } from '../components/action-failure';
import { ConfirmButton } from '../components/confirm-button';
import { LoadState } from '../components/load-state';
import { formatTime } from '../format';

function CacheRules() {
  const session = useSession();
  const { data, error, loading, reload } = useLoad('cache-rules', listCacheRules);
  const action = useAction(reload);
  const [name, setName] = useState('');
  const [source, setSource] = useState('');
  const [target, setTarget] = useState('');
  const [credentialSet, setCredentialSet] = useState('');
  const [tagTtl, setTagTtl] = useState('1h');

  const save = (event: FormEvent) => {
    event.preventDefault();
    action.run('save', async () => {
      await putCacheRule(session, name.trim(), {
        source: source.trim(),
        target: target.trim(),
        ...(credentialSet.trim() ? { credentialSet: credentialSet.trim() } : {}),
        tagTtl: tagTtl.trim(),
      });
      setName('');
      setSource('');
      setTarget('');
      setCredentialSet('');
    });
  };

  return (
    <>
      <Paper withBorder p="md" mb="lg" component="form" onSubmit={save}>
        <Title order={2} size="h4" mb="xs">
          New cache rule (or replace one of the same name)
        </Title>
        <Stack gap="sm">
          <Group align="flex-end">
            <TextInput
              label="Rule name"
              required
              value={name}
              onChange={(event) => setName(event.currentTarget.value)}
            />
            <TextInput
              label="Source"
              placeholder="registry-1.docker.io/library/*"
              required
              value={source}
              onChange={(event) => setSource(event.currentTarget.value)}
            />
            <TextInput
              label="Target"
              placeholder="hub/library/*"
              required
              value={target}
              onChange={(event) => setTarget(event.currentTarget.value)}
            />
          </Group>
          <Group align="flex-end">
            <TextInput
              label="Credential set"
              placeholder="(anonymous)"
              value={credentialSet}
              onChange={(event) => setCredentialSet(event.currentTarget.value)}
            />
            <TextInput
              label="Tag TTL"
              required
              value={tagTtl}
              onChange={(event) => setTagTtl(event.currentTarget.value)}
            />
            <Button type="submit" loading={action.busy === 'save'}>
              Save cache rule
            </Button>
          </Group>
        </Stack>
      </Paper>
      <ActionFailure error={action.error} />
      <LoadState error={error} loading={loading && data === undefined} />
      {data !== undefined && (
        <div className="portal-table-scroll">
          <Table striped aria-label="Cache rules">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Name</Table.Th>
                <Table.Th scope="col">Source</Table.Th>
                <Table.Th scope="col">Target</Table.Th>
                <Table.Th scope="col">Credential set</Table.Th>
                <Table.Th scope="col">Tag TTL</Table.Th>
                <Table.Th scope="col">Updated</Table.Th>
                <Table.Th scope="col">Change</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.map((rule) => (
                <Table.Tr key={rule.name} data-cache-rule={rule.name}>
                  <Table.Td>{rule.name}</Table.Td>
                  <Table.Td>
                    <code>{rule.source}</code>
                  </Table.Td>
                  <Table.Td>
                    <code>{rule.target}</code>
                  </Table.Td>
                  <Table.Td>{rule.credentialSet ?? '—'}</Table.Td>
                  <Table.Td>{rule.tagTtl}</Table.Td>
                  <Table.Td>{formatTime(rule.updatedTime)}</Table.Td>
                  <Table.Td>
                    <ConfirmButton
                      label={`Delete cache rule ${rule.name}`}
                      loading={action.busy === `delete:${rule.name}`}
                      onConfirm={() =>
                        action.run(`delete:${rule.name}`, () => deleteCacheRule(session, rule.name))
                      }
                    >
                      Delete
                    </ConfirmButton>
                  </Table.Td>
                </Table.Tr>
              ))}
              {data.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={7}>No cache rules.</Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </div>
      )}
    </>
  );
}

export function CacheRulesPage() {
  const session = useSession();
  return (
    <>
      <Title order={1} size="h2" mb="md">
        Cache rules
      </Title>
      {session.mayChange ? (
        <CacheRules />
      ) : (
        <Alert color="blue" mb="md">
          Cache rules are shown to Owners and Contributors; your identity only reads the registry.
        </Alert>
      )}
    </>
  );
}
