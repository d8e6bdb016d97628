import type { DistributionRoute } from '@meridian/oci';
import { createLogger } from '@meridian/telemetry';
import type { FastifyRequest } from 'fastify';
import type { GatewayAuthConfig } from '../config';
import {
  type AccessTokenVerifier,
  TokenRefusedError,
  type VerifiedToken,
} from './access-token.verifier';
import { AuthChallenges } from './auth-challenges';
import type { AuthKeys, AuthKeysSource } from './auth-keys.cache';
import { RegistryAccess } from './registry-access.service';
import { UnauthorizedError } from './unauthorized.error';

class InMemoryVerifier implements AccessTokenVerifier {
  readonly tokens = new Map<string, VerifiedToken>();

  async verify(token: string): Promise<VerifiedToken> {
    const verified = this.tokens.get(token);
    if (!verified) throw new TokenRefusedError('unknown token');
    return verified;
  }
}

class InMemoryKeys implements AuthKeysSource {
  keys: AuthKeys = { issuer: 'meridian', keys: [], anonymousPull: false };
  async current(): Promise<AuthKeys> {
    return this.keys;
  }
  async refetch(): Promise<AuthKeys> {
    return this.keys;
  }
}

const manifest: DistributionRoute = {
  kind: 'manifest',
  name: 'team/app',
  reference: 'v1',
  referenceKind: 'tag',
};

function request(method: string, authorization?: string, url = '/v2/team/app/manifests/v1') {
  return {
    id: 'request-1',
    method,
    url,
    protocol: 'http',
    hostname: 'registry.test',
    headers: { host: 'registry.test:5000', ...(authorization ? { authorization } : {}) },
    query: {},
  } as unknown as FastifyRequest;
}

describe(RegistryAccess.name, () => {
  const config: GatewayAuthConfig = { mode: 'on', registryName: 'meridian', publicUrl: undefined };
  const logger = createLogger({ service: 'gateway', region: 'us-east', level: 'silent' });
  let verifier: InMemoryVerifier;
  let keys: InMemoryKeys;
  let sut: RegistryAccess;

  beforeEach(() => {
    verifier = new InMemoryVerifier();
    keys = new InMemoryKeys();
    sut = new RegistryAccess(config, verifier, keys, new AuthChallenges(config), logger);
    verifier.tokens.set('pull-app', {
      identity: { kind: 'service-principal', name: 'puller', roles: ['AcrPull'] },
      access: [{ type: 'repository', name: 'team/app', actions: ['pull'] }],
    });
  });

  it('lets a token that grants the access through and names its identity', async () => {
    const pull = request('GET', 'Bearer pull-app');

    await sut.authorize(manifest, pull);

    expect(pull.meridianIdentity).toEqual({
      kind: 'service-principal',
      name: 'puller',
      roles: ['AcrPull'],
    });
  });

  it('refuses a push with a pull token, challenging for pull,push', async () => {
    const attempt = sut.authorize(manifest, request('PUT', 'Bearer pull-app'));

    await expect(attempt).rejects.toThrow(UnauthorizedError);
    await expect(attempt).rejects.toMatchObject({
      challenge:
        'Bearer realm="http://registry.test:5000/oauth2/token",service="meridian",scope="repository:team/app:pull,push",error="insufficient_scope"',
    });
  });

  it('refuses a token the verifier refuses as invalid', async () => {
    await expect(sut.authorize(manifest, request('GET', 'Bearer forged'))).rejects.toMatchObject({
      challenge: expect.stringContaining('error="invalid_token"'),
    });
  });

  it('refuses Basic credentials on /v2: clients exchange them for a token first', async () => {
    const basic = `Basic ${Buffer.from('admin:pw').toString('base64')}`;

    await expect(sut.authorize(manifest, request('GET', basic))).rejects.toThrow(UnauthorizedError);
  });

  it('lets anonymous pulls through only while anonymous pull is on', async () => {
    await expect(sut.authorize(manifest, request('GET'))).rejects.toThrow(UnauthorizedError);

    keys.keys = { ...keys.keys, anonymousPull: true };
    const pull = request('GET');
    await sut.authorize(manifest, pull);

    expect(pull.meridianIdentity?.kind).toBe('anonymous');
    await expect(sut.authorize(manifest, request('DELETE'))).rejects.toThrow(UnauthorizedError);
    await expect(sut.authorize({ kind: 'catalog' }, request('GET'))).rejects.toThrow(
      UnauthorizedError,
    );
    await expect(sut.authorize({ kind: 'base' }, request('GET'))).rejects.toThrow(
      UnauthorizedError,
    );
  });

  it('names the configured public URL as the realm', async () => {
    const behindProxy = new RegistryAccess(
      { ...config, publicUrl: 'https://registry.example.com' },
      verifier,
      keys,
      new AuthChallenges({ ...config, publicUrl: 'https://registry.example.com' }),
      logger,
    );

    await expect(behindProxy.authorize(manifest, request('GET'))).rejects.toMatchObject({
      challenge: expect.stringContaining('realm="https://registry.example.com/oauth2/token"'),
    });
  });

  it('lets everything through as the owner when the operator turned auth off', async () => {
    const off = new RegistryAccess(
      { ...config, mode: 'off' },
      verifier,
      keys,
      new AuthChallenges(config),
      logger,
    );
    const remove = request('DELETE');

    await off.authorize(manifest, remove);

    expect(remove.meridianIdentity).toMatchObject({ kind: 'admin', roles: ['Owner'] });
  });
});
