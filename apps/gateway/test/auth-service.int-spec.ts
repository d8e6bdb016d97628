/**
 * The gateway with the real auth service behind it (apps/auth as a child process, its
 * admin account enabled): the token endpoint as docker login uses it, refresh tokens,
 * identities made through the management API and held to their rights on `/v2`, the
 * management API's own guard, key rotation under live tokens, and the failed-login bound,
 * per client address as a trusted proxy names it.
 */
import {
  blobOf,
  errorCode,
  expectStatus,
  imageManifest,
  pushImage,
  putManifest,
  randomBlob,
} from './oci-requests';
import { type RegistryUnderTest, requestingWith, startRegistry } from './registry.harness';

describe('gateway with the auth service', () => {
  let registry: RegistryUnderTest;

  beforeAll(async () => {
    // as behind an Ingress: the test's requests come from the proxy's address
    registry = await startRegistry({
      auth: 'service',
      gatewayEnv: { MERIDIAN_TRUSTED_PROXIES: '127.0.0.1' },
    });
    await pushImage(registry, 'shared/app', 'v1');
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
  });

  const basic = (username: string, password: string) =>
    `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const asAdmin = () => basic(registry.admin.username, registry.admin.password);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  async function manage<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await registry.anonymousRequest(`/api/v1${path}`, {
      method,
      headers: {
        authorization: asAdmin(),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  it('logs the admin in and pushes and pulls with its token', async () => {
    const token = await registry.token(['repository:login/app:pull,push'], registry.admin);
    const config = blobOf('{"by":"admin"}');
    const upload = await registry.request('/v2/login/app/blobs/uploads/', {
      method: 'POST',
      headers: bearer(token),
    });
    await expectStatus(upload, 202);
    await expectStatus(
      await registry.request(`${upload.headers.get('location')}?digest=${config.digest}`, {
        method: 'PUT',
        headers: bearer(token),
        body: config.bytes,
      }),
      201,
    );
    const manifest = imageManifest(config, []);
    await expectStatus(
      await registry.request('/v2/login/app/manifests/v1', {
        method: 'PUT',
        headers: { ...bearer(token), 'content-type': manifest.mediaType },
        body: manifest.body,
      }),
      201,
    );

    const pulled = await registry.request('/v2/login/app/manifests/v1', { headers: bearer(token) });
    expect(pulled.status).toBe(200);
    expect(Buffer.from(await pulled.arrayBuffer())).toEqual(manifest.body);
  });

  it('issues a refresh token for access_type=offline, and a new access token for it', async () => {
    const form = (fields: Record<string, string>) =>
      registry.anonymousRequest('/oauth2/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ service: 'meridian', ...fields }).toString(),
      });
    const login = await form({
      grant_type: 'password',
      username: registry.admin.username,
      password: registry.admin.password,
      access_type: 'offline',
      scope: 'repository:shared/app:pull',
    });
    await expectStatus(login, 200);
    const { refresh_token } = (await login.json()) as { refresh_token: string };
    expect(refresh_token).toEqual(expect.any(String));

    const refreshed = await form({
      grant_type: 'refresh_token',
      refresh_token,
      scope: 'repository:shared/app:pull',
    });
    await expectStatus(refreshed, 200);
    const { access_token } = (await refreshed.json()) as { access_token: string };
    const pulled = await registry.request('/v2/shared/app/manifests/v1', {
      headers: bearer(access_token),
    });
    expect(pulled.status).toBe(200);

    const forged = await form({ grant_type: 'refresh_token', refresh_token: 'not-a-token' });
    expect(forged.status).toBe(401);
  });

  it('holds a service principal with AcrPull to pulling', async () => {
    const { secret } = await manage<{ secret: string }>('PUT', '/service-principals/puller', {
      roles: ['AcrPull'],
    });
    const puller = { username: 'puller', password: secret };

    const token = await registry.token(['repository:shared/app:pull,push'], puller);

    const pulled = await registry.request('/v2/shared/app/manifests/v1', {
      headers: bearer(token),
    });
    expect(pulled.status).toBe(200);
    const push = await registry.request('/v2/shared/app/blobs/uploads/', {
      method: 'POST',
      headers: bearer(token),
    });
    expect(push.status).toBe(401);
    expect(push.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  it('holds a scope-map token for team-a/* to team-a', async () => {
    await manage('PUT', '/scope-maps/team-a', {
      rules: [{ repository: 'team-a/*', actions: ['content/read', 'content/write'] }],
    });
    await manage('PUT', '/tokens/team-a-ci', { scopeMap: 'team-a' });
    const { password } = await manage<{ password: { value: string } }>(
      'POST',
      '/tokens/team-a-ci/passwords/1/generate',
      {},
    );
    const teamA = { username: 'team-a-ci', password: password.value };
    const token = await registry.token(
      ['repository:team-a/x:pull,push', 'repository:team-b/x:pull,push'],
      teamA,
    );
    const asTeamA = requestingWith(registry, bearer(token));

    await pushImage(asTeamA, 'team-a/x', 'v1');
    const config = randomBlob(64);
    const refused = await putManifest(asTeamA, 'team-b/x', 'v1', imageManifest(config, []));
    expect(refused.status).toBe(401);
    expect(await errorCode(refused)).toBe('UNAUTHORIZED');
  });

  it("lists only a scope-map token's repositories in the catalog, on /v2 and /acr/v1", async () => {
    await manage('PUT', '/scope-maps/team-a-reader', {
      rules: [{ repository: 'team-a/*', actions: ['content/read', 'metadata/read'] }],
    });
    await manage('PUT', '/tokens/team-a-reader', { scopeMap: 'team-a-reader' });
    const { password } = await manage<{ password: { value: string } }>(
      'POST',
      '/tokens/team-a-reader/passwords/1/generate',
      {},
    );
    const reader = { username: 'team-a-reader', password: password.value };
    const token = await registry.token(
      ['registry:catalog:*', 'repository:team-a/x:metadata_read'],
      reader,
    );

    for (const path of ['/v2/_catalog', '/acr/v1/_catalog']) {
      const listed = await registry.request(path, { headers: bearer(token) });
      expect(await (await expectStatus(listed, 200)).json()).toEqual({
        repositories: ['team-a/x'],
      });
    }
    const tags = await registry.request('/acr/v1/team-a/x/_tags', { headers: bearer(token) });
    const body = (await (await expectStatus(tags, 200)).json()) as { tags: { name: string }[] };
    expect(body.tags.map((tag) => tag.name)).toEqual(['v1']);
    const admin = await registry.token(['registry:catalog:*'], registry.admin);
    const everything = await registry.request('/v2/_catalog', { headers: bearer(admin) });
    expect(await everything.json()).toEqual({
      repositories: expect.arrayContaining(['shared/app', 'team-a/x']),
    });
  });

  it('guards the management API: 401 without credentials, 403 without the right', async () => {
    const anonymous = await registry.anonymousRequest('/api/v1/service-principals');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic /);

    const { secret } = await manage<{ secret: string }>('PUT', '/service-principals/reader', {
      roles: ['Reader'],
    });
    const denied = await registry.anonymousRequest('/api/v1/service-principals', {
      headers: { authorization: basic('reader', secret) },
    });
    expect(denied.status).toBe(403);
    expect(await errorCode(denied)).toBe('DENIED');
  });

  it('keeps live tokens valid when the signing key rotates', async () => {
    const before = await registry.token(['repository:shared/app:pull'], registry.admin);

    await manage('POST', '/signing-keys/rotate');
    const after = await registry.token(['repository:shared/app:pull'], registry.admin);

    for (const token of [before, after]) {
      const pulled = await registry.request('/v2/shared/app/manifests/v1', {
        headers: bearer(token),
      });
      expect(pulled.status).toBe(200);
    }
  });

  it('answers a run of failed logins with 429 and Retry-After', async () => {
    let last: Response | undefined;
    for (let attempt = 0; attempt < 30; attempt += 1) {
      last = await registry.anonymousRequest('/oauth2/token?service=meridian', {
        headers: { authorization: basic('puller', 'wrong') },
      });
      await last.arrayBuffer();
      if (last.status === 429) break;
      expect(last.status).toBe(401);
    }

    expect(last?.status).toBe(429);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it("backs off the address that failed, not the real user's behind the same proxy", async () => {
    const { secret } = await manage<{ secret: string }>('PUT', '/service-principals/proxied', {
      roles: ['AcrPull'],
    });
    const login = (password: string, clientAddr: string) =>
      registry.anonymousRequest('/oauth2/token?service=meridian', {
        headers: { authorization: basic('proxied', password), 'x-forwarded-for': clientAddr },
      });
    let last: Response | undefined;
    for (let attempt = 0; attempt < 30; attempt += 1) {
      last = await login('wrong', '203.0.113.66');
      await last.arrayBuffer();
      if (last.status === 429) break;
      expect(last.status).toBe(401);
    }
    expect(last?.status).toBe(429);

    const user = await login(secret, '198.51.100.20');
    expect(user.status).toBe(200);
  });
});
