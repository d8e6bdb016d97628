import { type AuthChanged, authManagementRpc as rpc, authRpc } from '@meridian/contracts';
import { expectEventually } from '@meridian/testing';
import { RefreshTokenSweeper } from '../src/access-tokens/refresh-token-sweeper';
import { AuthServiceHarness, adminPassword, refusal, registryName } from './auth-service.harness';

const otherRegionKey = {
  kid: 'eu-west-key-1',
  region: 'eu-west',
  alg: 'ES256',
  publicJwk: {
    kid: 'eu-west-key-1',
    kty: 'EC',
    alg: 'ES256',
    crv: 'P-256',
    x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
    y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
    use: 'sig',
  },
  createdAt: '2026-11-23T12:00:00.000Z',
};

function remote(
  kind: AuthChanged['kind'],
  id: string,
  record: AuthChanged['record'],
  hlc: string,
): AuthChanged {
  return {
    eventId: crypto.randomUUID(),
    originRegion: 'eu-west',
    hlc,
    occurredAt: new Date().toISOString(),
    kind,
    id,
    record,
  };
}

describe('auth service: records, events and replication', () => {
  let sut: AuthServiceHarness;

  beforeAll(async () => {
    sut = await AuthServiceHarness.start('auth_records');
  });

  afterAll(async () => {
    await sut?.stop();
  });

  it('announces every change with the record, its hashes and never its secrets, and the actor', async () => {
    const { secret } = await sut.call(rpc.servicePrincipalPut, {
      id: 'deployer',
      roles: ['AcrPush'],
    });
    await sut.call(rpc.roleAssign, { id: 'deployer', role: 'AcrDelete' });
    await sut.call(rpc.servicePrincipalDelete, { id: 'deployer' });

    await expectEventually(() => {
      const changes = sut
        .eventsNamed('auth.changed.v1')
        .map((event) => event.payload)
        .filter((payload) => payload['kind'] === 'service-principal');
      expect(
        changes.map((change) => (change['record'] as { roles?: string[] } | null)?.roles ?? null),
      ).toEqual([['AcrPush'], ['AcrPush', 'AcrDelete'], null]);
      expect(changes[0]).toMatchObject({
        id: 'deployer',
        originRegion: 'us-east',
        actor: { name: 'admin' },
        record: { secretHash: expect.stringMatching(/^\$argon2id\$/) },
      });
    });
    expect(JSON.stringify(sut.events)).not.toContain(secret);
    const stored = await sut.sql`select record::text as text from auth.records`;
    expect(stored.map((row) => row['text'] as string).join('\n')).not.toContain(secret);
  });

  it("applies another region's records by the latest clock reading, deletes included", async () => {
    const scopeMap = (repository: string) => ({
      name: 'replicated',
      rules: [{ repository, actions: ['content/read'] }],
      createdAt: '2026-11-23T12:00:00.000Z',
      updatedAt: '2026-11-23T12:00:00.000Z',
    });
    const apply = (event: AuthChanged) => sut.call(authRpc.apply, { event });
    const t1 = '001763900000001.000000.eu-west';
    const t2 = '001763900000002.000000.eu-west';
    const t3 = '001763900000003.000000.eu-west';

    expect(await apply(remote('scope-map', 'replicated', scopeMap('new/*'), t2))).toEqual({
      outcome: 'applied',
    });
    expect(await apply(remote('scope-map', 'replicated', scopeMap('old/*'), t1))).toEqual({
      outcome: 'superseded',
    });
    expect((await sut.call(rpc.scopeMapGet, { name: 'replicated' })).rules[0]?.repository).toBe(
      'new/*',
    );
    expect(await apply(remote('scope-map', 'replicated', null, t3))).toEqual({
      outcome: 'applied',
    });
    expect(await apply(remote('scope-map', 'replicated', scopeMap('late/*'), t2))).toEqual({
      outcome: 'superseded',
    });
    expect((await refusal(sut.call(rpc.scopeMapGet, { name: 'replicated' }))).code).toBe(
      'RESOURCE_UNKNOWN',
    );
    // applied records are not announced again
    const replayed = sut
      .eventsNamed('auth.changed.v1')
      .filter((event) => event.payload['id'] === 'replicated');
    expect(replayed).toEqual([]);
  });

  it('publishes the keys of every region, and a local write after an applied one sorts after it', async () => {
    const future = `${String(Date.now() + 3_600_000).padStart(15, '0')}.000000.eu-west`;
    await sut.call(authRpc.apply, {
      event: remote('signing-key', otherRegionKey.kid, otherRegionKey, future),
    });
    const { keys } = await sut.call(authRpc.keys, {});
    expect(keys.map((key) => key.kid)).toContain('eu-west-key-1');

    await sut.call(authRpc.apply, {
      event: remote('settings', 'registry', { anonymousPull: true }, future),
    });
    await sut.call(rpc.settingsPut, { anonymousPull: false });
    const [row] = await sut.sql`select hlc from auth.records where kind = 'settings'`;
    expect((row!['hlc'] as string) > future).toBe(true);
    expect((await sut.call(authRpc.keys, {})).anonymousPull).toBe(false);
  });

  it('forgets expired refresh tokens and keeps live ones', async () => {
    const login = () => sut.login('admin', adminPassword, [], { offline: true });
    const [expiring, live] = [(await login()).refreshToken!, (await login()).refreshToken!];
    await sut.sql`
      update auth.records set record = jsonb_set(record, '{expiresAt}', '"2020-01-01T00:00:00.000Z"')
      where kind = 'refresh-token' and id = encode(sha256(${expiring}::bytea), 'hex')`;
    await sut.provider(RefreshTokenSweeper).sweep();
    const refresh = (refreshToken: string) =>
      sut.call(authRpc.token, {
        credentials: { grant: 'refresh_token', refreshToken },
        service: registryName,
        scopes: [],
        offline: false,
      });
    expect((await refusal(refresh(expiring))).code).toBe('UNAUTHORIZED');
    await expect(refresh(live)).resolves.toMatchObject({ identity: { name: 'admin' } });
    const [row] = await sut.sql`
      select count(*)::int as count from auth.records
      where kind = 'refresh-token' and id = encode(sha256(${expiring}::bytea), 'hex')`;
    expect(row!['count']).toBe(0);
  });

  it('refuses to give a token the name of a service principal, or either the admin name', async () => {
    await sut.call(rpc.servicePrincipalPut, { id: 'shared-name' });
    await sut.call(rpc.scopeMapPut, {
      name: 'any',
      rules: [{ repository: '*', actions: ['content/read'] }],
    });
    expect(
      (await refusal(sut.call(rpc.tokenPut, { name: 'shared-name', scopeMap: 'any' }))).code,
    ).toBe('REQUEST_INVALID');
    expect((await refusal(sut.call(rpc.servicePrincipalPut, { id: 'admin' }))).code).toBe(
      'REQUEST_INVALID',
    );
    await sut.call(rpc.tokenPut, { name: 'reader', scopeMap: 'any' });
    expect((await refusal(sut.call(rpc.scopeMapDelete, { name: 'any' }))).code).toBe('DENIED');
  });

  it('deletes more scope maps at once than its pool has connections', async () => {
    // each delete asks which tokens use its map: in its transaction, not on a second pooled
    // connection, or deletes at once hold every connection and nothing runs again
    const names = Array.from({ length: 24 }, (_, i) => `burst-${i}`);
    for (const name of names)
      await sut.call(rpc.scopeMapPut, {
        name,
        rules: [{ repository: 'burst/*', actions: ['content/read'] }],
      });

    await Promise.all(names.map((name) => sut.call(rpc.scopeMapDelete, { name })));

    const left = (await sut.call(rpc.scopeMapList, {})).scopeMaps.filter((map) =>
      map.name.startsWith('burst-'),
    );
    expect(left).toEqual([]);
  });

  it('shows the admin account without its passwords; disabled, its passwords open nothing', async () => {
    const shown = await sut.call(rpc.adminShow, {});
    expect(shown).toMatchObject({ enabled: true, username: 'admin' });
    expect(shown.passwords.map((password) => password.slot)).toEqual([1]);
    expect(JSON.stringify(shown)).not.toContain('hash');
    const renewed = await sut.call(rpc.adminRenewPassword, { slot: 2 });
    await expect(
      sut.call(authRpc.authenticate, { username: 'admin', password: renewed.password.value }),
    ).resolves.toMatchObject({ kind: 'admin' });
    await sut.call(rpc.adminUpdate, { enabled: false });
    expect(
      (
        await refusal(
          sut.call(authRpc.authenticate, { username: 'admin', password: renewed.password.value }),
        )
      ).code,
    ).toBe('UNAUTHORIZED');
    const enabled = await sut.call(rpc.adminUpdate, { enabled: true });
    expect(enabled.generated).toBeUndefined();
    expect(enabled.enabled).toBe(true);
  });
});
