/**
 * The soft delete API (`/api/v1/settings/soft-delete`, `/api/v1/deleted`) through the gateway
 * in this process, with the real auth and manifest services as child processes, their own
 * nats-server and a fresh Postgres database: who may do what, and bad input refused with 400
 * or 404, changing nothing. What is kept and how a restore settles is proven in
 * apps/manifest/test/soft-delete.int-spec.ts; across regions with real clients in
 * e2e/src/soft-delete.e2e-spec.ts.
 */
import { join, resolve } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createLogger } from '@meridian/telemetry';
import postgres from 'postgres';
import { createTestDatabase, freePort, spawnProcess, startNatsServer } from '@meridian/testing';
import { loadConfig } from '../src/config';
import { createGatewayApp } from '../src/gateway-app';

const repositoryRoot = resolve(__dirname, '..', '..', '..');
const adminPassword = 'soft-delete-api-admin-pw';

interface Credentials {
  username: string;
  password: string;
}

describe('soft delete management API', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  const admin: Credentials = { username: 'admin', password: adminPassword };
  let url: string;
  let settingRows: () => Promise<unknown>;

  beforeAll(async () => {
    const nats = await startNatsServer({ serverName: 'soft-delete-api-test' });
    cleanups.push(() => nats.stop());
    const database = await createTestDatabase('soft_delete_api');
    cleanups.push(() => database.drop());
    const storeDir = await mkdtemp(join(tmpdir(), 'meridian-soft-delete-api-store-'));
    cleanups.push(() => rm(storeDir, { recursive: true, force: true }));
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
    };
    for (const service of ['auth', 'manifest']) {
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
    // the manifest service's settings, read directly: bad input must leave them as they were
    const sql = postgres(database.url, { max: 1 });
    cleanups.push(() => sql.end());
    settingRows = async () => [
      ...(await sql`select value, hlc from manifest.settings where name = 'soft-delete'`),
    ];
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
    options: { as?: Credentials; body?: unknown; rawBody?: string } = {},
  ): Promise<Response> {
    const as = options.as ?? admin;
    const headers: Record<string, string> = {
      authorization: `Basic ${Buffer.from(`${as.username}:${as.password}`).toString('base64')}`,
    };
    const body =
      options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
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

  const setting = '/api/v1/settings/soft-delete';
  const digest = `sha256:${'a'.repeat(64)}`;

  it('lets only Owners read and change the setting, which replies as it was set', async () => {
    expect((await fetch(`${url}${setting}`)).status).toBe(401);
    const contributor = await principal('sd-contributor', 'Contributor');
    expect((await call('GET', setting, { as: contributor })).status).toBe(403);
    const put = { enabled: true, retentionDays: 14 };
    expect((await call('PUT', setting, { as: contributor, body: put })).status).toBe(403);
    await expect(json(await call('GET', setting), 200)).resolves.toEqual({
      enabled: false,
      retentionDays: 7,
    });
    await expect(json(await call('PUT', setting, { body: put }), 200)).resolves.toEqual(put);
    await expect(json(await call('GET', setting), 200)).resolves.toEqual(put);
  });

  it('refuses a setting out of range or malformed with 400 REQUEST_INVALID, changing nothing', async () => {
    const before = await settingRows();
    const bad: unknown[] = [
      { enabled: true, retentionDays: 0 },
      { enabled: true, retentionDays: 91 },
      { enabled: true, retentionDays: 1.5 },
      { enabled: true, retentionDays: '7' },
      { enabled: 'yes', retentionDays: 7 },
      { enabled: true },
      { enabled: true, retentionDays: 7, days: 7 },
      {},
    ];
    for (const body of bad) {
      const refused = await json<{ errors: Array<{ code: string }> }>(
        await call('PUT', setting, { body }),
        400,
      );
      expect(refused.errors[0]?.code).toBe('REQUEST_INVALID');
    }
    await json(await call('PUT', setting, { rawBody: '{"enabled":' }), 400);
    expect(await settingRows()).toEqual(before);
  });

  it('lets readers list and writers restore, and refuses the others', async () => {
    expect((await fetch(`${url}/api/v1/deleted?repository=team/app`)).status).toBe(401);
    const reader = await principal('sd-reader', 'Reader');
    // allowed, then unknown: nobody pushed to team/app
    expect((await call('GET', '/api/v1/deleted?repository=team/app', { as: reader })).status).toBe(
      404,
    );
    const restore = `/api/v1/deleted/team/app/${digest}/restore`;
    expect((await call('POST', restore, { as: reader })).status).toBe(403);
    const contributor = await principal('sd-writer', 'Contributor');
    expect((await call('POST', restore, { as: contributor })).status).toBe(404);
  });

  it('answers what it never heard of with 404 in the OCI error format', async () => {
    const listed = await json<{ errors: Array<{ code: string }> }>(
      await call('GET', '/api/v1/deleted?repository=no/such'),
      404,
    );
    expect(listed.errors[0]?.code).toBe('NAME_UNKNOWN');
    for (const path of [
      `/api/v1/deleted/no/such/${digest}/restore`,
      `/api/v1/deleted/no/such/${digest.replace(':', '%3A')}/restore`,
    ]) {
      const restored = await json<{ errors: Array<{ code: string }> }>(
        await call('POST', path),
        404,
      );
      expect(restored.errors[0]?.code).toBe('NAME_UNKNOWN');
    }
  });

  it.each([
    ['GET', '/api/v1/deleted', 'REQUEST_INVALID'],
    ['GET', '/api/v1/deleted?repository=Team/App', 'NAME_INVALID'],
    ['GET', '/api/v1/deleted?repository=team/app&n=0', 'REQUEST_INVALID'],
    ['GET', '/api/v1/deleted?repository=team/app&n=x', 'REQUEST_INVALID'],
    ['GET', '/api/v1/deleted?repository=team/app&colour=red', 'REQUEST_INVALID'],
    ['POST', `/api/v1/deleted/team/app/sha256:abc/restore`, 'DIGEST_INVALID'],
    ['POST', `/api/v1/deleted/${digest}/restore`, 'NAME_INVALID'],
    ['POST', `/api/v1/deleted/Team/App/${digest}/restore`, 'NAME_INVALID'],
  ])('answers %s %s with 400 %s', async (method, path, code) => {
    const refused = await json<{ errors: Array<{ code: string }> }>(await call(method, path), 400);
    expect(refused.errors[0]?.code).toBe(code);
  });
});
