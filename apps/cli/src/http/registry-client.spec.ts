/**
 * The client against a small registry on a loopback port that speaks the token protocol as
 * Meridian's gateway does: `/v2/` challenges, `/oauth2/token` trades a refresh token for a
 * scoped access token, routes refuse a token without their scope with a challenge naming it.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { CliError } from '../cli-error';
import { parseRegistryAddress } from './registry-address';
import { RegistryClient } from './registry-client';

interface TokenRequest {
  grant_type: string | null;
  refresh_token: string | null;
  scope: string | null;
  service: string | null;
}

describe(RegistryClient.name, () => {
  let server: Server;
  let base: string;
  const tokenRequests: TokenRequest[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => void answer(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => (tokenRequests.length = 0));

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url!, base);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    };
    const challenge = (scope?: string) => ({
      'www-authenticate': `Bearer realm="${base}/oauth2/token",service="test-registry"${
        scope ? `,scope="${scope}"` : ''
      }`,
    });
    const needs = (scope: string) => {
      if (request.headers.authorization === `Bearer token for ${scope}`) return true;
      json(
        401,
        { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
        challenge(scope),
      );
      return false;
    };
    if (url.pathname === '/v2/') return json(401, { errors: [] }, challenge());
    if (url.pathname === '/oauth2/token') {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const form = new URLSearchParams(Buffer.concat(chunks).toString());
      tokenRequests.push({
        grant_type: form.get('grant_type'),
        refresh_token: form.get('refresh_token'),
        scope: form.get('scope'),
        service: form.get('service'),
      });
      if (form.get('refresh_token') !== 'good-refresh') {
        return json(401, {
          errors: [{ code: 'UNAUTHORIZED', message: 'invalid or revoked refresh token' }],
        });
      }
      return json(200, { access_token: `token for ${form.get('scope') ?? ''}`, expires_in: 300 });
    }
    if (url.pathname === '/acr/v1/_catalog') {
      if (!needs('registry:catalog:*')) return;
      return url.searchParams.get('last') === 'b'
        ? json(200, { repositories: ['c'] })
        : json(
            200,
            { repositories: ['a', 'b'] },
            { link: '</acr/v1/_catalog?last=b&n=2>; rel="next"' },
          );
    }
    if (url.pathname === '/acr/v1/app') {
      if (!needs('repository:app:metadata_read')) return;
      return json(200, { imageName: 'app', tagCount: 1 });
    }
    return json(404, {
      errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }],
    });
  }

  const client = (refreshToken = 'good-refresh') =>
    new RegistryClient(parseRegistryAddress(base), { kind: 'refresh-token', refreshToken });

  it('trades the refresh token for a token of the scope asked, then follows every Link page', async () => {
    const sut = client();
    const names = await sut.collect<string>(
      '/acr/v1/_catalog',
      (page) => (page as { repositories: string[] }).repositories,
      { scope: 'registry:catalog:*' },
    );
    expect(names).toEqual(['a', 'b', 'c']);
    // one token for both pages
    expect(tokenRequests).toEqual([
      {
        grant_type: 'refresh_token',
        refresh_token: 'good-refresh',
        scope: 'registry:catalog:*',
        service: 'test-registry',
      },
    ]);
  });

  it('stops paging at the limit', async () => {
    const names = await client().collect<string>(
      '/acr/v1/_catalog',
      (page) => (page as { repositories: string[] }).repositories,
      { scope: 'registry:catalog:*', limit: 1 },
    );
    expect(names).toEqual(['a']);
  });

  it('asks again with the scope the challenge names when its guess was wrong', async () => {
    const { body } = await client().request<{ imageName: string }>('/acr/v1/app', {
      scope: 'repository:app:pull',
    });
    expect(body.imageName).toBe('app');
    expect(tokenRequests.map((request) => request.scope)).toEqual([
      'repository:app:pull',
      'repository:app:metadata_read',
    ]);
  });

  it("reports the registry's OCI error code and message", async () => {
    const failure = client().request('/acr/v1/nothing-here', { scope: 'registry:catalog:*' });
    await expect(failure).rejects.toThrow(CliError);
    await expect(failure).rejects.toMatchObject({
      code: 'NAME_UNKNOWN',
      message: 'repository name not known to registry',
      exitCode: 1,
    });
  });

  it('says to log in again when the refresh token is refused', async () => {
    await expect(client('revoked').request('/acr/v1/app')).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringMatching(
        /invalid or revoked refresh token; run `meridian login 127\.0\.0\.1:\d+` again/,
      ),
    });
  });

  it('reports a registry that does not answer as UNREACHABLE, exit 3', async () => {
    const port = await freePortOnLoopback();
    const sut = new RegistryClient(parseRegistryAddress(`127.0.0.1:${port}`), undefined);
    await expect(sut.request('/acr/v1/app')).rejects.toMatchObject({
      code: 'UNREACHABLE',
      message: expect.stringContaining('ECONNREFUSED'),
      exitCode: 3,
    });
  });
});

/** A loopback port nothing listens on (it was free a moment ago). */
async function freePortOnLoopback(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
