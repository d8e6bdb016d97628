/**
 * An image's scan (`/api/v1/scans/{repository}/{digest}`): the counts by severity, the
 * quarantine state (and, for Owners, whether the registry quarantines pushes), and each finding with its package, installed and fixed versions and a
 * link to the advisory. Polled until a report exists (a fresh push is scanned in seconds).
 */
import { Anchor, Group, Table, Text, Title } from '@mantine/core';
import { ApiError } from '../api/registry-session';
import { quarantineSetting, scanReport } from '../api/registry-views';
import { useLoad } from '../api/use-session';
import { LoadState } from './load-state';
import { StateBadge } from './state-badge';

const severityOrder = ['critical', 'high', 'medium', 'low', 'unknown'];

function rank(severity: string): number {
  const index = severityOrder.indexOf(severity.toLowerCase());
  return index < 0 ? severityOrder.length : index;
}

export function ScanFindings({ repository, digest }: { repository: string; digest: string }) {
  const { data, error } = useLoad(
    `scan:${repository}@${digest}`,
    (session) => scanReport(session, repository, digest),
    5000,
  );
  const quarantine = useLoad('quarantine-setting', quarantineSetting).data;
  const notScanned = error instanceof ApiError && error.status === 404;
  const findings = (data?.images ?? [])
    .flatMap((image) => image.findings)
    .sort((a, b) => rank(a.severity) - rank(b.severity) || a.id.localeCompare(b.id));
  return (
    <section aria-labelledby="scan-title">
      <Title order={2} size="h3" mt="lg" mb="xs" id="scan-title">
        Scan
      </Title>
      {notScanned ? (
        <Text size="sm">Not scanned yet.</Text>
      ) : (
        <LoadState error={error} loading={data === undefined && error === undefined} />
      )}
      {data !== undefined && (
        <>
          <Group gap="sm" mb="sm" aria-label="Findings by severity">
            <Text size="sm">Quarantine:</Text>
            <StateBadge state={data.quarantineState} />
            {quarantine !== undefined && (
              <Text size="sm" data-testid="quarantine-setting">
                (pushes {quarantine.enabled ? 'are' : 'are not'} quarantined until scanned)
              </Text>
            )}
            {Object.entries(data.findings)
              .sort(([a], [b]) => rank(a) - rank(b))
              .map(([severity, count]) => (
                <Text size="sm" key={severity} data-testid={`severity-${severity}`}>
                  {severity}: {count}
                </Text>
              ))}
          </Group>
          {data.quarantineDetails && <Text size="sm">{data.quarantineDetails}</Text>}
          <div className="portal-table-scroll">
            <Table striped aria-label="Findings">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Severity</Table.Th>
                  <Table.Th scope="col">Advisory</Table.Th>
                  <Table.Th scope="col">Package</Table.Th>
                  <Table.Th scope="col">Installed</Table.Th>
                  <Table.Th scope="col">Fixed in</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {findings.map((finding) => (
                  <Table.Tr
                    key={`${finding.id}-${finding.package.name}-${finding.package.version}`}
                  >
                    <Table.Td>
                      <StateBadge state={finding.severity} />
                    </Table.Td>
                    <Table.Td>
                      <Anchor
                        href={`https://osv.dev/vulnerability/${encodeURIComponent(finding.id)}`}
                        target="_blank"
                        rel="noopener noreferrer"
                      >
                        {finding.id}
                      </Anchor>
                      {finding.aliases.length > 0 && ` (${finding.aliases.join(', ')})`}
                    </Table.Td>
                    <Table.Td>{finding.package.name}</Table.Td>
                    <Table.Td>{finding.package.version}</Table.Td>
                    <Table.Td>{finding.fixedVersion ?? '—'}</Table.Td>
                  </Table.Tr>
                ))}
                {findings.length === 0 && (
                  <Table.Tr>
                    <Table.Td colSpan={5}>No findings.</Table.Td>
                  </Table.Tr>
                )}
              </Table.Tbody>
            </Table>
          </div>
        </>
      )}
    </section>
  );
}
