/**
 * The purge API (`/api/v1/purge`) through the gateway in this process, with the real auth
 * and manifest services as child processes, their own nats-server and a fresh Postgres
 * database: who may purge, and bad input refused with 400 before any job starts. What a
 * purge deletes is proven in apps/manifest/test/purge.int-spec.ts.
 */
import { join, resolve } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createLogger } from '@meridian/telemetry';
import postgres from 'postgres';
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
const adminPassword = 'purge-api-admin-pw';

interface Credentials {
  username: string;
  password: string;
}

describe('purge management API', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  const admin: Credentials = { username: 'admin', password: adminPassword };
  let url: string;
  let jobCount: () => Promise<number>;

  beforeAll(async () => {
    const nats = await startNatsServer({ serverName: 'purge-api-test' });
    cleanups.push(() => nats.stop());
    const database = await createTestDatabase('purge_api');
    cleanups.push(() => database.drop());
    const storeDir = await mkdtemp(join(tmpdir(), 'meridian-purge-api-store-'));
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
    // the manifest service's jobs table, read directly: bad input must leave it as it was
    const sql = postgres(database.url, { max: 1 });
    cleanups.push(() => sql.end());
    jobCount = async () => {
      const [row] = await sql<{ count: string }[]>`select count(*) from manifest.purge_jobs`;
      return Number(row?.count);
    };
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

  const valid = { filters: [{ repository: 'team/.*', tag: 'pr-.*' }], ago: '1d3h', dryRun: true };

  it('lets Owners and Contributors purge, and refuses the others', async () => {
    expect((await fetch(`${url}/api/v1/purge`, { method: 'POST' })).status).toBe(401);
    for (const role of ['AcrPull', 'AcrDelete', 'Reader']) {
      const refused = await call('POST', '/api/v1/purge', {
        as: await principal(`purge-${role.toLowerCase()}`, role),
        body: valid,
      });
      expect(refused.status).toBe(403);
    }
    const contributor = await principal('purge-contributor', 'Contributor');
    const started = await json<{ id: string; status: string }>(
      await call('POST', '/api/v1/purge', { as: contributor, body: valid }),
      202,
    );
    expect(started.status).toBe('running');
    const job = await expectEventually(async () => {
      const shown = await json<{ status: string }>(
        await call('GET', `/api/v1/purge/${started.id}`, { as: contributor }),
        200,
      );
      expect(shown.status).toBe('succeeded');
      return shown;
    });
    expect(job).toMatchObject({
      id: started.id,
      request: { ...valid, untagged: false, keep: 0 },
      progress: { repositoriesMatched: 0, tagsDeleted: 0 },
      items: [],
    });
  });

  it('answers bad input with 400 REQUEST_INVALID and starts no job', async () => {
    const before = await jobCount();
    const bad: unknown[] = [
      { ...valid, filters: [] },
      { ...valid, filters: [{ repository: 'team/(', tag: '.*' }] },
      { ...valid, filters: [{ repository: 'a'.repeat(257), tag: '.*' }] },
      { ...valid, filters: [{ repository: '.*' }] },
      { ...valid, filters: [{ repository: '.*', tag: '.*', digest: 'x' }] },
      { ...valid, ago: '30' },
      { ...valid, ago: '2w' },
      { ...valid, ago: '' },
      { ...valid, ago: 'h' },
      { ...valid, keep: -1 },
      { ...valid, keep: 1.5 },
      { ...valid, keep: '3' },
      { ...valid, untagged: 'yes' },
      { ...valid, force: true },
      {},
    ];
    for (const body of bad) {
      const refused = await json<{ errors: Array<{ code: string }> }>(
        await call('POST', '/api/v1/purge', { body }),
        400,
      );
      expect(refused.errors[0]?.code).toBe('REQUEST_INVALID');
    }
    await json(await call('POST', '/api/v1/purge', { rawBody: '{"filters":' }), 400);
    expect(await jobCount()).toBe(before);
  });

  it('answers an unknown job with 404 and a malformed id with 400', async () => {
    const unknown = await json<{ errors: Array<{ code: string }> }>(
      await call('GET', '/api/v1/purge/00000000-0000-4000-8000-000000000000'),
      404,
    );
    expect(unknown.errors[0]?.code).toBe('RESOURCE_UNKNOWN');
    await json(await call('GET', '/api/v1/purge/not-a-job'), 400);
  });
});
