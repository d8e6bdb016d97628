/**
 * A repository: its tags (with their locks; Owners and Contributors lock and unlock a tag
 * here) and its manifests (digest, size, platform, tags, times, quarantine state, locks),
 * sortable. Each digest opens the image page.
 */
import { Anchor, Button, Group, SegmentedControl, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import type { RegistrySession } from '../api/registry-session';
import {
  type ChangeableAttributes,
  type ManifestAttributes,
  listManifests,
  listTags,
  updateTag,
} from '../api/registry-views';
import { useLoad, useSession } from '../api/use-session';
import { LoadState } from '../components/load-state';
import { StateBadge } from '../components/state-badge';
import { formatBytes, formatTime, shortDigest } from '../format';

type Order = 'newest' | 'oldest' | 'largest';

const orders: Record<Order, (a: ManifestAttributes, b: ManifestAttributes) => number> = {
  newest: (a, b) => b.lastUpdateTime.localeCompare(a.lastUpdateTime),
  oldest: (a, b) => a.lastUpdateTime.localeCompare(b.lastUpdateTime),
  largest: (a, b) => b.imageSize - a.imageSize,
};

function locks(attributes: ChangeableAttributes): string {
  const held = [
    !attributes.writeEnabled && 'write',
    !attributes.deleteEnabled && 'delete',
    attributes.readEnabled === false && 'read',
  ].filter(Boolean);
  return held.length === 0 ? 'none' : `${held.join(', ')} locked`;
}

function imageLink(repository: string, reference: string): string {
  return `/image?${new URLSearchParams({ repository, reference })}`;
}

export function RepositoryPage() {
  const [params] = useSearchParams();
  const name = params.get('name') ?? '';
  const session = useSession();
  const [order, setOrder] = useState<Order>('newest');
  const [changing, setChanging] = useState<string | undefined>();
  const load = (current: RegistrySession) =>
    Promise.all([listTags(current, name), listManifests(current, name)]);
  const { data, error, loading, reload } = useLoad(`repository:${name}`, load);
  const [changeError, setChangeError] = useState<Error | undefined>();

  const toggleLock = (tag: string, locked: boolean) => {
    setChanging(tag);
    setChangeError(undefined);
    updateTag(session, name, tag, { writeEnabled: locked, deleteEnabled: locked })
      .then(reload)
      .catch((failure: Error) => setChangeError(failure))
      .finally(() => setChanging(undefined));
  };

  const [tags, manifests] = data ?? [[], []];
  return (
    <>
      <Text size="sm">
        <Anchor component={Link} to="/repositories">
          Repositories
        </Anchor>{' '}
        /
      </Text>
      <Title order={1} size="h2" mb="md">
        {name}
      </Title>
      <LoadState error={error ?? changeError} loading={loading && data === undefined} />
      {data !== undefined && (
        <>
          <Title order={2} size="h3" mt="md" mb="xs">
            Tags
          </Title>
          <div className="portal-table-scroll">
            <Table striped aria-label="Tags">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Tag</Table.Th>
                  <Table.Th scope="col">Digest</Table.Th>
                  <Table.Th scope="col">Updated</Table.Th>
                  <Table.Th scope="col">Locks</Table.Th>
                  {session.mayChange && <Table.Th scope="col">Change</Table.Th>}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {tags.map((tag) => {
                  const locked = !tag.changeableAttributes.writeEnabled;
                  return (
                    <Table.Tr key={tag.name}>
                      <Table.Td>
                        <Anchor component={Link} to={imageLink(name, tag.digest)}>
                          {tag.name}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>
                        <code>{shortDigest(tag.digest)}</code>
                      </Table.Td>
                      <Table.Td>{formatTime(tag.lastUpdateTime)}</Table.Td>
                      <Table.Td>{locks(tag.changeableAttributes)}</Table.Td>
                      {session.mayChange && (
                        <Table.Td>
                          <Button
                            size="xs"
                            variant="light"
                            loading={changing === tag.name}
                            onClick={() => toggleLock(tag.name, locked)}
                            aria-label={`${locked ? 'Unlock' : 'Lock'} tag ${tag.name}`}
                          >
                            {locked ? 'Unlock' : 'Lock'}
                          </Button>
                        </Table.Td>
                      )}
                    </Table.Tr>
                  );
                })}
                {tags.length === 0 && (
                  <Table.Tr>
                    <Table.Td colSpan={5}>No tags.</Table.Td>
                  </Table.Tr>
                )}
              </Table.Tbody>
            </Table>
          </div>
          <Group justify="space-between" mt="lg" mb="xs">
            <Title order={2} size="h3">
              Manifests
            </Title>
            <SegmentedControl
              aria-label="Order manifests"
              size="xs"
              value={order}
              onChange={(value) => setOrder(value as Order)}
              data={[
                { value: 'newest', label: 'Newest' },
                { value: 'oldest', label: 'Oldest' },
                { value: 'largest', label: 'Largest' },
              ]}
            />
          </Group>
          <div className="portal-table-scroll">
            <Table striped aria-label="Manifests">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Digest</Table.Th>
                  <Table.Th scope="col">Tags</Table.Th>
                  <Table.Th scope="col">Size</Table.Th>
                  <Table.Th scope="col">Platform</Table.Th>
                  <Table.Th scope="col">Created</Table.Th>
                  <Table.Th scope="col">Updated</Table.Th>
                  <Table.Th scope="col">Quarantine</Table.Th>
                  <Table.Th scope="col">Locks</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {[...manifests].sort(orders[order]).map((manifest) => (
                  <Table.Tr key={manifest.digest}>
                    <Table.Td>
                      <Anchor component={Link} to={imageLink(name, manifest.digest)}>
                        <code>{shortDigest(manifest.digest)}</code>
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{(manifest.tags ?? []).join(', ') || '—'}</Table.Td>
                    <Table.Td>{formatBytes(manifest.imageSize)}</Table.Td>
                    <Table.Td>
                      {manifest.os && manifest.architecture
                        ? `${manifest.os}/${manifest.architecture}`
                        : '—'}
                    </Table.Td>
                    <Table.Td>{formatTime(manifest.createdTime)}</Table.Td>
                    <Table.Td>{formatTime(manifest.lastUpdateTime)}</Table.Td>
                    <Table.Td>
                      {manifest.quarantineState ? (
                        <StateBadge state={manifest.quarantineState} />
                      ) : (
                        '—'
                      )}
                    </Table.Td>
                    <Table.Td>{locks(manifest.changeableAttributes)}</Table.Td>
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
