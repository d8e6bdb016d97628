import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type Identity, RegistryError } from '@meridian/contracts';
import type { RpcContext } from '@meridian/messaging';
import type { FastifyRequest } from 'fastify';
import type { GatewayAuthConfig } from '../config';
import {
  type AccessTokenVerifier,
  TokenRefusedError,
  type VerifiedToken,
} from './access-token.verifier';
import { AuthChallenges } from './auth-challenges';
import { Authorize } from './authorize.decorator';
import { ManagementAuthGuard } from './management-auth.guard';
import { type PasswordLogin, PasswordAuthenticator } from './password-authenticator';
import { UnauthorizedError } from './unauthorized.error';

class Routes {
  @Authorize('identities:manage')
  manage(): void {}

  @Authorize('registry:write')
  write(): void {}

  @Authorize('registry:read')
  read(): void {}

  undeclared(): void {}
}

type Route = keyof Routes;

class InMemoryPasswords extends PasswordAuthenticator {
  readonly accounts = new Map<string, { password: string; identity: Identity }>();

  async authenticate(login: PasswordLogin, _context: RpcContext): Promise<Identity> {
    const account = this.accounts.get(login.username);
    if (account?.password !== login.password)
      throw new RegistryError('UNAUTHORIZED', 'invalid user name or password');
    return account.identity;
  }
}

class InMemoryVerifier implements AccessTokenVerifier {
  readonly tokens = new Map<string, VerifiedToken>();

  async verify(token: string): Promise<VerifiedToken> {
    const verified = this.tokens.get(token);
    if (!verified) throw new TokenRefusedError('unknown token');
    return verified;
  }
}

const basic = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

function httpContext(request: FastifyRequest, route: Route): ExecutionContext {
  return {
    switchToHttp: () => ({ getRequest: () => request }),
    getHandler: () => Routes.prototype[route],
    getClass: () => Routes,
  } as unknown as ExecutionContext;
}

function requestTo(url: string, authorization?: string): FastifyRequest {
  return {
    id: 'request-1',
    url,
    method: 'GET',
    ip: '127.0.0.1',
    headers: authorization ? { authorization } : {},
  } as FastifyRequest;
}

describe(ManagementAuthGuard.name, () => {
  const config: GatewayAuthConfig = { mode: 'on', registryName: 'meridian', publicUrl: undefined };
  let passwords: InMemoryPasswords;
  let verifier: InMemoryVerifier;
  let sut: ManagementAuthGuard;

  const account = (name: string, identity: Omit<Identity, 'name'>) =>
    passwords.accounts.set(name, { password: `${name}-pw`, identity: { ...identity, name } });

  const attempt = (route: Route, authorization?: string, url = '/api/v1/things') => {
    const request = requestTo(url, authorization);
    return { request, outcome: sut.canActivate(httpContext(request, route)) };
  };

  beforeEach(() => {
    passwords = new InMemoryPasswords();
    verifier = new InMemoryVerifier();
    sut = new ManagementAuthGuard(
      new Reflector(),
      passwords,
      verifier,
      config,
      new AuthChallenges(config),
    );
    account('admin', { kind: 'admin', roles: [] });
    account('puller', { kind: 'service-principal', roles: ['AcrPull'] });
    account('builder', { kind: 'service-principal', roles: ['Contributor'] });
    account('boss', { kind: 'service-principal', roles: ['Owner'] });
    account('nobody', { kind: 'service-principal', roles: [] });
  });

  it('lets /v2 and the token endpoint through untouched: they authorize themselves', async () => {
    for (const url of ['/v2/team/app/manifests/v1', '/oauth2/token', '/api/v10']) {
      await expect(attempt('undeclared', undefined, url).outcome).resolves.toBe(true);
    }
  });

  it('asks for credentials with a Basic challenge', async () => {
    const { outcome } = attempt('read');

    await expect(outcome).rejects.toThrow(UnauthorizedError);
    await expect(outcome).rejects.toMatchObject({
      challenge: 'Basic realm="meridian",charset="UTF-8"',
    });
  });

  it('refuses a route that declares no permission, even to the admin', async () => {
    await expect(attempt('undeclared', basic('admin', 'admin-pw')).outcome).rejects.toMatchObject({
      code: 'DENIED',
    });
  });

  it('treats the admin account as owner and names it on the request', async () => {
    const { request, outcome } = attempt('manage', basic('admin', 'admin-pw'));

    await expect(outcome).resolves.toBe(true);
    expect(request.meridianIdentity).toEqual({ kind: 'admin', name: 'admin', roles: [] });
  });

  it.each([
    ['puller', 'read', true],
    ['puller', 'write', false],
    ['puller', 'manage', false],
    ['builder', 'write', true],
    ['builder', 'manage', false],
    ['boss', 'manage', true],
    ['nobody', 'read', false],
  ] as const)('%s may %s: %s', async (name, route, allowed) => {
    const { outcome } = attempt(route, basic(name, `${name}-pw`));

    if (allowed) await expect(outcome).resolves.toBe(true);
    else await expect(outcome).rejects.toMatchObject({ code: 'DENIED' });
  });

  it('passes on a wrong password as the auth service refused it', async () => {
    await expect(attempt('read', basic('boss', 'wrong')).outcome).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
  });

  it('takes a bearer token, with the roles it carries', async () => {
    verifier.tokens.set('owner-token', {
      identity: { kind: 'service-principal', name: 'boss', roles: ['Owner'] },
      access: [],
    });
    verifier.tokens.set('bare-token', {
      identity: { kind: 'token', name: 'ci', roles: [] },
      access: [],
    });

    await expect(attempt('manage', 'Bearer owner-token').outcome).resolves.toBe(true);
    await expect(attempt('read', 'Bearer bare-token').outcome).rejects.toMatchObject({
      code: 'DENIED',
    });
    await expect(attempt('read', 'Bearer forged').outcome).rejects.toThrow(UnauthorizedError);
  });

  it('checks a permission asked for by a route that decides it from the request', async () => {
    const writer = requestTo('/acr/v1/team/app/_manifests/sha256:abc', basic('admin', 'admin-pw'));
    await expect(sut.requirePermission(writer, 'quarantine:write')).resolves.toBeUndefined();
    expect(writer.meridianIdentity?.name).toBe('admin');

    const builder = requestTo(
      '/acr/v1/team/app/_manifests/sha256:abc',
      basic('builder', 'builder-pw'),
    );
    await expect(sut.requirePermission(builder, 'quarantine:write')).rejects.toMatchObject({
      code: 'DENIED',
    });
  });

  it('lets everyone act as owner when the operator turned auth off', async () => {
    const off = new ManagementAuthGuard(
      new Reflector(),
      passwords,
      verifier,
      { ...config, mode: 'off' },
      new AuthChallenges(config),
    );
    const request = requestTo('/api/v1/things');

    await expect(off.canActivate(httpContext(request, 'manage'))).resolves.toBe(true);
    expect(request.meridianIdentity?.roles).toEqual(['Owner']);
  });
});
