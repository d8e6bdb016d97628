import { ConfigError, loadConfig } from './config';

const databaseUrl = 'postgres://meridian:hunter2@db.internal:5432/meridian_us_east';

describe(loadConfig.name, () => {
  it('fills defaults for everything but DATABASE_URL', () => {
    expect(loadConfig({ DATABASE_URL: databaseUrl })).toEqual({
      region: 'us-east',
      natsUrls: ['nats://127.0.0.1:4222'],
      databaseUrl,
      logLevel: 'info',
      peerBlobFetchTimeoutMs: 8_000,
      retentionIntervalSeconds: 60,
    });
  });

  it('reads every variable, several NATS URLs separated by commas', () => {
    expect(
      loadConfig({
        DATABASE_URL: databaseUrl,
        MERIDIAN_REGION: 'eu-west',
        MERIDIAN_NATS_URL: 'nats://a:4222, nats://b:4222',
        MERIDIAN_LOG_LEVEL: 'debug',
        MERIDIAN_PEER_BLOB_FETCH_TIMEOUT_MS: '20000',
        MERIDIAN_RETENTION_INTERVAL_SECONDS: '300',
      }),
    ).toEqual({
      region: 'eu-west',
      natsUrls: ['nats://a:4222', 'nats://b:4222'],
      databaseUrl,
      logLevel: 'debug',
      peerBlobFetchTimeoutMs: 20_000,
      retentionIntervalSeconds: 300,
    });
  });

  it('names every bad key in one error, never a value', () => {
    let error: unknown;
    try {
      loadConfig({
        DATABASE_URL: 'mysql://root:hunter2@db/x',
        MERIDIAN_REGION: 'US East',
        MERIDIAN_NATS_URL: 'http://nats',
        MERIDIAN_LOG_LEVEL: 'loud',
        MERIDIAN_PEER_BLOB_FETCH_TIMEOUT_MS: 'forever',
        MERIDIAN_RETENTION_INTERVAL_SECONDS: '0',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).keys).toEqual([
      'MERIDIAN_REGION',
      'MERIDIAN_NATS_URL',
      'DATABASE_URL',
      'MERIDIAN_LOG_LEVEL',
      'MERIDIAN_PEER_BLOB_FETCH_TIMEOUT_MS',
      'MERIDIAN_RETENTION_INTERVAL_SECONDS',
    ]);
    expect((error as Error).message).not.toMatch(/hunter2|US East|loud|http:\/\/nats|forever/);
  });

  it('requires DATABASE_URL, and takes an empty variable as unset', () => {
    expect(() => loadConfig({ DATABASE_URL: '' })).toThrow(/DATABASE_URL: expected .*required/);
    expect(loadConfig({ DATABASE_URL: databaseUrl, MERIDIAN_REGION: '' }).region).toBe('us-east');
  });
});
