/**
 * The scrub API (`/api/v1/scrub`) through the gateway in this process, with the real auth and
 * blob services as child processes, their own nats-server and a fresh Postgres database: only
 * Owners may scrub, a second start answers with the job under way, and bad input is refused
 * with 400 before any job starts. What a scrub finds is proven in
 * apps/blob/test/scrub.int-spec.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FilesystemStorageDriver, blobKey } from '@meridian/storage';
import { createLogger } from '@meridian/telemetry';
import {
  createTestDatabase,
  expectEventually,
  freePort,
  spawnProcess,
  startNatsServer,
} from '@meridian/testing';
import postgres from 'postgres';
import { loadConfig } from '../src/config';
import { createGatewayApp } from '../src/gateway-app';

const repositoryRoot = resolve(__dirname, '..', '..', '..');
const adminPassword = 'scrub-api-admin-pw';

interface Credentials {
  username: string;
  password: string;
}

interface Job {
  id: string;
  state: string;
  counts: Record<string, number>;
  progress: Record<string, number>;
}

describe('scrub management API', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  const admin: Credentials = { username: 'admin', password: adminPassword };
  let url: string;
  let sql: postgres.Sql;
  let jobCount: () => Promise<number>;

  beforeAll(async () => {
    const nats = await startNatsServer({ serverName: 'scrub-api-test' });
    cleanups.push(() => nats.stop());
    const database = await createTestDatabase('scrub_api');
    cleanups.push(() => database.drop());
    const storeDir = await mkdtemp(join(tmpdir(), 'meridian-scrub-api-store-'));
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
      // 64 KiB/s: the blob below keeps a job running for a few seconds
      MERIDIAN_SCRUB_RATE_MIB_PER_SECOND: '0.0625',
    };
    for (const service of ['auth', 'blob']) {
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
    sql = postgres(database.url, { max: 1, onnotice: () => undefined });
    cleanups.push(() => sql.end());
    jobCount = async () => {
      const [row] = await sql<{ count: string }[]>`select count(*) from blob.scrub_jobs`;
      return Number(row?.count);
    };
    // a blob the store holds, as an upload leaves it: bytes at its key, then its record
    const bytes = randomBytes(256 * 1024);
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const store = new FilesystemStorageDriver({ rootDirectory: storeDir });
    await store.init();
    await store.put(blobKey(digest), bytes);
    await sql`insert into blob.blobs (digest, size) values (${digest}, ${bytes.length})`;

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

  it('lets Owners scrub, refuses the others, and answers a second start with the job under way', async () => {
    expect((await fetch(`${url}/api/v1/scrub`, { method: 'POST' })).status).toBe(401);
    for (const role of ['AcrPull', 'Reader', 'Contributor']) {
      const refused = await call('POST', '/api/v1/scrub', {
        as: await principal(`scrub-${role.toLowerCase()}`, role),
      });
      expect(refused.status).toBe(403);
    }
    expect(await jobCount()).toBe(0);
    const owner = await principal('scrub-owner', 'Owner');

    const started = await json<Job>(await call('POST', '/api/v1/scrub', { as: owner }), 202);
    expect(['queued', 'running']).toContain(started.state);
    const again = await json<Job>(
      await call('POST', '/api/v1/scrub', { as: owner, body: { repair: false } }),
      202,
    );
    expect(again.id).toBe(started.id);
    expect(await jobCount()).toBe(1);

    const job = await expectEventually(
      async () => {
        const shown = await json<Job>(
          await call('GET', `/api/v1/scrub/${started.id}`, { as: owner }),
          200,
        );
        expect(shown.state).toBe('succeeded');
        return shown;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(job).toMatchObject({
      request: { repair: true },
      progress: { blobsChecked: 1, blobsTotal: 1, bytesChecked: 256 * 1024 },
      counts: { ok: 1, corrupt: 0, missing: 0, repaired: 0, unrepairable: 0 },
      items: [],
    });
  });

  it('answers bad input with 400 REQUEST_INVALID and starts no job', async () => {
    const before = await jobCount();
    for (const body of [
      { repository: 'Team/App' },
      { repository: '' },
      { repository: 42 },
      { repair: 'no' },
      { repair: true, force: true },
      [],
    ]) {
      const refused = await json<{ errors: Array<{ code: string }> }>(
        await call('POST', '/api/v1/scrub', { body }),
        400,
      );
      expect(refused.errors[0]?.code).toBe('REQUEST_INVALID');
    }
    await json(await call('POST', '/api/v1/scrub', { rawBody: '{"repair":' }), 400);
    expect(await jobCount()).toBe(before);
  });

  it('answers an unknown job with 404 and a malformed id with 400', async () => {
    const unknown = await json<{ errors: Array<{ code: string }> }>(
      await call('GET', '/api/v1/scrub/00000000-0000-4000-8000-000000000000'),
      404,
    );
    expect(unknown.errors[0]?.code).toBe('RESOURCE_UNKNOWN');
    await json(await call('GET', '/api/v1/scrub/not-a-job'), 400);
  });
});
