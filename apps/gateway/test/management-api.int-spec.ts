/**
 * The identity management API (`/api/v1/…`) end to end: the gateway in this process, the
 * real auth service as a child process (`apps/auth/src/main.ts`, admin account enabled with
 * MERIDIAN_ADMIN_PASSWORD), its own nats-server and a fresh Postgres database. What is
 * created here logs in through the gateway's own `/oauth2/token`.
 */
import { decodeJwt } from 'jose';
import {
  type Credentials,
  type ManagementApiUnderTest,
  startManagementApi,
} from './management-api.harness';

describe('identity management API', () => {
  let api: ManagementApiUnderTest;

  beforeAll(async () => {
    api = await startManagementApi({ name: 'management-api' });
  }, 120_000);

  afterAll(async () => {
    await api?.stop();
  });

  async function tokenAccess(as: Credentials, scopes: string[]): Promise<unknown> {
    const query = new URLSearchParams({ service: 'meridian' });
    for (const scope of scopes) query.append('scope', scope);
    const basic = Buffer.from(`${as.username}:${as.password}`).toString('base64');
    const response = await fetch(`${api.url}/oauth2/token?${query}`, {
      headers: { authorization: `Basic ${basic}` },
    });
    const { token } = await api.json<{ token: string }>(response, 200);
    return decodeJwt(token)['access'];
  }

  it('refuses callers without credentials, and callers without the Owner role', async () => {
    const anonymous = await fetch(`${api.url}/api/v1/service-principals`);
    expect(anonymous.status).toBe(401);
    const created = await api.json<{ secret: string }>(
      await api.call('PUT', '/api/v1/service-principals/ci-reader', {
        body: { roles: ['AcrPull'] },
      }),
      201,
    );
    const reader = { username: 'ci-reader', password: created.secret };
    const refused = await api.call('GET', '/api/v1/service-principals', { as: reader });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe(
      'DENIED',
    );
  });

  it('manages a service principal: create (secret once), roles, reset, delete', async () => {
    const created = await api.json<{ id: string; roles: string[]; secret: string }>(
      await api.call('PUT', '/api/v1/service-principals/deployer', {
        body: { description: 'CD pipeline', roles: ['AcrPull'] },
      }),
      201,
    );
    expect(created).toMatchObject({ id: 'deployer', roles: ['AcrPull'] });
    const deployer = { username: 'deployer', password: created.secret };
    expect(await tokenAccess(deployer, ['repository:team/app:pull,push'])).toEqual([
      { type: 'repository', name: 'team/app', actions: ['pull'] },
    ]);

    const withPush = await api.json<{ roles: string[] }>(
      await api.call('PUT', '/api/v1/service-principals/deployer/roles/AcrPush'),
      200,
    );
    expect(withPush.roles).toEqual(['AcrPull', 'AcrPush']);
    expect(await tokenAccess(deployer, ['repository:team/app:pull,push'])).toEqual([
      { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
    ]);
    await api.json(
      await api.call('DELETE', '/api/v1/service-principals/deployer/roles/AcrPull'),
      200,
    );

    const shown = await api.json(await api.call('GET', '/api/v1/service-principals/deployer'), 200);
    expect(shown).toMatchObject({ id: 'deployer', roles: ['AcrPush'], description: 'CD pipeline' });
    expect(JSON.stringify(shown)).not.toContain(created.secret);
    const listed = await api.json<{ servicePrincipals: Array<{ id: string }> }>(
      await api.call('GET', '/api/v1/service-principals'),
      200,
    );
    expect(listed.servicePrincipals.map((principal) => principal.id)).toContain('deployer');

    const reset = await api.json<{ secret: string }>(
      await api.call('POST', '/api/v1/service-principals/deployer/reset-secret'),
      200,
    );
    const oldLogin = await fetch(`${api.url}/oauth2/token?service=meridian`, {
      headers: {
        authorization: `Basic ${Buffer.from(`deployer:${created.secret}`).toString('base64')}`,
      },
    });
    expect(oldLogin.status).toBe(401);
    await tokenAccess({ username: 'deployer', password: reset.secret }, []);

    expect((await api.call('DELETE', '/api/v1/service-principals/deployer')).status).toBe(204);
    const gone = await api.call('GET', '/api/v1/service-principals/deployer');
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe(
      'RESOURCE_UNKNOWN',
    );
  });

  it('binds a token to a scope map: team-a/* granted, team-b/* not; disabled, refused', async () => {
    await api.json(
      await api.call('PUT', '/api/v1/scope-maps/team-a-writers', {
        body: {
          rules: [{ repository: 'team-a/*', actions: ['content/read', 'content/write'] }],
        },
      }),
      201,
    );
    const token = await api.json(
      await api.call('PUT', '/api/v1/tokens/team-a-ci', { body: { scopeMap: 'team-a-writers' } }),
      201,
    );
    expect(token).toMatchObject({ name: 'team-a-ci', status: 'enabled', passwords: [] });
    const generated = await api.json<{ password: { slot: number; value: string } }>(
      await api.call('POST', '/api/v1/tokens/team-a-ci/passwords/1/generate', {
        body: { expiresAt: new Date(Date.now() + 86_400_000).toISOString() },
      }),
      200,
    );
    expect(generated.password.slot).toBe(1);
    const login = { username: 'team-a-ci', password: generated.password.value };
    expect(
      await tokenAccess(login, ['repository:team-a/x:pull,push', 'repository:team-b/x:pull,push']),
    ).toEqual([{ type: 'repository', name: 'team-a/x', actions: ['pull', 'push'] }]);

    await api.json(
      await api.call('PATCH', '/api/v1/tokens/team-a-ci', { body: { status: 'disabled' } }),
      200,
    );
    const refused = await fetch(`${api.url}/oauth2/token?service=meridian`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${login.username}:${login.password}`).toString('base64')}`,
      },
    });
    expect(refused.status).toBe(401);

    const inUse = await api.call('DELETE', '/api/v1/scope-maps/team-a-writers');
    expect(inUse.status).toBe(403);
    expect((await api.call('DELETE', '/api/v1/tokens/team-a-ci')).status).toBe(204);
    expect((await api.call('DELETE', '/api/v1/scope-maps/team-a-writers')).status).toBe(204);
  });

  it('answers invalid input with 400 REQUEST_INVALID naming what is wrong', async () => {
    const cases: Array<[string, string, { body?: unknown; rawBody?: string }, RegExp]> = [
      ['PUT', '/api/v1/scope-maps/bad', { body: { rules: [] } }, /rules/],
      [
        'PUT',
        '/api/v1/scope-maps/bad',
        { body: { rules: [{ repository: 'Team/App', actions: ['content/read'] }] } },
        /repository/,
      ],
      [
        'PUT',
        '/api/v1/scope-maps/bad',
        { body: { rules: [{ repository: 'app', actions: ['read'] }] } },
        /actions/,
      ],
      ['PUT', '/api/v1/service-principals/x/roles/Superuser', {}, /Superuser|role|option/i],
      ['PUT', '/api/v1/service-principals/bad%20name', {}, /letters, digits/],
      ['POST', '/api/v1/admin/passwords/3/renew', {}, /.+/],
      ['PUT', '/api/v1/settings', { rawBody: '{not json' }, /not JSON/],
      ['PUT', '/api/v1/settings', { body: { anonymousPull: 'yes' } }, /anonymousPull/],
      ['PUT', '/api/v1/tokens/t1', { body: { scopeMap: 'no-such-map' } }, /no-such-map/],
    ];
    for (const [method, path, options, message] of cases) {
      const response = await api.call(method, path, options);
      const body = (await response.json()) as { errors: Array<{ code: string; message: string }> };
      expect({ path, status: response.status, code: body.errors[0]?.code }).toEqual({
        path,
        status: 400,
        code: 'REQUEST_INVALID',
      });
      expect(body.errors[0]?.message).toMatch(message);
    }
  });

  it('switches anonymous pull, shows and renews the admin passwords, rotates the signing key', async () => {
    expect(await api.json(await api.call('GET', '/api/v1/settings'), 200)).toEqual({
      anonymousPull: false,
    });
    expect(
      await api.json(
        await api.call('PUT', '/api/v1/settings', { body: { anonymousPull: true } }),
        200,
      ),
    ).toEqual({ anonymousPull: true });
    await api.json(
      await api.call('PUT', '/api/v1/settings', { body: { anonymousPull: false } }),
      200,
    );

    const shown = await api.json<{ enabled: boolean; passwords: Array<{ slot: number }> }>(
      await api.call('GET', '/api/v1/admin'),
      200,
    );
    expect(shown.enabled).toBe(true);
    const renewed = await api.json<{ username: string; password: { value: string } }>(
      await api.call('POST', '/api/v1/admin/passwords/2/renew'),
      200,
    );
    expect(renewed.username).toBe('admin');
    await tokenAccess({ username: 'admin', password: renewed.password.value }, []);
    // renewed again, the password that just logged in (and was verified a moment ago) is refused
    const replacing = await api.json<{ password: { value: string } }>(
      await api.call('POST', '/api/v1/admin/passwords/2/renew'),
      200,
    );
    const basic = Buffer.from(`admin:${renewed.password.value}`).toString('base64');
    const replaced = await fetch(`${api.url}/oauth2/token?service=meridian`, {
      headers: { authorization: `Basic ${basic}` },
    });
    expect(replaced.status).toBe(401);
    await tokenAccess({ username: 'admin', password: replacing.password.value }, []);

    const before = await api.json<{ keys: Array<{ kid: string }> }>(
      await api.call('GET', '/api/v1/signing-keys'),
      200,
    );
    const rotated = await api.json<{ kid: string }>(
      await api.call('POST', '/api/v1/signing-keys/rotate'),
      200,
    );
    const after = await api.json<{ keys: Array<{ kid: string; retiredAt?: string }> }>(
      await api.call('GET', '/api/v1/signing-keys'),
      200,
    );
    expect(after.keys.map((key) => key.kid).sort()).toEqual(
      [...before.keys.map((key) => key.kid), rotated.kid].sort(),
    );
  });
});
