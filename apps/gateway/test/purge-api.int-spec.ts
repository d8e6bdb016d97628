/**
 * The purge API (`/api/v1/purge`) through the gateway in this process, with the real auth
 * and manifest services as child processes, their own nats-server and a fresh Postgres
 * database: who may purge, and bad input refused with 400 before any job starts. What a
 * purge deletes is proven in apps/manifest/test/purge.int-spec.ts.
 */
import { expectEventually } from '@meridian/testing';
import postgres from 'postgres';
import { type ManagementApiUnderTest, startManagementApi } from './management-api.harness';

describe('purge management API', () => {
  let api: ManagementApiUnderTest;
  let sql: postgres.Sql;
  let jobCount: () => Promise<number>;

  beforeAll(async () => {
    api = await startManagementApi({ name: 'purge-api', services: ['manifest'] });
    // the manifest service's jobs table, read directly: bad input must leave it as it was
    sql = postgres(api.databaseUrl, { max: 1 });
    jobCount = async () => {
      const [row] = await sql<{ count: string }[]>`select count(*) from manifest.purge_jobs`;
      return Number(row?.count);
    };
  }, 120_000);

  afterAll(async () => {
    await sql?.end();
    await api?.stop();
  });

  const valid = { filters: [{ repository: 'team/.*', tag: 'pr-.*' }], ago: '1d3h', dryRun: true };

  it('lets Owners and Contributors purge, and refuses the others', async () => {
    expect((await fetch(`${api.url}/api/v1/purge`, { method: 'POST' })).status).toBe(401);
    for (const role of ['AcrPull', 'AcrDelete', 'Reader']) {
      const refused = await api.call('POST', '/api/v1/purge', {
        as: await api.principal(`purge-${role.toLowerCase()}`, role),
        body: valid,
      });
      expect(refused.status).toBe(403);
    }
    const contributor = await api.principal('purge-contributor', 'Contributor');
    const started = await api.json<{ id: string; status: string }>(
      await api.call('POST', '/api/v1/purge', { as: contributor, body: valid }),
      202,
    );
    expect(started.status).toBe('running');
    const job = await expectEventually(async () => {
      const shown = await api.json<{ status: string }>(
        await api.call('GET', `/api/v1/purge/${started.id}`, { as: contributor }),
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
      const refused = await api.json<{ errors: Array<{ code: string }> }>(
        await api.call('POST', '/api/v1/purge', { body }),
        400,
      );
      expect(refused.errors[0]?.code).toBe('REQUEST_INVALID');
    }
    await api.json(await api.call('POST', '/api/v1/purge', { rawBody: '{"filters":' }), 400);
    expect(await jobCount()).toBe(before);
  });

  it('answers an unknown job with 404 and a malformed id with 400', async () => {
    const unknown = await api.json<{ errors: Array<{ code: string }> }>(
      await api.call('GET', '/api/v1/purge/00000000-0000-4000-8000-000000000000'),
      404,
    );
    expect(unknown.errors[0]?.code).toBe('RESOURCE_UNKNOWN');
    await api.json(await api.call('GET', '/api/v1/purge/not-a-job'), 400);
  });
});
