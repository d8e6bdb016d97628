/**
 * The replications API (`/api/v1/replications`) through the gateway in this process, with the
 * real auth, blob, manifest and replication services as child processes, their own
 * nats-server and a fresh Postgres database, one region (us-east) that starts with no peers:
 * who may call it, bad input refused with 400 and nothing kept, the S3 secret sealed at rest
 * and never answered, a region that does not answer saved as `degraded` with the reason
 * (while the API keeps answering), removal refused for the region called, and a removal kept
 * as a tombstone. Three running regions adding one another: e2e/src/replications.e2e-spec.ts.
 */
import postgres from 'postgres';
import { type ManagementApiUnderTest, startManagementApi } from './management-api.harness';

interface View {
  region: string;
  natsDomain: string;
  storage: Record<string, unknown>;
  status: string;
  statusReason?: string;
  local: boolean;
}

describe('replications management API', () => {
  let api: ManagementApiUnderTest;
  let sql: postgres.Sql;

  beforeAll(async () => {
    api = await startManagementApi({
      name: 'replications-api',
      services: ['blob', 'manifest', 'replication'],
      env: { MERIDIAN_CREDENTIALS_SECRET_KEY: 'replications-api-credentials-key' },
    });
    sql = postgres(api.databaseUrl, { max: 1 });
  }, 120_000);

  afterAll(async () => {
    await sql?.end();
    await api?.stop();
  });

  async function rows(): Promise<
    Array<{ region: string; deleted: boolean; sealed: string | null }>
  > {
    return sql`select region, deleted, sealed_secret as sealed from replication.replications order by region`;
  }

  it('lists the region called, local and ready, seeded from its environment', async () => {
    const { replications } = await api.json<{ replications: View[] }>(
      await api.call('GET', '/api/v1/replications'),
      200,
    );
    expect(replications).toEqual([
      expect.objectContaining({
        region: 'us-east',
        natsDomain: 'us-east',
        storage: { type: 'filesystem', path: api.storeDir },
        status: 'ready',
        local: true,
      }),
    ]);
  });

  it('answers bad input with 400 REQUEST_INVALID and keeps nothing', async () => {
    const before = await rows();
    const bad: Array<[string, unknown]> = [
      ['Bad_Region', { storage: { type: 'filesystem', path: '/srv/store' } }],
      ['ap-south', {}],
      ['ap-south', { storage: { type: 'filesystem', path: 'relative/store' } }],
      ['ap-south', { storage: { type: 'filesystem', path: '/srv/store' }, natsDomain: 'a b' }],
      ['ap-south', { storage: { type: 'nfs', path: '/srv/store' } }],
      ['ap-south', { storage: { type: 's3', endpoint: 'http://127.0.0.1:1', bucket: 'b' } }],
      ['ap-south', { storage: { type: 'filesystem', path: '/srv/store' }, extra: true }],
      // the region called is the home region
      ['us-east', { storage: { type: 'filesystem', path: '/srv/store' } }],
    ];
    for (const [region, body] of bad) {
      const response = await api.call('PUT', `/api/v1/replications/${region}`, { body });
      const answer = await api.json<{ errors: Array<{ code: string }> }>(response, 400);
      expect(answer.errors[0]!.code).toBe('REQUEST_INVALID');
    }
    const malformed = await api.call('PUT', '/api/v1/replications/ap-south', {
      rawBody: '{"storage":',
    });
    expect(malformed.status).toBe(400);
    expect(await rows()).toEqual(before);
  });

  it('lets Owners change replications and readers read them', async () => {
    const body = { storage: { type: 'filesystem', path: '/srv/meridian/ap-south' } };
    expect((await fetch(`${api.url}/api/v1/replications`)).status).toBe(401);
    const reader = await api.principal('replications-reader', 'Reader');
    expect((await api.call('GET', '/api/v1/replications', { as: reader })).status).toBe(200);
    for (const role of ['Reader', 'AcrPush', 'Contributor']) {
      const as = await api.principal(`replications-${role.toLowerCase()}-writer`, role);
      expect((await api.call('PUT', '/api/v1/replications/ap-south', { as, body })).status).toBe(
        403,
      );
      expect((await api.call('DELETE', '/api/v1/replications/ap-south', { as })).status).toBe(403);
    }
    expect((await rows()).map((row) => row.region)).toEqual(['us-east']);
  });

  it('saves a region that does not answer as degraded with the reason, its secret sealed and never answered', async () => {
    const started = Date.now();
    const created = await api.json<View>(
      await api.call('PUT', '/api/v1/replications/ap-south', {
        body: {
          natsDomain: 'south',
          storage: {
            type: 's3',
            endpoint: 'http://127.0.0.1:1',
            bucket: 'ap-south-store',
            accessKeyId: 'ap-south-key',
            secretAccessKey: 'ap-south-very-secret',
          },
        },
      }),
      201,
    );
    // one short wait for the region, never a loop that holds the API
    expect(Date.now() - started).toBeLessThan(12_000);
    expect(created).toMatchObject({
      region: 'ap-south',
      natsDomain: 'south',
      storage: {
        type: 's3',
        endpoint: 'http://127.0.0.1:1',
        bucket: 'ap-south-store',
        region: 'us-east-1',
        accessKeyId: 'ap-south-key',
        forcePathStyle: true,
      },
      status: 'degraded',
      statusReason: 'the NATS domain of region ap-south does not answer across the link',
      local: false,
    });
    expect(JSON.stringify(created)).not.toContain('ap-south-very-secret');
    const [row] = (await rows()).filter((candidate) => candidate.region === 'ap-south');
    expect(row!.sealed).toMatch(/^aes-256-gcm:/);
    expect(row!.sealed).not.toContain('ap-south-very-secret');

    const listed = await api.json<{ replications: View[] }>(
      await api.call('GET', '/api/v1/replications'),
      200,
    );
    expect(listed.replications.map(({ region, status }) => ({ region, status }))).toEqual([
      { region: 'us-east', status: 'ready' },
      { region: 'ap-south', status: 'degraded' },
    ]);
    expect(JSON.stringify(listed)).not.toContain('ap-south-very-secret');
    const shown = await api.json<View>(await api.call('GET', '/api/v1/replications/ap-south'), 200);
    expect(shown.status).toBe('degraded');

    const updated = await api.call('PUT', '/api/v1/replications/ap-south', {
      body: { storage: { type: 'filesystem', path: '/srv/meridian/ap-south' } },
    });
    expect(await api.json<View>(updated, 200)).toMatchObject({
      natsDomain: 'ap-south',
      storage: { type: 'filesystem', path: '/srv/meridian/ap-south' },
      status: 'degraded',
    });
  }, 60_000);

  it('refuses to remove the region called, answers an unknown one with 404, and removes a replication', async () => {
    const own = await api.json<{ errors: Array<{ code: string; message: string }> }>(
      await api.call('DELETE', '/api/v1/replications/us-east'),
      400,
    );
    expect(own.errors[0]!.message).toMatch(/cannot remove the region you are calling/);
    const unknown = await api.json<{ errors: Array<{ code: string }> }>(
      await api.call('DELETE', '/api/v1/replications/sa-east'),
      404,
    );
    expect(unknown.errors[0]!.code).toBe('RESOURCE_UNKNOWN');
    expect((await api.call('GET', '/api/v1/replications/sa-east')).status).toBe(404);

    expect((await api.call('DELETE', '/api/v1/replications/ap-south')).status).toBe(204);
    expect((await api.call('GET', '/api/v1/replications/ap-south')).status).toBe(404);
    expect((await api.call('DELETE', '/api/v1/replications/ap-south')).status).toBe(404);
    const { replications } = await api.json<{ replications: View[] }>(
      await api.call('GET', '/api/v1/replications'),
      200,
    );
    expect(replications.map((replication) => replication.region)).toEqual(['us-east']);
    // a tombstone: the removal is kept, and travels to the regions that still know it
    expect(await rows()).toEqual([
      expect.objectContaining({ region: 'ap-south', deleted: true }),
      expect.objectContaining({ region: 'us-east', deleted: false }),
    ]);
  }, 60_000);
});
