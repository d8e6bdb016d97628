/**
 * The webhooks management API (`/api/v1/webhooks`) through the gateway in this process, with
 * the real auth and webhook services as child processes, their own nats-server and a fresh
 * Postgres database: who may call it, the secret shown once, custom header values never
 * shown, updates, the delivery log, ping, delete, and refused input.
 */
import { type IncomingHttpHeaders, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createLogger } from '@meridian/telemetry';
import {
  createTestDatabase,
  expectEventually,
  freePort,
  spawnProcess,
  startNatsServer,
} from '@meridian/testing';
import { loadConfig } from '../src/config';
import { createGatewayApp } from '../src/gateway-app';

const repositoryRoot = resolve(__dirname, '..', '..', '..');
const adminPassword = 'webhooks-api-admin-pw';

interface Credentials {
  username: string;
  password: string;
}

describe('webhooks management API', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  const admin: Credentials = { username: 'admin', password: adminPassword };
  const received: Array<Record<string, unknown>> = [];
  /** the headers of each delivery, by the event id its body carries */
  const headersOf = new Map<unknown, IncomingHttpHeaders>();
  let url: string;
  let receiverUrl: string;

  beforeAll(async () => {
    const nats = await startNatsServer({ serverName: 'webhooks-api-test' });
    cleanups.push(() => nats.stop());
    const database = await createTestDatabase('webhooks_api');
    cleanups.push(() => database.drop());
    const storeDir = await mkdtemp(join(tmpdir(), 'meridian-webhooks-api-store-'));
    cleanups.push(() => rm(storeDir, { recursive: true, force: true }));
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
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
    cleanups.push(() => new Promise((done) => receiver.close(done)));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      MERIDIAN_REGION: 'us-east',
      MERIDIAN_NATS_URL: nats.url,
      DATABASE_URL: database.url,
      MERIDIAN_STORAGE_DRIVER: 'filesystem',
      MERIDIAN_STORAGE_DIR: storeDir,
      MERIDIAN_HOST: '127.0.0.1',
      MERIDIAN_PORT: String(port),
      MERIDIAN_LOG_LEVEL: 'info',
      MERIDIAN_ADMIN_PASSWORD: adminPassword,
      MERIDIAN_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    };
    for (const service of ['auth', 'webhook']) {
      const child = spawnProcess({
        name: service,
        command: process.execPath,
        args: ['-r', '@swc-node/register', join('apps', service, 'src', 'main.ts')],
        cwd: repositoryRoot,
        env,
        stopGraceMs: 5_000,
      });
      cleanups.push(() => child.stop());
      await child.waitForLine((line) => line.text.includes('"service ready"'), {
        timeoutMs: 60_000,
        description: `${service} service ready`,
      });
    }
    const config = { ...loadConfig(env, repositoryRoot), logLevel: 'warn' } as const;
    const logger = createLogger({ service: 'gateway', region: 'us-east', level: 'warn' });
    const { app: gateway } = await createGatewayApp(config, logger);
    await gateway.listen(port, '127.0.0.1');
    cleanups.push(() => gateway.close());
    url = `http://127.0.0.1:${port}`;
  }, 120_000);

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  function call(
    method: string,
    path: string,
    options: { as?: Credentials; body?: unknown } = {},
  ): Promise<Response> {
    const as = options.as ?? admin;
    const headers: Record<string, string> = {
      authorization: `Basic ${Buffer.from(`${as.username}:${as.password}`).toString('base64')}`,
    };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${url}${path}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
  }

  async function json<T = Record<string, unknown>>(response: Response, status: number): Promise<T> {
    const text = await response.text();
    expect({ status: response.status, text }).toMatchObject({ status });
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async function principal(id: string, role: string): Promise<Credentials> {
    const created = await json<{ secret: string }>(
      await call('PUT', `/api/v1/service-principals/${id}`, { body: { roles: [role] } }),
      201,
    );
    return { username: id, password: created.secret };
  }

  it('lets Owners and Contributors in, and refuses readers and anonymous callers', async () => {
    expect((await fetch(`${url}/api/v1/webhooks`)).status).toBe(401);
    const reader = await principal('hooks-reader', 'Reader');
    const refused = await call('GET', '/api/v1/webhooks', { as: reader });
    expect(refused.status).toBe(403);
    const contributor = await principal('hooks-contributor', 'Contributor');
    await json(await call('GET', '/api/v1/webhooks', { as: contributor }), 200);
  });

  it('creates a webhook (secret once), changes it, pings it, shows the log and deletes it', async () => {
    const created = await json<{ name: string; secret: string; region: string; scope: string }>(
      await call('PUT', '/api/v1/webhooks/deployhook', {
        body: { serviceUri: receiverUrl, actions: ['push'], scope: 'team/app:*' },
      }),
      201,
    );
    expect(created).toMatchObject({ name: 'deployhook', region: 'us-east', scope: 'team/app:*' });
    expect(created.secret.length).toBeGreaterThanOrEqual(32);

    const shown = await json(await call('GET', '/api/v1/webhooks/deployhook'), 200);
    expect(shown).not.toHaveProperty('secret');
    const listed = await json<{ webhooks: unknown[] }>(await call('GET', '/api/v1/webhooks'), 200);
    expect(JSON.stringify(listed)).not.toContain(created.secret);

    const patched = await json(
      await call('PATCH', '/api/v1/webhooks/deployhook', { body: { status: 'disabled' } }),
      200,
    );
    expect(patched).toMatchObject({ status: 'disabled', scope: 'team/app:*' });

    const ping = await json<{ id: string; eventId: string }>(
      await call('POST', '/api/v1/webhooks/deployhook/ping'),
      202,
    );
    await expectEventually(() =>
      expect(received).toContainEqual(
        expect.objectContaining({ action: 'ping', id: ping.eventId }),
      ),
    );
    const log = await expectEventually(async () => {
      const page = await json<{ deliveries: Array<{ id: string; state: string }> }>(
        await call('GET', '/api/v1/webhooks/deployhook/events?n=10'),
        200,
      );
      expect(page.deliveries[0]).toMatchObject({ id: ping.id, state: 'succeeded' });
      return page;
    });
    expect(log.deliveries).toHaveLength(1);
    const again = await json<{ id: string; eventId: string }>(
      await call('POST', `/api/v1/webhooks/deployhook/events/${ping.id}/redeliver`),
      202,
    );
    expect(again.eventId).toBe(ping.eventId);

    expect((await call('DELETE', '/api/v1/webhooks/deployhook')).status).toBe(204);
    const gone = await json<{ errors: Array<{ code: string }> }>(
      await call('GET', '/api/v1/webhooks/deployhook'),
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
      const refused = await json<{ errors: Array<{ code: string }> }>(
        await call('PUT', `/api/v1/webhooks/${name}`, { body }),
        400,
      );
      expect(refused.errors[0]!.code).toBe('REQUEST_INVALID');
    }
  });

  it('never shows custom header values, and keeps a stored one sent back redacted', async () => {
    const contributor = await principal('hooks-editor', 'Contributor');
    const credentials = { Authorization: 'Bearer receiver-token', 'X-Api-Key': 'key-one' };
    const redacted = { Authorization: '[redacted]', 'X-Api-Key': '[redacted]' };
    const created = await json(
      await call('PUT', '/api/v1/webhooks/credhook', {
        as: contributor,
        body: { serviceUri: receiverUrl, actions: ['push'], customHeaders: credentials },
      }),
      201,
    );
    expect(created['customHeaders']).toEqual(redacted);
    const shown = await json(
      await call('GET', '/api/v1/webhooks/credhook', { as: contributor }),
      200,
    );
    expect(shown['customHeaders']).toEqual(redacted);
    const listed = await call('GET', '/api/v1/webhooks', { as: contributor });
    const listing = await listed.text();
    expect(listing).not.toContain('receiver-token');
    expect(listing).not.toContain('key-one');

    const patched = await json(
      await call('PATCH', '/api/v1/webhooks/credhook', {
        as: contributor,
        body: { customHeaders: { Authorization: '[redacted]', 'X-Api-Key': 'key-two' } },
      }),
      200,
    );
    expect(patched['customHeaders']).toEqual(redacted);

    const ping = await json<{ id: string; eventId: string }>(
      await call('POST', '/api/v1/webhooks/credhook/ping', { as: contributor }),
      202,
    );
    const sent = await expectEventually(() => {
      const headers = headersOf.get(ping.eventId);
      expect(headers).toBeDefined();
      return headers!;
    });
    expect(sent).toMatchObject({ authorization: 'Bearer receiver-token', 'x-api-key': 'key-two' });
    const log = await expectEventually(async () => {
      const response = await call('GET', '/api/v1/webhooks/credhook/events', { as: contributor });
      const text = await response.text();
      expect(text).toContain('"state":"succeeded"');
      return text;
    });
    expect(log).not.toContain('receiver-token');
    expect(log).not.toContain('key-two');
    expect((await call('DELETE', '/api/v1/webhooks/credhook')).status).toBe(204);
  });

  it.each(['Host', 'Content-Length', 'Transfer-Encoding', 'Connection', 'X-Meridian-Signature'])(
    'refuses %s as a custom header with 400 REQUEST_INVALID',
    async (header) => {
      const body = { serviceUri: receiverUrl, actions: ['push'], customHeaders: { [header]: 'x' } };
      const refused = await json<{ errors: Array<{ code: string }> }>(
        await call('PUT', '/api/v1/webhooks/framedhook', { body }),
        400,
      );
      expect(refused.errors[0]!.code).toBe('REQUEST_INVALID');
      await json(
        await call('PUT', '/api/v1/webhooks/framedhook', {
          body: { serviceUri: receiverUrl, actions: ['push'] },
        }),
        201,
      );
      const patch = await call('PATCH', '/api/v1/webhooks/framedhook', {
        body: { customHeaders: { [header.toLowerCase()]: 'x' } },
      });
      expect(patch.status).toBe(400);
      expect((await call('DELETE', '/api/v1/webhooks/framedhook')).status).toBe(204);
    },
  );
});
