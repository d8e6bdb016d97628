/**
 * An image: where it is ready (a row per region, polled every few seconds), its pull
 * command, layers with their sizes (or, for an index, its platforms), the config's
 * entrypoint, environment and labels, its referrers (SBOM, scan report, signatures) and its
 * scan's findings by severity.
 */
import { Anchor, Code, Group, Table, Text, Title } from '@mantine/core';
import { Link, useSearchParams } from 'react-router-dom';
import type { RegistrySession } from '../api/registry-session';
import {
  type ImageConfig,
  imageConfig,
  imageManifest,
  referrers,
  replicationStatus,
} from '../api/registry-views';
import { useLoad } from '../api/use-session';
import { LoadState } from '../components/load-state';
import { ScanFindings } from '../components/scan-findings';
import { StateBadge } from '../components/state-badge';
import { formatBytes, formatDuration, formatTime, shortDigest } from '../format';

const regionPollMs = 3000;

async function loadImage(session: RegistrySession, repository: string, reference: string) {
  const { digest, manifest } = await imageManifest(session, repository, reference);
  const [config, referring] = await Promise.all([
    manifest.config && manifest.config.mediaType.endsWith('config.v1+json')
      ? imageConfig(session, repository, manifest.config.digest).catch(() => undefined)
      : Promise.resolve<ImageConfig | undefined>(undefined),
    referrers(session, repository, digest).catch(() => []),
  ]);
  return { digest, manifest, config, referrers: referring };
}

