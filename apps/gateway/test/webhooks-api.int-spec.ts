/**
 * The webhooks management API (`/api/v1/webhooks`) through the gateway in this process, with
 * the real auth and webhook services as child processes, their own nats-server and a fresh
 * Postgres database: who may call it, the secret shown once, custom header values never
 * shown, updates, the delivery log, ping, delete, and refused input.
 */
import { type IncomingHttpHeaders, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expectEventually } from '@meridian/testing';
import { type ManagementApiUnderTest, startManagementApi } from './management-api.harness';

describe('webhooks management API', () => {
  const received: Array<Record<string, unknown>> = [];
  /** the headers of each delivery, by the event id its body carries */
  const headersOf = new Map<unknown, IncomingHttpHeaders>();
  const receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      received.push(body);
      headersOf.set(body['id'], request.headers);
      response.writeHead(204).end();
    });
  });
  let api: ManagementApiUnderTest;
  let receiverUrl: string;

  beforeAll(async () => {
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    api = await startManagementApi({
      name: 'webhooks-api',
      services: ['webhook'],
      env: { MERIDIAN_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' },
    });
  }, 120_000);

  afterAll(async () => {
    await api?.stop();
    await new Promise((done) => receiver.close(done));
  });

  it('lets Owners and Contributors in, and refuses readers and anonymous callers', async () => {
    expect((await fetch(`${api.url}/api/v1/webhooks`)).status).toBe(401);
    const reader = await api.principal('hooks-reader', 'Reader');
    const refused = await api.call('GET', '/api/v1/webhooks', { as: reader });
    expect(refused.status).toBe(403);
    const contributor = await api.principal('hooks-contributor', 'Contributor');
    await api.json(await api.call('GET', '/api/v1/webhooks', { as: contributor }), 200);
  });

  it('creates a webhook (secret once), changes it, pings it, shows the log and deletes it', async () => {
    const created = await api.json<{ name: string; secret: string; region: string; scope: string }>(
      await api.call('PUT', '/api/v1/webhooks/deployhook', {
        body: { serviceUri: receiverUrl, actions: ['push'], scope: 'team/app:*' },
      }),
      201,
    );
    expect(created).toMatchObject({ name: 'deployhook', region: 'us-east', scope: 'team/app:*' });
    expect(created.secret.length).toBeGreaterThanOrEqual(32);

    const shown = await api.json(await api.call('GET', '/api/v1/webhooks/deployhook'), 200);
    expect(shown).not.toHaveProperty('secret');
    const listed = await api.json<{ webhooks: unknown[] }>(
      await api.call('GET', '/api/v1/webhooks'),
      200,
    );
    expect(JSON.stringify(listed)).not.toContain(created.secret);

    const patched = await api.json(
      await api.call('PATCH', '/api/v1/webhooks/deployhook', { body: { status: 'disabled' } }),
      200,
    );
    expect(patched).toMatchObject({ status: 'disabled', scope: 'team/app:*' });

    const ping = await api.json<{ id: string; eventId: string }>(
      await api.call('POST', '/api/v1/webhooks/deployhook/ping'),
      202,
    );
    await expectEventually(() =>
      expect(received).toContainEqual(
        expect.objectContaining({ action: 'ping', id: ping.eventId }),
      ),
    );
    const log = await expectEventually(async () => {
      const page = await api.json<{ deliveries: Array<{ id: string; state: string }> }>(
        await api.call('GET', '/api/v1/webhooks/deployhook/events?n=10'),
        200,
      );
      expect(page.deliveries[0]).toMatchObject({ id: ping.id, state: 'succeeded' });
      return page;
    });
    expect(log.deliveries).toHaveLength(1);
    const again = await api.json<{ id: string; eventId: string }>(
      await api.call('POST', `/api/v1/webhooks/deployhook/events/${ping.id}/redeliver`),
      202,
    );
    expect(again.eventId).toBe(ping.eventId);

    expect((await api.call('DELETE', '/api/v1/webhooks/deployhook')).status).toBe(204);
    const gone = await api.json<{ errors: Array<{ code: string }> }>(
      await api.call('GET', '/api/v1/webhooks/deployhook'),
      404,
    );
    expect(gone.errors[0]!.code).toBe('RESOURCE_UNKNOWN');
  });

  it('answers bad input and refused targets with 400 REQUEST_INVALID', async () => {
    for (const [name, body] of [
      ['badname!', { serviceUri: receiverUrl, actions: ['push'] }],
      ['goodname', { serviceUri: receiverUrl, actions: [] }],
      ['goodname', { serviceUri: 'ftp://127.0.0.1/x', actions: ['push'] }],
      ['goodname', { serviceUri: 'http://169.254.169.254/', actions: ['push'] }],
      ['goodname', { serviceUri: 'http://10.1.2.3/', actions: ['push'] }],
    ] as const) {
      const refused = await api.json<{ errors: Array<{ code: string }> }>(
        await api.call('PUT', `/api/v1/webhooks/${name}`, { body }),
        400,
      );
      expect(refused.errors[0]!.code).toBe('REQUEST_INVALID');
    }
  });

  it('never shows custom header values, and keeps a stored one sent back redacted', async () => {
    const contributor = await api.principal('hooks-editor', 'Contributor');
    const credentials = { Authorization: 'Bearer receiver-token', 'X-Api-Key': 'key-one' };
    const redacted = { Authorization: '[redacted]', 'X-Api-Key': '[redacted]' };
    const created = await api.json(
      await api.call('PUT', '/api/v1/webhooks/credhook', {
        as: contributor,
        body: { serviceUri: receiverUrl, actions: ['push'], customHeaders: credentials },
      }),
      201,
    );
    expect(created['customHeaders']).toEqual(redacted);
    const shown = await api.json(
      await api.call('GET', '/api/v1/webhooks/credhook', { as: contributor }),
      200,
    );
    expect(shown['customHeaders']).toEqual(redacted);
    const listed = await api.call('GET', '/api/v1/webhooks', { as: contributor });
    const listing = await listed.text();
    expect(listing).not.toContain('receiver-token');
    expect(listing).not.toContain('key-one');

    const patched = await api.json(
      await api.call('PATCH', '/api/v1/webhooks/credhook', {
        as: contributor,
        body: { customHeaders: { Authorization: '[redacted]', 'X-Api-Key': 'key-two' } },
      }),
      200,
    );
    expect(patched['customHeaders']).toEqual(redacted);

    const ping = await api.json<{ id: string; eventId: string }>(
      await api.call('POST', '/api/v1/webhooks/credhook/ping', { as: contributor }),
      202,
    );
    const sent = await expectEventually(() => {
      const headers = headersOf.get(ping.eventId);
      expect(headers).toBeDefined();
      return headers!;
    });
    expect(sent).toMatchObject({ authorization: 'Bearer receiver-token', 'x-api-key': 'key-two' });
    const log = await expectEventually(async () => {
      const response = await api.call('GET', '/api/v1/webhooks/credhook/events', {
        as: contributor,
      });
      const text = await response.text();
      expect(text).toContain('"state":"succeeded"');
      return text;
    });
    expect(log).not.toContain('receiver-token');
    expect(log).not.toContain('key-two');
    expect((await api.call('DELETE', '/api/v1/webhooks/credhook')).status).toBe(204);
  });

  it.each(['Host', 'Content-Length', 'Transfer-Encoding', 'Connection', 'X-Meridian-Signature'])(
    'refuses %s as a custom header with 400 REQUEST_INVALID',
    async (header) => {
      const body = { serviceUri: receiverUrl, actions: ['push'], customHeaders: { [header]: 'x' } };
      const refused = await api.json<{ errors: Array<{ code: string }> }>(
        await api.call('PUT', '/api/v1/webhooks/framedhook', { body }),
        400,
      );
      expect(refused.errors[0]!.code).toBe('REQUEST_INVALID');
      await api.json(
        await api.call('PUT', '/api/v1/webhooks/framedhook', {
          body: { serviceUri: receiverUrl, actions: ['push'] },
        }),
        201,
      );
      const patch = await api.call('PATCH', '/api/v1/webhooks/framedhook', {
        body: { customHeaders: { [header.toLowerCase()]: 'x' } },
      });
      expect(patch.status).toBe(400);
      expect((await api.call('DELETE', '/api/v1/webhooks/framedhook')).status).toBe(204);
    },
  );
});
