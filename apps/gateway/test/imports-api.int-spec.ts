/**
 * The import and credential-set APIs (`/api/v1/imports`, `/api/v1/credential-sets`) through
 * the gateway in this process, with the real auth, blob, manifest and replication services as
 * child processes, their own nats-server and a fresh Postgres database: who may call them,
 * bad input refused with 400 before any job or set exists, secrets sealed at rest and never
 * answered back, and an import from a real distribution pulled through the gateway. The
 * import's own rules are proven in apps/replication/test/imports.int-spec.ts. And the cache
 * rules (`/api/v1/cache-rules`) the pull-through cache follows: kept for the same callers,
 * bad ones refused with nothing kept (the pull-through itself: e2e/src/cache.e2e-spec.ts).
 */
import { randomBytes } from 'node:crypto';
import { DistributionRegistry, expectEventually } from '@meridian/testing';
import postgres from 'postgres';
import { type ManagementApiUnderTest, startManagementApi } from './management-api.harness';

describe('import and credential-set management API', () => {
  let api: ManagementApiUnderTest;
  let sql: postgres.Sql;
  let upstream: DistributionRegistry;

  beforeAll(async () => {
    upstream = await DistributionRegistry.start();
    api = await startManagementApi({
      name: 'imports-api',
      services: ['blob', 'manifest', 'replication'],
      env: {
        MERIDIAN_CREDENTIALS_SECRET_KEY: 'imports-api-credentials-key',
        MERIDIAN_INSECURE_UPSTREAMS: upstream.host,
        MERIDIAN_UPSTREAM_ALLOWED_HOSTS: '127.0.0.1',
      },
    });
    // the replication service's tables, read directly: bad input must leave them as they were
    sql = postgres(api.databaseUrl, { max: 1 });
  }, 120_000);

  afterAll(async () => {
    await sql?.end();
    await api?.stop();
    await upstream?.dispose();
  });

  async function count(table: 'import_jobs' | 'credential_sets' | 'cache_rules'): Promise<number> {
    const [row] = await sql<
      { count: string }[]
    >`select count(*) from ${sql('replication')}.${sql(table)}`;
    return Number(row?.count);
  }

  it('imports for Owners and Contributors, refuses the others, and the image pulls through the gateway', async () => {
    const client = upstream.client;
    const config = await client.pushBlob(
      'library/tool',
      '{"os":"linux"}',
      'application/vnd.oci.image.config.v1+json',
    );
    const layer = await client.pushBlob(
      'library/tool',
      randomBytes(50_000),
      'application/vnd.oci.image.layer.v1.tar+gzip',
    );
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config,
        layers: [layer],
      }),
    );
    await client.putManifest(
      'library/tool',
      '3',
      manifest,
      'application/vnd.oci.image.manifest.v1+json',
    );
    const body = { source: `${upstream.host}/library/tool:3`, target: 'tools/tool:3' };

    expect((await fetch(`${api.url}/api/v1/imports`, { method: 'POST' })).status).toBe(401);
    for (const role of ['AcrPull', 'AcrPush', 'Reader']) {
      const as = await api.principal(`import-${role.toLowerCase()}`, role);
      expect((await api.call('POST', '/api/v1/imports', { as, body })).status).toBe(403);
      expect((await api.call('GET', '/api/v1/credential-sets', { as })).status).toBe(403);
    }
    const contributor = await api.principal('import-contributor', 'Contributor');
    const started = await api.json<{ id: string; state: string }>(
      await api.call('POST', '/api/v1/imports', { as: contributor, body }),
      202,
    );
    expect(started.state).toBe('queued');
    const job = await expectEventually(async () => {
      const shown = await api.json<{ state: string }>(
        await api.call('GET', `/api/v1/imports/${started.id}`, { as: contributor }),
        200,
      );
      expect(shown.state).toBe('succeeded');
      return shown;
    });
    expect(job).toMatchObject({
      id: started.id,
      source: body.source,
      targets: [body.target],
      progress: { blobsDone: 2, blobsTotal: 2, bytesTotal: config.size + layer.size },
    });
    const token = await api.json<{ token: string }>(
      await api.call('GET', '/oauth2/token?service=meridian&scope=repository:tools/tool:pull'),
      200,
    );
    const pull = (path: string) =>
      fetch(`${api.url}${path}`, {
        headers: {
          authorization: `Bearer ${token.token}`,
          accept: 'application/vnd.oci.image.manifest.v1+json',
        },
      });
    const pulled = await pull('/v2/tools/tool/manifests/3');
    expect(pulled.status).toBe(200);
    expect(Buffer.from(await pulled.arrayBuffer()).equals(manifest)).toBe(true);
    const blob = await pull(`/v2/tools/tool/blobs/${layer.digest}`);
    expect(blob.status).toBe(200);
    expect((await blob.arrayBuffer()).byteLength).toBe(layer.size);
  });

  it('answers bad input with 400 REQUEST_INVALID and queues no job', async () => {
    const before = await count('import_jobs');
    const valid = { source: `${upstream.host}/library/tool:3`, target: 'tools/tool:3' };
    const bad: unknown[] = [
      {},
      { ...valid, source: 'not a reference' },
      { ...valid, source: `${upstream.host}/Library/Tool:3` },
      { ...valid, source: `${upstream.host}/library/tool@sha256:abc` },
      { ...valid, target: 'Tools/x' },
      { ...valid, target: 'tools/x:bad tag' },
      { ...valid, target: [] },
      { ...valid, force: 'yes' },
      { ...valid, credentials: { username: 'u' } },
      { ...valid, credentials: { username: 'u', password: 'p' }, credentialSet: 'a' },
      { ...valid, credentialSet: 'Not_A_Name' },
      { ...valid, platform: 'linux' },
      { ...valid, unexpected: true },
    ];
    for (const body of bad) {
      const refused = await api.json<{ errors: Array<{ code: string }> }>(
        await api.call('POST', '/api/v1/imports', { body }),
        400,
      );
      expect(refused.errors[0]?.code).toBe('REQUEST_INVALID');
    }
    await api.json(await api.call('POST', '/api/v1/imports', { rawBody: '{"source":' }), 400);
    const unknownSet = await api.json<{ errors: Array<{ code: string }> }>(
      await api.call('POST', '/api/v1/imports', { body: { ...valid, credentialSet: 'nobody' } }),
      404,
    );
    expect(unknownSet.errors[0]?.code).toBe('RESOURCE_UNKNOWN');
    expect(await count('import_jobs')).toBe(before);
  });

  it('answers an unknown job with 404 and a malformed id with 400', async () => {
    const unknown = await api.json<{ errors: Array<{ code: string }> }>(
      await api.call('GET', '/api/v1/imports/00000000-0000-4000-8000-000000000000'),
      404,
    );
    expect(unknown.errors[0]?.code).toBe('RESOURCE_UNKNOWN');
    await api.json(await api.call('GET', '/api/v1/imports/not-a-job'), 400);
  });

  it('keeps credential sets sealed at rest and never answers the secret', async () => {
    const password = 'upstream-secret-password';
    const created = await api.json(
      await api.call('PUT', '/api/v1/credential-sets/hub', { body: { username: 'me', password } }),
      201,
    );
    expect(created).toMatchObject({ name: 'hub', kind: 'password', username: 'me' });
    const replaced = await api.json(
      await api.call('PUT', '/api/v1/credential-sets/hub', { body: { username: 'me', password } }),
      200,
    );
    expect(replaced).toMatchObject({ name: 'hub' });
    await api.json(
      await api.call('PUT', '/api/v1/credential-sets/ghcr', { body: { token: 'tok-secret' } }),
      201,
    );

    const listed = await api.call('GET', '/api/v1/credential-sets');
    const listedText = await listed.text();
    expect(listed.status).toBe(200);
    expect(JSON.parse(listedText)).toEqual({
      credentialSets: [
        expect.objectContaining({ name: 'ghcr', kind: 'token' }),
        expect.objectContaining({ name: 'hub', kind: 'password', username: 'me' }),
      ],
    });
    const shown = await (await api.call('GET', '/api/v1/credential-sets/hub')).text();
    for (const text of [listedText, shown]) {
      expect(text).not.toContain(password);
      expect(text).not.toContain('tok-secret');
    }
    const stored = await sql<{ secret: string }[]>`select secret from replication.credential_sets`;
    for (const { secret } of stored) {
      expect(secret).toMatch(/^aes-256-gcm:/);
      expect(secret).not.toContain(password);
    }

    const before = await count('credential_sets');
    for (const body of [
      {},
      { username: 'me' },
      { token: '' },
      { username: 'me', password: 'p', token: 't' },
    ]) {
      await api.json(await api.call('PUT', '/api/v1/credential-sets/bad', { body }), 400);
    }
    await api.json(
      await api.call('PUT', '/api/v1/credential-sets/Bad_Name', { body: { token: 't' } }),
      400,
    );
    expect(await count('credential_sets')).toBe(before);

    expect((await api.call('DELETE', '/api/v1/credential-sets/ghcr')).status).toBe(204);
    await api.json(await api.call('GET', '/api/v1/credential-sets/ghcr'), 404);
    await api.json(await api.call('DELETE', '/api/v1/credential-sets/ghcr'), 404);
  });

  it('keeps cache rules for Owners and Contributors, and refuses bad ones keeping nothing', async () => {
    const rule = { source: `${upstream.host}/library/*`, target: 'mirror/*' };
    for (const role of ['AcrPull', 'Reader']) {
      const as = await api.principal(`cache-${role.toLowerCase()}`, role);
      expect((await api.call('PUT', '/api/v1/cache-rules/mirror', { as, body: rule })).status).toBe(
        403,
      );
      expect((await api.call('GET', '/api/v1/cache-rules', { as })).status).toBe(403);
    }
    const contributor = await api.principal('cache-contributor', 'Contributor');
    expect(
      await api.json(
        await api.call('PUT', '/api/v1/cache-rules/mirror', { as: contributor, body: rule }),
        201,
      ),
    ).toMatchObject({ name: 'mirror', ...rule, tagTtl: '1h', tagTtlSeconds: 3600 });
    expect(
      await api.json(
        await api.call('PUT', '/api/v1/cache-rules/mirror', { body: { ...rule, tagTtl: '10m' } }),
        200,
      ),
    ).toMatchObject({ tagTtl: '10m', tagTtlSeconds: 600 });

    const before = await count('cache_rules');
    const refusals: Array<[object, RegExp]> = [
      [{ source: 'library/*', target: 'other/*' }, /source/],
      [{ source: `${upstream.host}/library/*`, target: 'other' }, /both/],
      [{ ...rule, target: 'mirror/sub/*' }, /overlaps the target mirror\/\* of cache rule mirror/],
      [
        { source: `${upstream.host}/a`, target: 'other', credentialSet: 'missing' },
        /credential set/,
      ],
      [{ source: `${upstream.host}/a`, target: 'other', tagTtl: '99d' }, /tagTtl/],
      [{ source: `${upstream.host}/a`, target: 'other', extra: 1 }, /extra/],
    ];
    for (const [body, problem] of refusals) {
      const answer = await api.json<{ errors: Array<{ code: string; message: string }> }>(
        await api.call('PUT', '/api/v1/cache-rules/other', { body }),
        400,
      );
      expect(answer.errors[0]).toMatchObject({
        code: 'REQUEST_INVALID',
        message: expect.stringMatching(problem),
      });
    }
    await api.json(await api.call('PUT', '/api/v1/cache-rules/other', { rawBody: '{' }), 400);
    await api.json(
      await api.call('PUT', '/api/v1/cache-rules/Bad_Name', {
        body: { source: `${upstream.host}/a`, target: 'other' },
      }),
      400,
    );
    expect(await count('cache_rules')).toBe(before);

    expect(
      await api.json<{ cacheRules: Array<{ name: string }> }>(
        await api.call('GET', '/api/v1/cache-rules'),
        200,
      ),
    ).toMatchObject({ cacheRules: [{ name: 'mirror' }] });
    expect((await api.call('DELETE', '/api/v1/cache-rules/mirror')).status).toBe(204);
    await api.json(await api.call('GET', '/api/v1/cache-rules/mirror'), 404);
    await api.json(await api.call('DELETE', '/api/v1/cache-rules/mirror'), 404);
  });
});