function RegionsRow({ repository, digest }: { repository: string; digest: string }) {
  const { data, error } = useLoad(
    `regions:${repository}@${digest}`,
    (session) => replicationStatus(session, repository, digest),
    regionPollMs,
  );
  return (
    <section aria-labelledby="regions-title">
      <Title order={2} size="h3" mt="lg" mb="xs" id="regions-title">
        Regions
      </Title>
      <LoadState error={error} loading={data === undefined && error === undefined} />
      {data !== undefined && (
        <div className="portal-table-scroll">
          <Table aria-label="Readiness per region">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Region</Table.Th>
                <Table.Th scope="col">State</Table.Th>
                <Table.Th scope="col">Since</Table.Th>
                <Table.Th scope="col">Lag</Table.Th>
                <Table.Th scope="col">Last error</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.map((region) => (
                <Table.Tr key={region.region} data-region={region.region}>
                  <Table.Td>{region.region}</Table.Td>
                  <Table.Td>
                    <StateBadge state={region.state} />
                  </Table.Td>
                  <Table.Td>{formatTime(region.since)}</Table.Td>
                  <Table.Td>{formatDuration(region.lagMs)}</Table.Td>
                  <Table.Td>{region.lastError ?? '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
    </section>
  );
}

function KeyValues({ label, entries }: { label: string; entries: [string, string][] }) {
  if (entries.length === 0) return <Text size="sm">none</Text>;
  return (
    <Table aria-label={label} withRowBorders={false}>
      <Table.Tbody>
        {entries.map(([key, value]) => (
          <Table.Tr key={key}>
            <Table.Th scope="row">
              <code>{key}</code>
            </Table.Th>
            <Table.Td>
              <code>{value}</code>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function ImagePage() {
  const [params] = useSearchParams();
  const repository = params.get('repository') ?? '';
  const reference = params.get('reference') ?? '';
  const { data, error, loading } = useLoad(`image:${repository}@${reference}`, (session) =>
    loadImage(session, repository, reference),
  );
  const settings = data?.config?.config;
  const env = (settings?.Env ?? []).map((line): [string, string] => {
    const at = line.indexOf('=');
    return at < 0 ? [line, ''] : [line.slice(0, at), line.slice(at + 1)];
  });
  return (
    <>
      <Text size="sm">
        <Anchor component={Link} to="/repositories">
          Repositories
        </Anchor>{' '}
        /{' '}
        <Anchor component={Link} to={`/repository?${new URLSearchParams({ name: repository })}`}>
          {repository}
        </Anchor>{' '}
        /
      </Text>
      <Title order={1} size="h2" mb="md">
        {repository}@{shortDigest(data?.digest ?? reference)}
      </Title>
      <LoadState error={error} loading={loading && data === undefined} />
      {data !== undefined && (
        <>
          <Text fw={600}>Pull command</Text>
          <Code block data-testid="pull-command">
            {`docker pull ${window.location.host}/${repository}@${data.digest}`}
          </Code>
          <RegionsRow repository={repository} digest={data.digest} />
          {data.manifest.layers !== undefined && (
            <section aria-labelledby="layers-title">
              <Title order={2} size="h3" mt="lg" mb="xs" id="layers-title">
                Layers
              </Title>
              <div className="portal-table-scroll">
                <Table striped aria-label="Layers">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">#</Table.Th>
                      <Table.Th scope="col">Digest</Table.Th>
                      <Table.Th scope="col">Media type</Table.Th>
                      <Table.Th scope="col">Size</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.manifest.layers.map((layer, index) => (
                      <Table.Tr key={`${index}-${layer.digest}`}>
                        <Table.Td>{index + 1}</Table.Td>
                        <Table.Td>
                          <code>{shortDigest(layer.digest)}</code>
                        </Table.Td>
                        <Table.Td>{layer.mediaType}</Table.Td>
                        <Table.Td>{formatBytes(layer.size)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </div>
            </section>
          )}
          {data.manifest.manifests !== undefined && (
            <section aria-labelledby="platforms-title">
              <Title order={2} size="h3" mt="lg" mb="xs" id="platforms-title">
                Platforms
              </Title>
              <Table striped aria-label="Platforms">
                <Table.Tbody>
                  {data.manifest.manifests.map((child) => (
                    <Table.Tr key={child.digest}>
                      <Table.Td>
                        {child.platform
                          ? `${child.platform.os}/${child.platform.architecture}${child.platform.variant ? `/${child.platform.variant}` : ''}`
                          : '—'}
                      </Table.Td>
                      <Table.Td>
                        <Anchor
                          component={Link}
                          to={`/image?${new URLSearchParams({ repository, reference: child.digest })}`}
                        >
                          <code>{shortDigest(child.digest)}</code>
                        </Anchor>
                      </Table.Td>
                      <Table.Td>{formatBytes(child.size)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </section>
          )}
          {data.config !== undefined && (
            <section aria-labelledby="config-title">
              <Title order={2} size="h3" mt="lg" mb="xs" id="config-title">
                Configuration
              </Title>
              <Group gap="xl">
                <Text size="sm">
                  Platform: {data.config.os ?? '—'}/{data.config.architecture ?? '—'}
                </Text>
                <Text size="sm">Created: {formatTime(data.config.created)}</Text>
              </Group>
              <Text fw={600} mt="sm">
                Entrypoint
              </Text>
              <Code data-testid="entrypoint">{JSON.stringify(settings?.Entrypoint ?? null)}</Code>
              <Text fw={600} mt="sm">
                Command
              </Text>
              <Code>{JSON.stringify(settings?.Cmd ?? null)}</Code>
              <Text fw={600} mt="sm">
                Environment
              </Text>
              <KeyValues label="Environment" entries={env} />
              <Text fw={600} mt="sm">
                Labels
              </Text>
              <KeyValues label="Labels" entries={Object.entries(settings?.Labels ?? {})} />
            </section>
          )}
          <section aria-labelledby="referrers-title">
            <Title order={2} size="h3" mt="lg" mb="xs" id="referrers-title">
              Referrers
            </Title>
            {data.referrers.length === 0 ? (
              <Text size="sm">none</Text>
            ) : (
              <Table striped aria-label="Referrers">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Artifact type</Table.Th>
                    <Table.Th scope="col">Digest</Table.Th>
                    <Table.Th scope="col">Size</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.referrers.map((referrer) => (
                    <Table.Tr key={referrer.digest}>
                      <Table.Td>{referrer.artifactType ?? referrer.mediaType}</Table.Td>
                      <Table.Td>
                        <Anchor
                          component={Link}
                          to={`/image?${new URLSearchParams({ repository, reference: referrer.digest })}`}
                        >
                          <code>{shortDigest(referrer.digest)}</code>
                        </Anchor>
                      </Table.Td>
                      <Table.Td>{formatBytes(referrer.size)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </section>
          <ScanFindings repository={repository} digest={data.digest} />
        </>
      )}
    </>
  );
}
