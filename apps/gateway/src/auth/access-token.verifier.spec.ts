import type { AccessEntry, PublicJwk } from '@meridian/contracts';
import { type CryptoKey, SignJWT, base64url, exportJWK, generateKeyPair } from 'jose';
import { JwksAccessTokenVerifier, TokenRefusedError } from './access-token.verifier';
import type { AuthKeys, AuthKeysSource } from './auth-keys.cache';

interface SigningKey {
  kid: string;
  alg: 'ES256' | 'RS256';
  privateKey: CryptoKey;
  jwk: PublicJwk;
}

async function signingKey(kid: string, alg: 'ES256' | 'RS256' = 'ES256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } as PublicJwk;
  return { kid, alg, privateKey, jwk };
}

/** The auth service's keys as the gateway would fetch them; `published` changes on rotation. */
class InMemoryAuthKeys implements AuthKeysSource {
  refetches = 0;
  constructor(
    public published: AuthKeys,
    private copy: AuthKeys = published,
  ) {}
  async current(): Promise<AuthKeys> {
    return this.copy;
  }
  async refetch(): Promise<AuthKeys> {
    this.refetches += 1;
    this.copy = this.published;
    return this.copy;
  }
}

const issuer = 'meridian-auth';
const audience = 'meridian';
const pushApp: AccessEntry[] = [
  { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
];
const nowMs = Date.UTC(2026, 10, 23, 12, 0, 0);
const nowSeconds = nowMs / 1000;

async function mint(
  key: SigningKey,
  overrides: {
    iss?: string;
    aud?: string;
    exp?: number;
    nbf?: number;
    sub?: string;
    access?: unknown;
    extra?: Record<string, unknown>;
  } = {},
): Promise<string> {
  const jwt = new SignJWT({ access: overrides.access ?? pushApp, ...overrides.extra })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(overrides.iss ?? issuer)
    .setAudience(overrides.aud ?? audience)
    .setSubject(overrides.sub ?? 'ci-bot')
    .setIssuedAt(nowSeconds)
    .setExpirationTime(overrides.exp ?? nowSeconds + 3600);
  if (overrides.nbf !== undefined) jwt.setNotBefore(overrides.nbf);
  return jwt.sign(key.privateKey);
}

function segments(token: string): [string, string, string] {
  return token.split('.') as [string, string, string];
}

function encode(value: unknown): string {
  return base64url.encode(JSON.stringify(value));
}

describe(JwksAccessTokenVerifier.name, () => {
  let current: SigningKey;
  let keys: InMemoryAuthKeys;
  let sut: JwksAccessTokenVerifier;

  beforeEach(async () => {
    current = await signingKey('key-1');
    keys = new InMemoryAuthKeys({ issuer, keys: [current.jwk], anonymousPull: false });
    sut = new JwksAccessTokenVerifier({ keys, audience, now: () => nowMs });
  });

  it('accepts a token of a published key and reads who and what', async () => {
    const verified = await sut.verify(
      await mint(current, { extra: { kind: 'service-principal', roles: ['AcrPush'] } }),
    );

    expect(verified).toEqual({
      identity: { kind: 'service-principal', name: 'ci-bot', roles: ['AcrPush'] },
      access: pushApp,
    });
  });

  it('accepts RS256 as well', async () => {
    const rsa = await signingKey('key-rsa', 'RS256');
    keys.published = { ...keys.published, keys: [current.jwk, rsa.jwk] };
    await keys.refetch();

    expect((await sut.verify(await mint(rsa))).access).toEqual(pushApp);
  });

  it('reads a token without kind and roles as a token identity with no roles', async () => {
    expect((await sut.verify(await mint(current))).identity).toEqual({
      kind: 'token',
      name: 'ci-bot',
      roles: [],
    });
  });

  it('reads an empty subject as the anonymous caller', async () => {
    expect((await sut.verify(await mint(current, { sub: '' }))).identity.kind).toBe('anonymous');
  });

  it('refuses alg none', async () => {
    const [, payload] = segments(await mint(current));
    const unsigned = `${encode({ alg: 'none', kid: current.kid, typ: 'JWT' })}.${payload}.`;

    await expect(sut.verify(unsigned)).rejects.toThrow(TokenRefusedError);
  });

  it('refuses an HMAC token keyed with the public key (key confusion)', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(current.jwk));
    const forged = await new SignJWT({ access: pushApp })
      .setProtectedHeader({ alg: 'HS256', kid: current.kid })
      .setIssuer(issuer)
      .setAudience(audience)
      .setExpirationTime(nowSeconds + 3600)
      .sign(secret);

    await expect(sut.verify(forged)).rejects.toThrow(TokenRefusedError);
  });

  it('refuses a token signed by a key that is not published', async () => {
    const stranger = await signingKey(current.kid);

    await expect(sut.verify(await mint(stranger))).rejects.toThrow(TokenRefusedError);
  });

  it('refuses a token naming an unknown key, after asking once for fresh keys', async () => {
    const stranger = await signingKey('key-unknown');

    await expect(sut.verify(await mint(stranger))).rejects.toThrow(TokenRefusedError);
    expect(keys.refetches).toBe(1);
  });

  it('accepts a token of a key rotated in after its copy was taken', async () => {
    const rotated = await signingKey('key-2');
    keys.published = { ...keys.published, keys: [current.jwk, rotated.jwk] };

    expect((await sut.verify(await mint(rotated))).identity.name).toBe('ci-bot');
    expect((await sut.verify(await mint(current))).identity.name).toBe('ci-bot');
  });

  it('refuses a wrong audience', async () => {
    await expect(sut.verify(await mint(current, { aud: 'another-registry' }))).rejects.toThrow(
      TokenRefusedError,
    );
  });

  it('refuses a wrong issuer', async () => {
    await expect(sut.verify(await mint(current, { iss: 'someone-else' }))).rejects.toThrow(
      TokenRefusedError,
    );
  });

  it('refuses an expired token', async () => {
    await expect(sut.verify(await mint(current, { exp: nowSeconds - 60 }))).rejects.toThrow(
      TokenRefusedError,
    );
  });

  it('refuses a token not valid yet', async () => {
    await expect(sut.verify(await mint(current, { nbf: nowSeconds + 600 }))).rejects.toThrow(
      TokenRefusedError,
    );
  });

  it('refuses a token whose claims were changed after signing', async () => {
    const [header, payload, signature] = segments(await mint(current));
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    claims.access = [{ type: 'repository', name: 'team/other', actions: ['pull', 'push'] }];

    await expect(sut.verify(`${header}.${encode(claims)}.${signature}`)).rejects.toThrow(
      TokenRefusedError,
    );
  });

  it('refuses a malformed access claim', async () => {
    await expect(sut.verify(await mint(current, { access: 'everything' }))).rejects.toThrow(
      TokenRefusedError,
    );
  });

  it('refuses what is not a token', async () => {
    await expect(sut.verify('not-a-token')).rejects.toThrow(TokenRefusedError);
  });

  it('stops accepting tokens of a key once it is withdrawn', async () => {
    const token = await mint(current);
    await sut.verify(token);
    const next = await signingKey('key-2');
    keys.published = { ...keys.published, keys: [next.jwk] };
    await keys.refetch();

    await expect(sut.verify(token)).rejects.toThrow(TokenRefusedError);
  });
});
