import { ConfigError, loadConfig } from './config';

describe(loadConfig.name, () => {
  const required = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/meridian' };

  it('requires MERIDIAN_WEBHOOK_SECRET_KEY once NATS or Postgres is off this machine', () => {
    const remote = { DATABASE_URL: 'postgres://meridian:pw@postgres-us-east:5432/meridian' };
    expect(() => loadConfig(remote)).toThrow(/MERIDIAN_WEBHOOK_SECRET_KEY/);
    expect(() =>
      loadConfig({ ...required, MERIDIAN_NATS_URL: 'tls://nats.example.com:4222' }),
    ).toThrow(/MERIDIAN_WEBHOOK_SECRET_KEY/);
    expect(
      loadConfig({ ...remote, MERIDIAN_WEBHOOK_SECRET_KEY: 'a key of enough length' }).secretKey,
    ).toBe('a key of enough length');
  });

  it('has the documented defaults', () => {
    expect(loadConfig(required)).toMatchObject({
      region: 'us-east',
      delivery: {
        timeoutMs: 10_000,
        maxAttempts: 12,
        maxAgeMs: 24 * 3_600_000,
        retryBaseMs: 1_000,
        retryMaxMs: 600_000,
        concurrency: 4,
        logRetentionMs: 168 * 3_600_000,
      },
      allowedHosts: [],
    });
    expect(loadConfig(required).secretKey).toBeUndefined();
  });

  it('reads the allowed hosts as a list', () => {
    const config = loadConfig({
      ...required,
      MERIDIAN_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1, 10.0.0.0/8,,hooks.internal',
    });
    expect(config.allowedHosts).toEqual(['127.0.0.1', '10.0.0.0/8', 'hooks.internal']);
  });

  it('names every bad key and never echoes a value', () => {
    const secret = 'short';
    let error: unknown;
    try {
      loadConfig({
        ...required,
        MERIDIAN_WEBHOOK_SECRET_KEY: secret,
        MERIDIAN_WEBHOOK_CONCURRENCY: '0',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('MERIDIAN_WEBHOOK_SECRET_KEY');
    expect(message).toContain('MERIDIAN_WEBHOOK_CONCURRENCY');
    expect(message).not.toContain(secret);
  });
});
