/**
 * The scrub API (`/api/v1/scrub`) through the gateway in this process, with the real auth and
 * blob services as child processes, their own nats-server and a fresh Postgres database: only
 * Owners may scrub, a second start answers with the job under way, and bad input is refused
 * with 400 before any job starts. What a scrub finds is proven in
 * apps/blob/test/scrub.int-spec.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { FilesystemStorageDriver, blobKey } from '@meridian/storage';
import { expectEventually } from '@meridian/testing';
import postgres from 'postgres';
import { type ManagementApiUnderTest, startManagementApi } from './management-api.harness';

interface Job {
  id: string;
  state: string;
  counts: Record<string, number>;
  progress: Record<string, number>;
}

describe('scrub management API', () => {
  let api: ManagementApiUnderTest;
  let sql: postgres.Sql;
  let jobCount: () => Promise<number>;

  beforeAll(async () => {
    api = await startManagementApi({
      name: 'scrub-api',
      services: ['blob'],
      // 64 KiB/s: the blob below keeps a job running for a few seconds
      env: { MERIDIAN_SCRUB_RATE_MIB_PER_SECOND: '0.0625' },
    });
    sql = postgres(api.databaseUrl, { max: 1, onnotice: () => undefined });
    jobCount = async () => {
      const [row] = await sql<{ count: string }[]>`select count(*) from blob.scrub_jobs`;
      return Number(row?.count);
    };
    // a blob the store holds, as an upload leaves it: bytes at its key, then its record
    const bytes = randomBytes(256 * 1024);
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const store = new FilesystemStorageDriver({ rootDirectory: api.storeDir });
    await store.init();
    await store.put(blobKey(digest), bytes);
    await sql`insert into blob.blobs (digest, size) values (${digest}, ${bytes.length})`;
  }, 120_000);

  afterAll(async () => {
    await sql?.end();
    await api?.stop();
  });

  it('lets Owners scrub, refuses the others, and answers a second start with the job under way', async () => {
    expect((await fetch(`${api.url}/api/v1/scrub`, { method: 'POST' })).status).toBe(401);
    for (const role of ['AcrPull', 'Reader', 'Contributor']) {
      const refused = await api.call('POST', '/api/v1/scrub', {
        as: await api.principal(`scrub-${role.toLowerCase()}`, role),
      });
      expect(refused.status).toBe(403);
    }
    expect(await jobCount()).toBe(0);
    const owner = await api.principal('scrub-owner', 'Owner');

    const started = await api.json<Job>(
      await api.call('POST', '/api/v1/scrub', { as: owner }),
      202,
    );
    expect(['queued', 'running']).toContain(started.state);
    const again = await api.json<Job>(
      await api.call('POST', '/api/v1/scrub', { as: owner, body: { repair: false } }),
      202,
    );
    expect(again.id).toBe(started.id);
    expect(await jobCount()).toBe(1);

    const job = await expectEventually(
      async () => {
        const shown = await api.json<Job>(
          await api.call('GET', `/api/v1/scrub/${started.id}`, { as: owner }),
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
      const refused = await api.json<{ errors: Array<{ code: string }> }>(
        await api.call('POST', '/api/v1/scrub', { body }),
        400,
      );
      expect(refused.errors[0]?.code).toBe('REQUEST_INVALID');
    }
    await api.json(await api.call('POST', '/api/v1/scrub', { rawBody: '{"repair":' }), 400);
    expect(await jobCount()).toBe(before);
  });

  it('answers an unknown job with 404 and a malformed id with 400', async () => {
    const unknown = await api.json<{ errors: Array<{ code: string }> }>(
      await api.call('GET', '/api/v1/scrub/00000000-0000-4000-8000-000000000000'),
      404,
    );
    expect(unknown.errors[0]?.code).toBe('RESOURCE_UNKNOWN');
    await api.json(await api.call('GET', '/api/v1/scrub/not-a-job'), 400);
  });
});
