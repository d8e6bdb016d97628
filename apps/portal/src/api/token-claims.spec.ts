import { canChange, canManageIdentities, readTokenClaims } from './token-claims';

function tokenWith(payload: unknown): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'ES256' })}.${encode(payload)}.signature`;
}

describe(readTokenClaims.name, () => {
  it('reads kind and roles', () => {
    expect(readTokenClaims(tokenWith({ kind: 'service-principal', roles: ['Reader'] }))).toEqual({
      kind: 'service-principal',
      roles: ['Reader'],
    });
  });

  it('decodes base64url payloads of any padding', () => {
    for (const name of ['a', 'ab', 'abc', 'abcd']) {
      expect(readTokenClaims(tokenWith({ kind: 'admin', roles: [], sub: name })).kind).toBe(
        'admin',
      );
    }
  });

  it('reads nothing from a token that is not a JWT, or claims of the wrong type', () => {
    expect(readTokenClaims('opaque')).toEqual({ kind: 'unknown', roles: [] });
    expect(readTokenClaims('a.!!!.c')).toEqual({ kind: 'unknown', roles: [] });
    expect(readTokenClaims(tokenWith({ kind: 3, roles: ['Owner', 7] }))).toEqual({
      kind: 'unknown',
      roles: ['Owner'],
    });
  });
});

describe(canChange.name, () => {
  it('lets the admin account, Owners and Contributors change, nobody else', () => {
    expect(canChange({ kind: 'admin', roles: [] })).toBe(true);
    expect(canChange({ kind: 'service-principal', roles: ['Owner'] })).toBe(true);
    expect(canChange({ kind: 'service-principal', roles: ['Contributor'] })).toBe(true);
    expect(canChange({ kind: 'service-principal', roles: ['Reader', 'AcrPush'] })).toBe(false);
    expect(canChange({ kind: 'repository-token', roles: [] })).toBe(false);
  });
});

describe(canManageIdentities.name, () => {
  it('lets the admin account and Owners manage identities, not Contributors', () => {
    expect(canManageIdentities({ kind: 'admin', roles: [] })).toBe(true);
    expect(canManageIdentities({ kind: 'service-principal', roles: ['Reader', 'Owner'] })).toBe(
      true,
    );
    expect(canManageIdentities({ kind: 'service-principal', roles: ['Contributor'] })).toBe(false);
    expect(canManageIdentities({ kind: 'repository-token', roles: [] })).toBe(false);
  });
});
