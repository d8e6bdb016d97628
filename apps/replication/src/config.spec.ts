import { ConfigError, loadConfig } from './config';

const databaseUrl = 'postgres://meridian:hunter2@db.internal:5432/meridian_eu_west';
const credentialsKey = 'an operator key of enough length';

function badKeys(env: Record<string, string>): string[] {
  try {
    loadConfig(env, '/srv');
  } catch (error) {
    if (error instanceof ConfigError) return error.keys.sort();
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe(loadConfig.name, () => {
  it('fills defaults for everything but DATABASE_URL; no peers, one region', () => {
    expect(
      loadConfig(
        { DATABASE_URL: databaseUrl, MERIDIAN_CREDENTIALS_SECRET_KEY: credentialsKey },
        '/srv',
      ),
    ).toEqual({
      region: 'us-east',
      peers: [],
      natsUrls: ['nats://127.0.0.1:4222'],
      databaseUrl,
      storage: { driver: 'filesystem', rootDirectory: '/srv/.meridian/us-east/store' },
      peerStorage: {},
      concurrency: 4,
      failedAfterAttempts: 5,
      imports: {
        insecureUpstreams: [],
        allowedUpstreams: [],
        credentialsKey,
        stallTimeoutMs: 30_000,
        attempts: 4,
        retryDelayMs: 5_000,
        concurrency: 2,
      },
      lagSampleSeconds: 60,
      antiEntropy: { intervalSeconds: 300, rate: 10, backfillRate: 200 },
      maxClockSkewSeconds: 300,
      degradedLagSeconds: 300,
      logLevel: 'info',
    });
  });

  it("reads anti-entropy's pace, the allowed clock skew and the event retention", () => {
    const config = loadConfig(
      {
        DATABASE_URL: databaseUrl,
        MERIDIAN_CREDENTIALS_SECRET_KEY: credentialsKey,
        MERIDIAN_ANTI_ENTROPY_INTERVAL_SECONDS: '5',
        MERIDIAN_ANTI_ENTROPY_RATE: '0.5',
        MERIDIAN_ANTI_ENTROPY_BACKFILL_RATE: '1000',
        MERIDIAN_MAX_CLOCK_SKEW_SECONDS: '60',
        MERIDIAN_EVENT_RETENTION_SECONDS: '20',
        MERIDIAN_REPLICATION_DEGRADED_LAG_SECONDS: '30',
      },
      '/srv',
    );
    expect(config).toMatchObject({
      antiEntropy: { intervalSeconds: 5, rate: 0.5, backfillRate: 1000 },
      maxClockSkewSeconds: 60,
      degradedLagSeconds: 30,
      eventRetentionMs: 20_000,
    });
    expect(
      badKeys({
        DATABASE_URL: databaseUrl,
        MERIDIAN_ANTI_ENTROPY_RATE: '0',
        MERIDIAN_MAX_CLOCK_SKEW_SECONDS: 'soon',
        MERIDIAN_EVENT_RETENTION_SECONDS: '-1',
        MERIDIAN_REPLICATION_DEGRADED_LAG_SECONDS: '0',
      }),
    ).toEqual([
      'MERIDIAN_ANTI_ENTROPY_RATE',
      'MERIDIAN_EVENT_RETENTION_SECONDS',
      'MERIDIAN_MAX_CLOCK_SKEW_SECONDS',
      'MERIDIAN_REPLICATION_DEGRADED_LAG_SECONDS',
    ]);
  });

  it("reads the peers and each peer's store", () => {
    const config = loadConfig(
      {
        DATABASE_URL: databaseUrl,
        MERIDIAN_CREDENTIALS_SECRET_KEY: credentialsKey,
        MERIDIAN_REGION: 'eu-west',
        MERIDIAN_INSECURE_UPSTREAMS: 'Mirror.internal:5000, 10.0.0.7',
        MERIDIAN_UPSTREAM_ALLOWED_HOSTS: '10.0.0.0/8',
        MERIDIAN_PEERS: 'us-east,ap-south',
        MERIDIAN_PEER_AP_SOUTH_STORAGE_DIR: '/data/ap-south',
        MERIDIAN_REPLICATION_CONCURRENCY: '8',
        MERIDIAN_REPLICATION_FAILED_AFTER: '3',
        MERIDIAN_REPLICATION_LAG_SAMPLE_SECONDS: '5',
      },
      '/srv',
    );
    expect(config).toMatchObject({
      region: 'eu-west',
      peers: ['us-east', 'ap-south'],
      peerStorage: {
        'us-east': { driver: 'filesystem', rootDirectory: '/srv/.meridian/us-east/store' },
        'ap-south': { driver: 'filesystem', rootDirectory: '/data/ap-south' },
      },
      concurrency: 8,
      failedAfterAttempts: 3,
      imports: {
        insecureUpstreams: ['mirror.internal:5000', '10.0.0.7'],
        allowedUpstreams: ['10.0.0.0/8'],
      },
      lagSampleSeconds: 5,
    });
  });

  it('asks for the credentials key unless NATS and Postgres are on loopback', () => {
    expect(badKeys({ DATABASE_URL: databaseUrl })).toEqual(['MERIDIAN_CREDENTIALS_SECRET_KEY']);
    const local = loadConfig(
      { DATABASE_URL: 'postgres://meridian@127.0.0.1:5432/meridian' },
      '/srv',
    );
    expect(local.imports.credentialsKey).toBeUndefined();
  });

  it("names the service's and the peers' bad keys in one message", () => {
    expect(
      badKeys({
        MERIDIAN_REPLICATION_CONCURRENCY: '0',
        MERIDIAN_PEERS: 'us-east',
        MERIDIAN_PEER_US_EAST_STORAGE_DRIVER: 'tape',
      }),
    ).toEqual([
      'DATABASE_URL',
      'MERIDIAN_PEER_US_EAST_STORAGE_DRIVER',
      'MERIDIAN_REPLICATION_CONCURRENCY',
    ]);
  });

  it('refuses this region among its peers', () => {
    expect(
      badKeys({
        DATABASE_URL: databaseUrl,
        MERIDIAN_CREDENTIALS_SECRET_KEY: credentialsKey,
        MERIDIAN_PEERS: 'us-east,eu-west',
      }),
    ).toEqual(['MERIDIAN_PEERS']);
  });
});
