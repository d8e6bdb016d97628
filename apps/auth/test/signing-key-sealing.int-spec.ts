/**
 * Private signing keys at rest, against real Postgres: a key stored in the clear (a
 * loopback system started without MERIDIAN_SIGNING_KEY_SECRET) is sealed at the first start
 * with the secret, keeps its kid, and still signs tokens that verify.
 */
import { createLogger } from '@meridian/telemetry';
import { AuthRecordsRepository } from '../src/records/auth-records.repository';
import { SigningKeysService } from '../src/signing-keys/signing-keys.service';
import { SqlSigningSecretsRepository } from '../src/signing-keys/signing-secrets.repository';
import { AuthServiceHarness, adminPassword } from './auth-service.harness';

jest.setTimeout(60_000);

describe('signing keys at rest', () => {
  let harness: AuthServiceHarness;

  beforeAll(async () => {
    harness = await AuthServiceHarness.start('signing_key_sealing');
  });
  afterAll(() => harness?.stop());

  const storedKeys = () =>
    harness.sql<Array<{ kid: string; jwk: string }>>`
      select kid, private_jwk::text as jwk from auth.signing_secrets`;

  it('seals the keys kept in the clear at the first start with MERIDIAN_SIGNING_KEY_SECRET', async () => {
    const before = await storedKeys();
    expect(before).toHaveLength(1);
    expect(before[0]!.jwk).toContain('"d":');

    const sut = new SigningKeysService(
      harness.provider(AuthRecordsRepository),
      new SqlSigningSecretsRepository(harness.sql),
      { ...harness.config, signingKeySecret: 'the operator secret sealing keys' },
      createLogger({ service: 'auth', region: 'us-east', level: 'silent' }),
    );
    await sut.onApplicationBootstrap();
    sut.onApplicationShutdown();

    const after = await storedKeys();
    expect(after.map(({ kid }) => kid)).toEqual(before.map(({ kid }) => kid));
    expect(after[0]!.jwk).not.toContain('"d":');
    expect(after[0]!.jwk).toContain('"sealed"');
    expect((await sut.current()).kid).toBe(before[0]!.kid);

    // the running service (its key cached) and the sealed key sign alike
    const { accessToken } = await harness.login('admin', adminPassword, []);
    await expect(harness.verify(accessToken)).resolves.toBeDefined();
  });
});
