/**
 * Webhooks: their configuration, and for the chosen one its delivery log (newest first,
 * polled): each delivery's state and attempts, and opened, every attempt's request,
 * response status and body, duration and error. Ping and redeliver buttons for those who
 * may change the registry (the management API lets only Owners and Contributors see
 * webhooks at all; anyone else is told so).
 */
import { Alert, Anchor, Button, Code, Group, Stack, Table, Text, Title } from '@mantine/core';
import { Fragment, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import {
  type Delivery,
  listWebhooks,
  pingWebhook,
  redeliver,
  webhookDeliveries,
} from '../api/registry-views';
import { useLoad, useSession } from '../api/use-session';
import { LoadState } from '../components/load-state';
import { StateBadge } from '../components/state-badge';
import { formatDuration, formatTime } from '../format';

const deliveriesPollMs = 3000;

function DeliveryDetails({ delivery }: { delivery: Delivery }) {
  return (
    <Stack gap="sm" data-testid={`delivery-details-${delivery.id}`}>
      <Text size="sm">
        Event <code>{delivery.eventId}</code>
        {delivery.redeliveryOf && (
          <>
            , a redelivery of <code>{delivery.redeliveryOf}</code>
          </>
        )}
        {delivery.nextAttemptAt && <>, next attempt {formatTime(delivery.nextAttemptAt)}</>}
      </Text>
      {delivery.log.map((attempt) => (
        <Stack gap={4} key={attempt.attempt} aria-label={`Attempt ${attempt.attempt}`}>
          <Text size="sm" fw={600}>
            Attempt {attempt.attempt}, {formatTime(attempt.startedAt)}, took{' '}
            {formatDuration(attempt.durationMs)}:{' '}
            <span data-testid="response-status">
              {attempt.response ? `HTTP ${attempt.response.status}` : 'no response'}
            </span>
          </Text>
          {attempt.error && (
            <Text size="sm" c="red.9" data-testid="attempt-error">
              Error: {attempt.error}
            </Text>
          )}
          <Text size="xs">
            Request: {attempt.request.method} {attempt.request.uri}
          </Text>
          <Code block className="portal-pre">
            {Object.entries(attempt.request.headers)
              .map(([name, value]) => `${name}: ${value}`)
              .join('\n')}
            {`\n\n${attempt.request.body}`}
          </Code>
          {attempt.response && (
            <>
              <Text size="xs">Response body (first KiB)</Text>
              <Code block className="portal-pre" data-testid="response-body">
                {attempt.response.body || '(empty)'}
              </Code>
            </>
          )}
        </Stack>
      ))}
    </Stack>
  );
}

function Deliveries({ webhook }: { webhook: string }) {
  const session = useSession();
  const [open, setOpen] = useState<string | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  const [actionError, setActionError] = useState<Error | undefined>();
  const { data, error, reload } = useLoad(
    `deliveries:${webhook}`,
    (current) => webhookDeliveries(current, webhook),
    deliveriesPollMs,
  );
  const act = (key: string, action: () => Promise<unknown>) => {
    setBusy(key);
    setActionError(undefined);
    action()
      .then(reload)
      .catch((failure: Error) => setActionError(failure))
      .finally(() => setBusy(undefined));
  };
  return (
    <section aria-labelledby="deliveries-title">
      <Group justify="space-between" mt="lg" mb="xs">
        <Title order={2} size="h3" id="deliveries-title">
          Deliveries of {webhook}
        </Title>
        {session.mayChange && (
          <Button
            size="xs"
            loading={busy === 'ping'}
            onClick={() => act('ping', () => pingWebhook(session, webhook))}
          >
            Ping
          </Button>
        )}
      </Group>
      <LoadState error={error ?? actionError} loading={data === undefined && error === undefined} />
      {data !== undefined && (
        <div className="portal-table-scroll">
          <Table aria-label="Deliveries">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Created</Table.Th>
                <Table.Th scope="col">Action</Table.Th>
                <Table.Th scope="col">State</Table.Th>
                <Table.Th scope="col">Attempts</Table.Th>
                <Table.Th scope="col">Last error</Table.Th>
                <Table.Th scope="col">
                  <span className="portal-hide-narrow">Open</span>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.map((delivery) => (
                <Fragment key={delivery.id}>
                  <Table.Tr data-delivery={delivery.id} data-state={delivery.state}>
                    <Table.Td>{formatTime(delivery.createdAt)}</Table.Td>
                    <Table.Td>{delivery.action}</Table.Td>
                    <Table.Td>
                      <StateBadge state={delivery.state} />
                    </Table.Td>
                    <Table.Td>{delivery.attempts}</Table.Td>
                    <Table.Td>{delivery.lastError ?? '—'}</Table.Td>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Button
                          size="xs"
                          variant="default"
                          aria-expanded={open === delivery.id}
                          aria-label={`Details of delivery ${delivery.id}`}
                          onClick={() => setOpen(open === delivery.id ? undefined : delivery.id)}
                        >
                          Details
                        </Button>
                        {session.mayChange && (
                          <Button
                            size="xs"
                            variant="light"
                            loading={busy === delivery.id}
                            aria-label={`Redeliver delivery ${delivery.id}`}
                            onClick={() =>
                              act(delivery.id, () => redeliver(session, webhook, delivery.id))
                            }
                          >
                            Redeliver
                          </Button>
                        )}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                  {open === delivery.id && (
                    <Table.Tr>
                      <Table.Td colSpan={6}>
                        <DeliveryDetails delivery={delivery} />
                      </Table.Td>
                    </Table.Tr>
                  )}
                </Fragment>
              ))}
              {data.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={6}>No deliveries yet.</Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </div>
      )}
    </section>
  );
}

export function WebhooksPage() {
  const session = useSession();
  const [params] = useSearchParams();
  const chosen = params.get('name') ?? undefined;
  const { data, error, loading } = useLoad('webhooks', listWebhooks);
  return (
    <>
      <Title order={1} size="h2" mb="md">
        Webhooks
      </Title>
      {!session.mayChange && (
        <Alert color="blue" mb="md">
          Webhooks are shown to Owners and Contributors; your identity only reads the registry.
        </Alert>
      )}
      <LoadState error={error} loading={loading && data === undefined} />
      {data !== undefined && (
        <div className="portal-table-scroll">
          <Table striped aria-label="Webhooks">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Name</Table.Th>
                <Table.Th scope="col">Region</Table.Th>
                <Table.Th scope="col">Status</Table.Th>
                <Table.Th scope="col">Actions</Table.Th>
                <Table.Th scope="col">Scope</Table.Th>
                <Table.Th scope="col">Service URI</Table.Th>
                <Table.Th scope="col">Format</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.map((webhook) => (
                <Table.Tr key={webhook.name}>
                  <Table.Td>
                    <Anchor
                      component={Link}
                      to={`/webhooks?${new URLSearchParams({ name: webhook.name })}`}
                      aria-current={chosen === webhook.name ? 'true' : undefined}
                    >
                      {webhook.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{webhook.region}</Table.Td>
                  <Table.Td>
                    <StateBadge state={webhook.status} />
                  </Table.Td>
                  <Table.Td>{webhook.actions.join(', ')}</Table.Td>
                  <Table.Td>{webhook.scope || 'everything'}</Table.Td>
                  <Table.Td>
                    <code>{webhook.serviceUri}</code>
                  </Table.Td>
                  <Table.Td>{webhook.payloadFormat}</Table.Td>
                </Table.Tr>
              ))}
              {data.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={7}>No webhooks.</Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </div>
      )}
      {chosen !== undefined && data !== undefined && <Deliveries webhook={chosen} />}
    </>
  );
}
