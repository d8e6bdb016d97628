/**
 * The gateway authorizes every `/v2` request with the token the client fetched from
 * `/oauth2/token`, verified against the auth service's published keys (here the test
 * issuer's, over real NATS): refused tokens, scopes that do not cover the request, anonymous
 * pull, key rotation, and what each refusal tells the client; whose address the token
 * endpoint passes on (a trusted proxy's X-Forwarded-For, no one else's), and which Host a
 * realm may be built from.
 */
import { request as httpRequest } from 'node:http';
import { expectEventually } from '@meridian/testing';
import { base64url } from 'jose';
import {
  blobOf,
  errorCode,
  expectStatus,
  imageManifest,
  pushBlob,
  pushImage,
  putManifest,
  randomBlob,
} from './oci-requests';
import { type RegistryUnderTest, requestingWith, startRegistry } from './registry.harness';
import { TestTokenIssuer } from './test-token-issuer';

describe('gateway authorization', () => {
  let registry: RegistryUnderTest;
  let realm: string;
  const puller = { username: 'puller', password: 'puller-secret' };

  beforeAll(async () => {
    registry = await startRegistry();
    realm = `${registry.url}/oauth2/token`;
    registry.auth.accounts.set(puller.username, {
      password: puller.password,
      allows: (entry) => entry.actions.filter((action) => action === 'pull'),
    });
    await pushImage(registry, 'auth/app', 'v1');
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
  });

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const pullApp = [{ type: 'repository', name: 'auth/app', actions: ['pull'] }];

  describe('without a token', () => {
    it('answers /v2/ with 401 and where to get a token', async () => {
      const response = await registry.anonymousRequest('/v2/');

      expect(response.status).toBe(401);
      expect(await errorCode(response)).toBe('UNAUTHORIZED');
      expect(response.headers.get('www-authenticate')).toBe(
        `Bearer realm="${realm}",service="meridian"`,
      );
    });

    it('names the scope a pull needs', async () => {
      const response = await registry.anonymousRequest('/v2/auth/app/manifests/v1');

      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe(
        `Bearer realm="${realm}",service="meridian",scope="repository:auth/app:pull"`,
      );
    });

    it('names pull,push for a push, and the catalog scope for the catalog', async () => {
      const push = await registry.anonymousRequest('/v2/auth/app/blobs/uploads/', {
        method: 'POST',
      });
      const catalog = await registry.anonymousRequest('/v2/_catalog');

      expect(push.headers.get('www-authenticate')).toContain(
        'scope="repository:auth/app:pull,push"',
      );
      expect(catalog.headers.get('www-authenticate')).toContain('scope="registry:catalog:*"');
    });
  });

  describe('the token endpoint', () => {
    it('issues a token for good Basic credentials, as docker login asks', async () => {
      const basic = Buffer.from(`${registry.admin.username}:${registry.admin.password}`);
      const response = await registry.anonymousRequest(
        '/oauth2/token?service=meridian&scope=repository:auth/app:pull&client_id=docker&offline_token=true',
        { headers: { authorization: `Basic ${basic.toString('base64')}` } },
      );

      expect(response.status).toBe(200);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ expires_in: 300, token: body['access_token'] });
      expect(typeof body['issued_at']).toBe('string');
      const pulled = await registry.request('/v2/auth/app/manifests/v1', {
        headers: bearer(body['token'] as string),
      });
      expect(pulled.status).toBe(200);
    });

    it('issues a token for the OAuth2 password grant', async () => {
      const response = await registry.anonymousRequest('/oauth2/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'password',
          username: registry.admin.username,
          password: registry.admin.password,
          service: 'meridian',
          scope: 'repository:auth/app:pull',
        }).toString(),
      });

      expect(response.status).toBe(200);
      const { access_token } = (await response.json()) as { access_token: string };
      const pulled = await registry.request('/v2/auth/app/tags/list', {
        headers: bearer(access_token),
      });
      expect(pulled.status).toBe(200);
    });

    it('refuses a wrong password with 401 UNAUTHORIZED and a Basic challenge', async () => {
      const basic = Buffer.from(`${registry.admin.username}:wrong`).toString('base64');
      const response = await registry.anonymousRequest('/oauth2/token?service=meridian', {
        headers: { authorization: `Basic ${basic}` },
      });

      expect(response.status).toBe(401);
      expect(await errorCode(response)).toBe('UNAUTHORIZED');
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm="meridian"/);
    });

    it('refuses an unknown grant type', async () => {
      const response = await registry.anonymousRequest('/oauth2/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });

      expect(response.status).toBe(405);
      expect(await errorCode(response)).toBe('UNSUPPORTED');
    });
  });

  describe('refused tokens', () => {
    const refused = async (token: string): Promise<void> => {
      const response = await registry.request('/v2/auth/app/manifests/v1', {
        headers: bearer(token),
      });
      expect(response.status).toBe(401);
      expect(await errorCode(response)).toBe('UNAUTHORIZED');
      expect(response.headers.get('www-authenticate')).toBe(
        `Bearer realm="${realm}",service="meridian",scope="repository:auth/app:pull",error="invalid_token"`,
      );
    };

    it('accepts the well-formed token these cases are variations of', async () => {
      const response = await registry.request('/v2/auth/app/manifests/v1', {
        headers: bearer(await registry.auth.mint({ access: pullApp })),
      });
      expect(response.status).toBe(200);
    });

    it('refuses alg none', async () => {
      const [, payload] = (await registry.auth.mint({ access: pullApp })).split('.');
      const header = base64url.encode(
        JSON.stringify({ alg: 'none', kid: registry.auth.signingKey.kid }),
      );
      await refused(`${header}.${payload}.`);
    });

    it('refuses a token signed with a key that is not published', async () => {
      const stranger = await TestTokenIssuer.generateKey(registry.auth.signingKey.kid);
      await refused(await registry.auth.mint({ access: pullApp, key: stranger }));
    });

    it('refuses a token for another audience', async () => {
      await refused(await registry.auth.mint({ access: pullApp, aud: 'other-registry' }));
    });

    it('refuses a token from another issuer', async () => {
      await refused(await registry.auth.mint({ access: pullApp, iss: 'someone-else' }));
    });

    it('refuses an expired token', async () => {
      await refused(await registry.auth.mint({ access: pullApp, expiresInSeconds: -60 }));
    });

    it('refuses a token whose access claim was tampered with', async () => {
      const [header, payload, signature] = (await registry.auth.mint({ access: [] })).split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
      claims.access = pullApp;
      await refused(`${header}.${base64url.encode(JSON.stringify(claims))}.${signature}`);
    });
  });

  describe('scopes', () => {
    it('does not let a pull-only token push, and says what is missing', async () => {
      const token = await registry.token(['repository:auth/app:pull,push'], puller);
      const config = blobOf('{"pushed-by":"puller"}');
      const layer = randomBlob(512);

      const upload = await registry.request('/v2/auth/app/blobs/uploads/', {
        method: 'POST',
        headers: bearer(token),
      });
      const manifest = await registry.request('/v2/auth/app/manifests/puller', {
        method: 'PUT',
        headers: { ...bearer(token), 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
        body: imageManifest(config, [layer]).body,
      });

      for (const response of [upload, manifest]) {
        expect(response.status).toBe(401);
        expect(await errorCode(response)).toBe('UNAUTHORIZED');
        expect(response.headers.get('www-authenticate')).toBe(
          `Bearer realm="${realm}",service="meridian",scope="repository:auth/app:pull,push",error="insufficient_scope"`,
        );
      }
      const pulled = await registry.request('/v2/auth/app/manifests/v1', {
        headers: bearer(token),
      });
      expect(pulled.status).toBe(200);
      expect((await registry.request('/v2/auth/app/manifests/puller')).status).toBe(404);
    });

    it('does not let a token for one repository open another', async () => {
      await pushImage(registry, 'auth/other', 'v1');
      const token = await registry.token(['repository:auth/app:pull,push,delete'], registry.admin);

      for (const [method, path] of [
        ['GET', '/v2/auth/other/manifests/v1'],
        ['GET', '/v2/auth/other/tags/list'],
        ['POST', '/v2/auth/other/blobs/uploads/'],
        ['DELETE', '/v2/auth/other/manifests/v1'],
      ] as const) {
        const response = await registry.request(path, { method, headers: bearer(token) });
        expect({ method, path, status: response.status }).toEqual({ method, path, status: 401 });
      }
      expect((await registry.request('/v2/auth/other/manifests/v1')).status).toBe(200);
    });

    it('needs the catalog scope for the catalog', async () => {
      const token = await registry.token(['repository:auth/app:pull'], registry.admin);

      const response = await registry.request('/v2/_catalog', { headers: bearer(token) });

      expect(response.status).toBe(401);
    });

    it('needs pull on the source of a mount', async () => {
      const blob = randomBlob(256);
      await pushBlob(registry, 'auth/source', blob);
      const token = await registry.token(['repository:auth/target:pull,push'], registry.admin);

      const response = await registry.request(
        `/v2/auth/target/blobs/uploads/?mount=${blob.digest}&from=auth/source`,
        { method: 'POST', headers: bearer(token) },
      );

      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain(
        'scope="repository:auth/target:pull,push repository:auth/source:pull"',
      );
    });

    it('does not mount from an unnamed repository for a caller who cannot read them all', async () => {
      const blob = randomBlob(256);
      await pushBlob(registry, 'auth/hidden', blob);
      const scoped = await registry.auth.mint({
        access: [{ type: 'repository', name: 'auth/guess', actions: ['pull', 'push'] }],
        kind: 'token',
      });

      const response = await registry.request(
        `/v2/auth/guess/blobs/uploads/?mount=${blob.digest}`,
        { method: 'POST', headers: bearer(scoped) },
      );

      expect(response.status).toBe(202);
      const head = await registry.request(`/v2/auth/guess/blobs/${blob.digest}`, {
        method: 'HEAD',
      });
      expect(head.status).toBe(404);
    });
  });

  describe('anonymous pull', () => {
    afterEach(() => {
      registry.auth.anonymousPull = false;
    });

    it('lets pulls without a token through while on, and nothing else', async () => {
      registry.auth.anonymousPull = true;

      await expectEventually200(() => registry.anonymousRequest('/v2/auth/app/manifests/v1'));
      const tags = await registry.anonymousRequest('/v2/auth/app/tags/list');
      const push = await registry.anonymousRequest('/v2/auth/app/blobs/uploads/', {
        method: 'POST',
      });
      const remove = await registry.anonymousRequest('/v2/auth/app/manifests/v1', {
        method: 'DELETE',
      });
      const catalog = await registry.anonymousRequest('/v2/_catalog');

      expect(tags.status).toBe(200);
      expect([push.status, remove.status, catalog.status]).toEqual([401, 401, 401]);
    });

    it('refuses pulls without a token again once off', async () => {
      registry.auth.anonymousPull = true;
      await expectEventually200(() => registry.anonymousRequest('/v2/auth/app/manifests/v1'));

      registry.auth.anonymousPull = false;

      await expectEventually401(() => registry.anonymousRequest('/v2/auth/app/manifests/v1'));
    });
  });

  describe('key rotation', () => {
    it('keeps tokens of the old key valid and accepts the new key at once', async () => {
      const before = await registry.auth.mint({ access: pullApp });
      await registry.auth.rotate();
      const after = await registry.auth.mint({ access: pullApp });

      for (const token of [after, before]) {
        const response = await registry.request('/v2/auth/app/manifests/v1', {
          headers: bearer(token),
        });
        expect(response.status).toBe(200);
      }
    });
  });

  it('answers /v2/ for any valid token', async () => {
    const token = await registry.token([], puller);

    const response = await registry.request('/v2/', { headers: bearer(token) });

    expect(response.status).toBe(200);
  });

  it('writes nothing when a push is refused', async () => {
    const response = await putManifest(
      requestingWith(registry, {}),
      'auth/app',
      'refused',
      imageManifest(blobOf('{}'), []),
    );

    await expectStatus(response, 401);
    expect((await registry.request('/v2/auth/app/manifests/refused')).status).toBe(404);
  });

  describe('the client address and the realm host', () => {
    const tokenRequest = (headers: Record<string, string>) =>
      rawGet(registry.url, '/oauth2/token?service=meridian', headers);

    it('ignores X-Forwarded-For from a client that is no trusted proxy', async () => {
      const response = await tokenRequest({ 'x-forwarded-for': '203.0.113.9' });

      expect(response.status).toBe(200);
      expect(registry.auth.tokenRequests.at(-1)?.clientAddr).toBe('127.0.0.1');
    });

    it('refuses a Host it cannot vouch for, rather than send a realm of that host', async () => {
      const response = await rawGet(registry.url, '/v2/', { host: 'evil.example' });

      expect(response.status).toBe(400);
      expect(JSON.parse(response.body).errors[0].code).toBe('REQUEST_INVALID');
      expect(response.headers['www-authenticate']).toBeUndefined();
    });

    it('builds the realm from a loopback Host', async () => {
      const port = new URL(registry.url).port;
      const response = await rawGet(registry.url, '/v2/', { host: `localhost:${port}` });

      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe(
        `Bearer realm="http://localhost:${port}/oauth2/token",service="meridian"`,
      );
    });

    it('still answers the probes under any Host', async () => {
      expect((await rawGet(registry.url, '/readyz', { host: '10.0.0.7:5000' })).status).toBe(200);
    });

    describe('behind a trusted proxy, with a public URL', () => {
      let proxied: RegistryUnderTest;

      beforeAll(async () => {
        proxied = await startRegistry({
          gatewayEnv: {
            MERIDIAN_TRUSTED_PROXIES: '127.0.0.0/8',
            MERIDIAN_PUBLIC_URL: 'https://registry.example.com',
          },
        });
      }, 120_000);

      afterAll(async () => {
        await proxied?.stop();
      });

      it("passes on the client the proxy names, not the proxy's own address", async () => {
        const response = await rawGet(proxied.url, '/oauth2/token?service=meridian', {
          'x-forwarded-for': '198.51.100.1, 203.0.113.9',
        });

        expect(response.status).toBe(200);
        // the proxy appended the address it saw; what came before is the client's own claim
        expect(proxied.auth.tokenRequests.at(-1)?.clientAddr).toBe('203.0.113.9');
      });

      it('names the public URL in the realm, whatever the Host', async () => {
        const response = await rawGet(proxied.url, '/v2/', { host: 'evil.example' });

        expect(response.status).toBe(401);
        expect(response.headers['www-authenticate']).toBe(
          'Bearer realm="https://registry.example.com/oauth2/token",service="meridian"',
        );
      });
    });
  });
});

/** The gateway reads the anonymous-pull switch from its key cache (a few seconds old at most). */
async function expectEventually200(send: () => Promise<Response>): Promise<void> {
  await expectEventuallyStatus(send, 200);
}

async function expectEventually401(send: () => Promise<Response>): Promise<void> {
  await expectEventuallyStatus(send, 401);
}

async function expectEventuallyStatus(
  send: () => Promise<Response>,
  status: number,
): Promise<void> {
  await expectEventually(
    async () => {
      const response = await send();
      await response.arrayBuffer();
      expect(response.status).toBe(status);
    },
    { timeoutMs: 15_000, intervalMs: 200 },
  );
}

/** A GET with headers fetch would not send as given (Host). */
function rawGet(
  base: string,
  path: string,
  headers: Record<string, string>,
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(new URL(path, base), { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}
