/**
 * The soft delete API (`/api/v1/settings/soft-delete`, `/api/v1/deleted`) through the gateway
 * in this process, with the real auth and manifest services as child processes, their own
 * nats-server and a fresh Postgres database: who may do what, and bad input refused with 400
 * or 404, changing nothing. What is kept and how a restore settles is proven in
 * apps/manifest/test/soft-delete.int-spec.ts; across regions with real clients in
 * e2e/src/soft-delete.e2e-spec.ts.
 */
import postgres from 'postgres';
import { type ManagementApiUnderTest, startManagementApi } from './management-api.harness';

describe('soft delete management API', () => {
  let api: ManagementApiUnderTest;
  let sql: postgres.Sql;
  let settingRows: () => Promise<unknown>;

  beforeAll(async () => {
    api = await startManagementApi({ name: 'soft-delete-api', services: ['manifest'] });
    // the manifest service's settings, read directly: bad input must leave them as they were
    sql = postgres(api.databaseUrl, { max: 1 });
    settingRows = async () => [
      ...(await sql`select value, hlc from manifest.settings where name = 'soft-delete'`),
    ];
  }, 120_000);

  afterAll(async () => {
    await sql?.end();
    await api?.stop();
  });

  const setting = '/api/v1/settings/soft-delete';
  const digest = `sha256:${'a'.repeat(64)}`;

  it('lets only Owners read and change the setting, which replies as it was set', async () => {
    expect((await fetch(`${api.url}${setting}`)).status).toBe(401);
    const contributor = await api.principal('sd-contributor', 'Contributor');
    expect((await api.call('GET', setting, { as: contributor })).status).toBe(403);
    const put = { enabled: true, retentionDays: 14 };
    expect((await api.call('PUT', setting, { as: contributor, body: put })).status).toBe(403);
    await expect(api.json(await api.call('GET', setting), 200)).resolves.toEqual({
      enabled: false,
      retentionDays: 7,
    });
    await expect(api.json(await api.call('PUT', setting, { body: put }), 200)).resolves.toEqual(
      put,
    );
    await expect(api.json(await api.call('GET', setting), 200)).resolves.toEqual(put);
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
      const refused = await api.json<{ errors: Array<{ code: string }> }>(
        await api.call('PUT', setting, { body }),
        400,
      );
      expect(refused.errors[0]?.code).toBe('REQUEST_INVALID');
    }
    await api.json(await api.call('PUT', setting, { rawBody: '{"enabled":' }), 400);
    expect(await settingRows()).toEqual(before);
  });

  it('lets readers list and writers restore, and refuses the others', async () => {
    expect((await fetch(`${api.url}/api/v1/deleted?repository=team/app`)).status).toBe(401);
    const reader = await api.principal('sd-reader', 'Reader');
    // allowed, then unknown: nobody pushed to team/app
    expect(
      (await api.call('GET', '/api/v1/deleted?repository=team/app', { as: reader })).status,
    ).toBe(404);
    const restore = `/api/v1/deleted/team/app/${digest}/restore`;
    expect((await api.call('POST', restore, { as: reader })).status).toBe(403);
    const contributor = await api.principal('sd-writer', 'Contributor');
    expect((await api.call('POST', restore, { as: contributor })).status).toBe(404);
  });

  it('answers what it never heard of with 404 in the OCI error format', async () => {
    const listed = await api.json<{ errors: Array<{ code: string }> }>(
      await api.call('GET', '/api/v1/deleted?repository=no/such'),
      404,
    );
    expect(listed.errors[0]?.code).toBe('NAME_UNKNOWN');
    for (const path of [
      `/api/v1/deleted/no/such/${digest}/restore`,
      `/api/v1/deleted/no/such/${digest.replace(':', '%3A')}/restore`,
    ]) {
      const restored = await api.json<{ errors: Array<{ code: string }> }>(
        await api.call('POST', path),
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
    const refused = await api.json<{ errors: Array<{ code: string }> }>(
      await api.call(method, path),
      400,
    );
    expect(refused.errors[0]?.code).toBe(code);
  });
});
