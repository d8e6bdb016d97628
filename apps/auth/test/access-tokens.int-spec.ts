import { authManagementRpc as rpc, authRpc } from '@meridian/contracts';
import { expectEventually } from '@meridian/testing';
import { decodeProtectedHeader } from 'jose';
import { AuthServiceHarness, adminPassword, refusal, registryName } from './auth-service.harness';

describe('auth service: access tokens', () => {
  let sut: AuthServiceHarness;

  beforeAll(async () => {
    sut = await AuthServiceHarness.start('auth_tokens', {
      loginFailureLimit: 2,
      loginIdentityFailureLimit: 3,
    });
  });

  afterAll(async () => {
    await sut?.stop();
  });

  it('signs an ES256 token with kid and every claim, for the admin account of MERIDIAN_ADMIN_PASSWORD', async () => {
    const before = Math.floor(Date.now() / 1000);
    const issued = await sut.login('admin', adminPassword, [
      'repository:team/app:pull,push',
      'registry:catalog:*',
    ]);
    expect(issued.identity).toEqual({ kind: 'admin', name: 'admin', roles: ['Owner'] });
    expect(issued.expiresIn).toBe(3600);
    const header = decodeProtectedHeader(issued.accessToken);
    expect(header.alg).toBe('ES256');
    const { keys } = await sut.call(authRpc.keys, {});
    expect(keys.map((key) => key.kid)).toContain(header.kid);
    const { payload } = await sut.verify(issued.accessToken);
    expect(payload).toMatchObject({
      iss: 'meridian',
      sub: 'admin',
      aud: registryName,
      kind: 'admin',
      roles: ['Owner'],
      access: [
        { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
        { type: 'registry', name: 'catalog', actions: ['*'] },
      ],
    });
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(payload.nbf).toBe(payload.iat);
    expect(payload.exp).toBe(payload.iat! + 3600);
    expect(payload.jti).toEqual(expect.any(String));
  });

  it('grants a service principal with AcrPull pull only, however much it asks', async () => {
    const { secret } = await sut.call(rpc.servicePrincipalPut, {
      id: 'puller',
      roles: ['AcrPull'],
    });
    const issued = await sut.login('puller', secret!, ['repository:team/app:pull,push,delete']);
    const { payload } = await sut.verify(issued.accessToken);
    expect(payload.access).toEqual([{ type: 'repository', name: 'team/app', actions: ['pull'] }]);
    expect(payload.sub).toBe('puller');
  });

  it('grants a scope-map token team-a/* and not team-b/*; refuses it disabled or expired', async () => {
    await sut.call(rpc.scopeMapPut, {
      name: 'team-a-push',
      rules: [{ repository: 'team-a/*', actions: ['content/read', 'content/write'] }],
    });
    await sut.call(rpc.tokenPut, { name: 'team-a-ci', scopeMap: 'team-a-push' });
    const { password } = await sut.call(rpc.tokenGeneratePassword, { name: 'team-a-ci', slot: 1 });
    const issued = await sut.login('team-a-ci', password.value, [
      'repository:team-a/x:pull,push',
      'repository:team-b/x:pull,push',
    ]);
    expect(issued.access).toEqual([
      { type: 'repository', name: 'team-a/x', actions: ['pull', 'push'] },
    ]);

    await sut.call(rpc.tokenUpdate, { name: 'team-a-ci', status: 'disabled' });
    expect((await refusal(sut.login('team-a-ci', password.value, []))).code).toBe('UNAUTHORIZED');
    await sut.call(rpc.tokenUpdate, { name: 'team-a-ci', status: 'enabled' });

    const soon = new Date(Date.now() + 1500).toISOString();
    const expiring = await sut.call(rpc.tokenGeneratePassword, {
      name: 'team-a-ci',
      slot: 2,
      expiresAt: soon,
    });
    const short = await sut.login('team-a-ci', expiring.password.value, []);
    expect(short.expiresIn).toBeLessThanOrEqual(2);
    await expectEventually(async () => {
      expect((await refusal(sut.login('team-a-ci', expiring.password.value, []))).code).toBe(
        'UNAUTHORIZED',
      );
    });
  });

  it('gives an anonymous caller pull when anonymous pull is on, and nothing otherwise', async () => {
    const ask = () =>
      sut.call(authRpc.token, {
        service: registryName,
        scopes: ['repository:public/x:pull,push'],
        offline: false,
      });
    expect((await ask()).access).toEqual([]);
    await sut.call(rpc.settingsPut, { anonymousPull: true });
    expect((await sut.call(authRpc.keys, {})).anonymousPull).toBe(true);
    expect((await ask()).access).toEqual([
      { type: 'repository', name: 'public/x', actions: ['pull'] },
    ]);
    expect((await ask()).identity.kind).toBe('anonymous');
    await sut.call(rpc.settingsPut, { anonymousPull: false });
    expect((await ask()).access).toEqual([]);
  });

  it('refreshes with a refresh token until the password it came from is renewed', async () => {
    const renewed = await sut.call(rpc.adminRenewPassword, { slot: 2 });
    const first = await sut.login('admin', renewed.password.value, ['repository:a:pull'], {
      offline: true,
    });
    expect(first.refreshToken).toEqual(expect.any(String));
    const refresh = () =>
      sut.call(authRpc.token, {
        credentials: { grant: 'refresh_token', refreshToken: first.refreshToken! },
        service: registryName,
        scopes: ['repository:a:pull'],
        offline: true,
      });
    const refreshed = await refresh();
    expect(refreshed.refreshToken).toBe(first.refreshToken);
    expect(refreshed.access).toEqual([{ type: 'repository', name: 'a', actions: ['pull'] }]);

    // the refresh token was announced as its hash, never itself
    const announced = JSON.stringify(sut.eventsNamed('auth.changed.v1'));
    expect(announced).not.toContain(first.refreshToken);

    await sut.call(rpc.adminRenewPassword, { slot: 2 });
    expect((await refusal(refresh())).code).toBe('UNAUTHORIZED');
  });

  it('keeps the keys of live tokens valid across a rotation, and signs with the new key', async () => {
    const before = await sut.login('admin', adminPassword, ['repository:a:pull']);
    const oldKid = decodeProtectedHeader(before.accessToken).kid;
    const rotated = await sut.call(rpc.signingKeyRotate, {});
    expect(rotated.kid).not.toBe(oldKid);
    const after = await sut.login('admin', adminPassword, ['repository:a:pull']);
    expect(decodeProtectedHeader(after.accessToken).kid).toBe(rotated.kid);
    await expect(sut.verify(before.accessToken)).resolves.toBeDefined();
    await expect(sut.verify(after.accessToken)).resolves.toBeDefined();
    const { keys } = await sut.call(rpc.signingKeyList, {});
    expect(keys.find((key) => key.kid === oldKid)?.retiredAt).toEqual(expect.any(String));
  });

  it('backs off an identity at one address past the failed-login bound, even the right password', async () => {
    const { secret } = await sut.call(rpc.servicePrincipalPut, { id: 'typo', roles: ['AcrPull'] });
    for (let i = 0; i < 2; i++) {
      expect(
        (await refusal(sut.login('typo', `wrong ${i}`, [], { clientAddr: '10.1.0.1' }))).code,
      ).toBe('UNAUTHORIZED');
    }
    const refused = await refusal(sut.login('typo', secret!, [], { clientAddr: '10.1.0.1' }));
    expect(refused.code).toBe('TOOMANYREQUESTS');
    expect(refused.detail).toEqual({ retryAfterSeconds: 1 });
    // another address is not this one's failures
    await expect(sut.login('typo', secret!, [], { clientAddr: '10.1.0.2' })).resolves.toBeDefined();
  });

  it('past the identity budget refuses new addresses but not the one it logged in from', async () => {
    const { secret } = await sut.call(rpc.servicePrincipalPut, {
      id: 'guessed',
      roles: ['AcrPull'],
    });
    await sut.login('guessed', secret!, [], { clientAddr: '10.0.0.100' });
    for (let i = 0; i < 3; i++) {
      expect(
        (await refusal(sut.login('guessed', `wrong ${i}`, [], { clientAddr: `10.0.0.${i}` }))).code,
      ).toBe('UNAUTHORIZED');
    }
    const refused = await refusal(sut.login('guessed', secret!, [], { clientAddr: '10.0.0.9' }));
    expect(refused.code).toBe('TOOMANYREQUESTS');
    expect((refused.detail as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(
      86_000,
    );
    await expect(
      sut.login('guessed', secret!, [], { clientAddr: '10.0.0.100' }),
    ).resolves.toBeDefined();
  });

  it('authenticates management callers and refuses wrong passwords', async () => {
    await expect(
      sut.call(authRpc.authenticate, { username: 'admin', password: adminPassword }),
    ).resolves.toEqual({ kind: 'admin', name: 'admin', roles: ['Owner'] });
    expect(
      (await refusal(sut.call(authRpc.authenticate, { username: 'nobody', password: 'x' }))).code,
    ).toBe('UNAUTHORIZED');
  });
});
