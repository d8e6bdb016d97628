import { ConfigError, loadConfig } from './config';

const databaseUrl = 'postgres://meridian:hunter2@127.0.0.1:5432/meridian_us_east';

describe(loadConfig.name, () => {
  it('fills defaults for everything but DATABASE_URL; the admin account is left alone', () => {
    expect(loadConfig({ DATABASE_URL: databaseUrl })).toEqual({
      region: 'us-east',
      natsUrls: ['nats://127.0.0.1:4222'],
      databaseUrl,
      logLevel: 'info',
      issuer: 'meridian',
      accessTokenTtlSeconds: 3600,
      refreshTokenTtlSeconds: 2_592_000,
      signingKeyRotationHours: 720,
      peers: [],
      loginFailureLimit: 10,
      loginFailureWindowSeconds: 300,
      loginAddressFailureLimit: 100,
      loginIdentityFailureLimit: 100,
    });
  });

  it('requires MERIDIAN_SIGNING_KEY_SECRET once NATS or Postgres is off this machine', () => {
    const remote = 'postgres://meridian:hunter2@db.internal:5432/meridian_us_east';
    expect(() => loadConfig({ DATABASE_URL: remote })).toThrow(/MERIDIAN_SIGNING_KEY_SECRET/);
    expect(() =>
      loadConfig({ DATABASE_URL: databaseUrl, MERIDIAN_NATS_URL: 'nats://nats-us-east:4222' }),
    ).toThrow(/MERIDIAN_SIGNING_KEY_SECRET/);
    expect(
      loadConfig({ DATABASE_URL: remote, MERIDIAN_SIGNING_KEY_SECRET: 'sixteen chars ok' }),
    ).toMatchObject({ signingKeySecret: 'sixteen chars ok' });
  });

  it('reads the admin password, token lifetimes and the failed-login bound', () => {
    expect(
      loadConfig({
        DATABASE_URL: databaseUrl,
        MERIDIAN_ADMIN_PASSWORD: 'long enough',
        MERIDIAN_TOKEN_TTL_SECONDS: '600',
        MERIDIAN_SIGNING_KEY_ROTATION_HOURS: '0',
        MERIDIAN_SIGNING_KEY_SECRET: 'sixteen chars ok',
        MERIDIAN_LOGIN_FAILURE_LIMIT: '5',
        MERIDIAN_PEERS: 'eu-west, ap-south',
      }),
    ).toMatchObject({
      adminPassword: 'long enough',
      accessTokenTtlSeconds: 600,
      signingKeyRotationHours: 0,
      signingKeySecret: 'sixteen chars ok',
      loginFailureLimit: 5,
      peers: ['eu-west', 'ap-south'],
    });
  });

  it('names every bad key and never its value', () => {
    let error: unknown;
    try {
      loadConfig({
        DATABASE_URL: databaseUrl,
        MERIDIAN_ADMIN_PASSWORD: 'short',
        MERIDIAN_TOKEN_TTL_SECONDS: '999999',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).keys).toEqual([
      'MERIDIAN_ADMIN_PASSWORD',
      'MERIDIAN_TOKEN_TTL_SECONDS',
    ]);
    expect((error as ConfigError).message).not.toContain('short');
  });
});
