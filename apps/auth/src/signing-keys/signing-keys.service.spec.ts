import { createLogger } from '@meridian/telemetry';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { InMemoryAuthRecordsRepository } from '../../test/fakes/in-memory-auth-records.repository';
import type { AuthConfig } from '../config';
import type { SigningSecret, SigningSecretsRepository } from './signing-secrets.repository';
import { SigningKeysService } from './signing-keys.service';

/** Private keys in memory; the current one is the newest with a live, unretired record. */
class InMemorySigningSecrets implements SigningSecretsRepository {
  readonly saved: SigningSecret[] = [];

  constructor(private readonly records: InMemoryAuthRecordsRepository) {}

  async save(secret: SigningSecret): Promise<void> {
    this.saved.push(secret);
  }

  async current(region: string): Promise<SigningSecret | undefined> {
    for (const secret of [...this.saved].reverse()) {
      const record = await this.records.get('signing-key', secret.kid);
      if (record && record.region === region && !record.retiredAt) return secret;
    }
    return undefined;
  }

  async remove(kids: readonly string[]): Promise<void> {
    const kept = this.saved.filter((secret) => !kids.includes(secret.kid));
    this.saved.splice(0, this.saved.length, ...kept);
  }

  async all(): Promise<SigningSecret[]> {
    return [...this.saved];
  }

  async replace(secret: SigningSecret): Promise<void> {
    const index = this.saved.findIndex((saved) => saved.kid === secret.kid);
    if (index >= 0) this.saved[index] = secret;
  }
}

const config = {
  region: 'us-east',
  accessTokenTtlSeconds: 3600,
  signingKeyRotationHours: 0,
} as AuthConfig;
const logger = createLogger({ service: 'auth', region: 'us-east', level: 'silent' });

describe(SigningKeysService.name, () => {
  let records: InMemoryAuthRecordsRepository;
  let secrets: InMemorySigningSecrets;

  function service(overrides: Partial<AuthConfig> = {}): SigningKeysService {
    return new SigningKeysService(records, secrets, { ...config, ...overrides }, logger);
  }

  async function signWith(sut: SigningKeysService): Promise<string> {
    const key = await sut.current();
    return new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: key.kid })
      .setExpirationTime('1h')
      .sign(key.privateKey);
  }

  async function verifies(sut: SigningKeysService, token: string): Promise<boolean> {
    const keys = createLocalJWKSet({ keys: (await sut.publicKeys()) as never });
    return jwtVerify(token, keys).then(
      () => true,
      () => false,
    );
  }

  beforeEach(() => {
    records = new InMemoryAuthRecordsRepository();
    secrets = new InMemorySigningSecrets(records);
  });

  it('creates a key at the first start only, and publishes only its public part', async () => {
    await service().onApplicationBootstrap();
    await service().onApplicationBootstrap();
    const published = records.events.filter((event) => event.kind === 'signing-key');
    expect(published).toHaveLength(1);
    expect(published[0]?.record).toMatchObject({ region: 'us-east', alg: 'ES256' });
    expect(JSON.stringify(published)).not.toMatch(/"d":/);
  });

  it('publishes one key when two replicas start at once, and keeps only its private part', async () => {
    // both find no key and make one; under the rotation lock the second finds the first's
    await Promise.all([service().onApplicationBootstrap(), service().onApplicationBootstrap()]);

    const published = records.events.filter((event) => event.kind === 'signing-key');
    expect(published).toHaveLength(1);
    expect(secrets.saved.map((secret) => secret.kid)).toEqual([published[0]?.id]);
  });

  it('signs with the new key after a rotation while the old one still verifies its tokens', async () => {
    const sut = service();
    await sut.onApplicationBootstrap();
    const before = await signWith(sut);
    const rotated = await sut.rotate({ actor: { name: 'owner' } });
    const after = await signWith(sut);
    expect(decodeProtectedHeader(after).kid).toBe(rotated.kid);
    expect(decodeProtectedHeader(before).kid).not.toBe(rotated.kid);
    expect(await verifies(sut, before)).toBe(true);
    expect(await verifies(sut, after)).toBe(true);
    const retired = (await sut.list()).find((key) => key.kid === decodeProtectedHeader(before).kid);
    const ttlMs = Date.parse(retired!.expiresAt!) - Date.parse(retired!.retiredAt!);
    expect(ttlMs).toBe((3600 + 60) * 1000);
  });

  it('deletes a retired key, and its private part, once its tokens have expired', async () => {
    const sut = service({ accessTokenTtlSeconds: 1 });
    await sut.onApplicationBootstrap();
    const first = await signWith(sut);
    await sut.rotate({});
    const expired = await records.get('signing-key', decodeProtectedHeader(first).kid!);
    await records.transaction((tx) =>
      tx.write(
        'signing-key',
        expired!.kid,
        { ...expired!, expiresAt: new Date(Date.now() - 1000).toISOString() },
        {},
      ),
    );
    expect(await verifies(sut, first)).toBe(false);
    await sut.rotate({});
    expect(await records.get('signing-key', expired!.kid)).toBeUndefined();
    expect(secrets.saved.map((secret) => secret.kid)).not.toContain(expired!.kid);
  });

  it('keeps the private keys sealed at rest with MERIDIAN_SIGNING_KEY_SECRET', async () => {
    const sut = service({ signingKeySecret: 'a secret of some length' });
    await sut.onApplicationBootstrap();
    expect(JSON.stringify(secrets.saved)).not.toMatch(/"d":/);
    expect(await verifies(sut, await signWith(sut))).toBe(true);
    await expect(service().onApplicationBootstrap()).rejects.toThrow(/MERIDIAN_SIGNING_KEY_SECRET/);
  });

  it('seals the keys stored in the clear once MERIDIAN_SIGNING_KEY_SECRET is set', async () => {
    const before = service();
    await before.onApplicationBootstrap();
    const token = await signWith(before);
    expect(JSON.stringify(secrets.saved)).toMatch(/"d":/);

    const sut = service({ signingKeySecret: 'a secret of some length' });
    await sut.onApplicationBootstrap();
    expect(JSON.stringify(secrets.saved)).not.toMatch(/"d":/);
    expect((await sut.current()).kid).toBe((await before.current()).kid);
    expect(await verifies(sut, token)).toBe(true);
  });
});
