import { ConfigError, loadConfig } from './config';

const databaseUrl = 'postgres://meridian:hunter2@db.internal:5432/meridian_us_east';

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env, '/srv/meridian');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe(loadConfig.name, () => {
  it('fills in defaults, with the store under .meridian/<region>/store', () => {
    const sut = loadConfig(
      { DATABASE_URL: databaseUrl, MERIDIAN_REGION: 'eu-west' },
      '/srv/meridian',
    );
    expect(sut).toEqual({
      region: 'eu-west',
      natsUrls: ['nats://127.0.0.1:4222'],
      databaseUrl,
      storage: { driver: 'filesystem', rootDirectory: '/srv/meridian/.meridian/eu-west/store' },
      uploadIdleTimeoutSeconds: 86_400,
      gc: { graceHours: 24, intervalMinutes: 60, blobsPerSecond: 2000 },
      scrubBytesPerSecond: 50 * 1024 * 1024,
      logLevel: 'info',
    });
  });

  it('reads the garbage collection settings, fractions of an hour included', () => {
    const sut = loadConfig({
      DATABASE_URL: databaseUrl,
      MERIDIAN_GC_GRACE_HOURS: '0.5',
      MERIDIAN_GC_INTERVAL_MINUTES: '0',
      MERIDIAN_GC_BLOBS_PER_SECOND: '250',
    });
    expect(sut.gc).toEqual({ graceHours: 0.5, intervalMinutes: 0, blobsPerSecond: 250 });
    expect(() => loadConfig({ DATABASE_URL: databaseUrl, MERIDIAN_GC_GRACE_HOURS: '-1' })).toThrow(
      /MERIDIAN_GC_GRACE_HOURS/,
    );
  });

  it('reads an S3 store and several NATS servers', () => {
    const sut = loadConfig({
      DATABASE_URL: databaseUrl,
      MERIDIAN_NATS_URL: 'nats://a:4222, nats://b:4222',
      MERIDIAN_STORAGE_DRIVER: 's3',
      MERIDIAN_S3_ENDPOINT: 'http://127.0.0.1:7480',
      MERIDIAN_S3_BUCKET: 'meridian-us-east',
      MERIDIAN_S3_ACCESS_KEY_ID: 'id',
      MERIDIAN_S3_SECRET_ACCESS_KEY: 'secret',
      MERIDIAN_S3_FORCE_PATH_STYLE: 'false',
      MERIDIAN_UPLOAD_IDLE_TIMEOUT_SECONDS: '600',
    });
    expect(sut.natsUrls).toEqual(['nats://a:4222', 'nats://b:4222']);
    expect(sut.uploadIdleTimeoutSeconds).toBe(600);
    expect(sut.storage).toMatchObject({
      driver: 's3',
      endpoint: 'http://127.0.0.1:7480',
      bucket: 'meridian-us-east',
      accessKeyId: 'id',
      secretAccessKey: 'secret',
      forcePathStyle: false,
      redirect: true,
    });
  });

  it('names every bad key at once, and no value', () => {
    const sut = configError({
      MERIDIAN_STORAGE_DRIVER: 'ftp',
      MERIDIAN_UPLOAD_IDLE_TIMEOUT_SECONDS: '0',
      MERIDIAN_REGION: 'US_EAST',
      MERIDIAN_LOG_LEVEL: 'loud',
    });
    expect([...sut.keys].sort()).toEqual([
      'DATABASE_URL',
      'MERIDIAN_LOG_LEVEL',
      'MERIDIAN_REGION',
      'MERIDIAN_STORAGE_DRIVER',
      'MERIDIAN_UPLOAD_IDLE_TIMEOUT_SECONDS',
    ]);
    expect(sut.message).toContain('MERIDIAN_STORAGE_DRIVER: expected filesystem or s3');
    expect(sut.message).not.toMatch(/ftp|loud|US_EAST/);
  });

  it('requires the bucket and credentials of an S3 store, without echoing the secret', () => {
    const sut = configError({
      DATABASE_URL: databaseUrl,
      MERIDIAN_STORAGE_DRIVER: 's3',
      MERIDIAN_S3_ENDPOINT: 'not a url',
      MERIDIAN_S3_SECRET_ACCESS_KEY: 'top-secret',
    });
    expect([...sut.keys].sort()).toEqual([
      'MERIDIAN_S3_ACCESS_KEY_ID',
      'MERIDIAN_S3_BUCKET',
      'MERIDIAN_S3_ENDPOINT',
    ]);
    expect(sut.message).not.toContain('top-secret');
  });

  it('does not echo a database URL it refuses', () => {
    const sut = configError({ DATABASE_URL: 'mysql://root:hunter2@db/meridian' });
    expect(sut.keys).toEqual(['DATABASE_URL']);
    expect(sut.message).not.toContain('hunter2');
  });

  it('reads the store quota, and refuses one that is not a whole number of bytes', () => {
    const sut = loadConfig({ DATABASE_URL: databaseUrl, MERIDIAN_STORAGE_QUOTA_BYTES: '1000' });
    expect(sut.storageQuotaBytes).toBe(1000);
    expect(
      configError({ DATABASE_URL: databaseUrl, MERIDIAN_STORAGE_QUOTA_BYTES: '-1' }).keys,
    ).toEqual(['MERIDIAN_STORAGE_QUOTA_BYTES']);
    expect(
      configError({ DATABASE_URL: databaseUrl, MERIDIAN_STORAGE_QUOTA_BYTES: '1.5' }).keys,
    ).toEqual(['MERIDIAN_STORAGE_QUOTA_BYTES']);
  });

  it('reads the scrub rate in MiB per second, 50 unless set, and refuses one not above 0', () => {
    expect(loadConfig({ DATABASE_URL: databaseUrl }).scrubBytesPerSecond).toBe(50 * 1024 * 1024);
    expect(
      loadConfig({ DATABASE_URL: databaseUrl, MERIDIAN_SCRUB_RATE_MIB_PER_SECOND: '0.5' })
        .scrubBytesPerSecond,
    ).toBe(512 * 1024);
    for (const bad of ['0', '-3', 'fast']) {
      expect(
        configError({ DATABASE_URL: databaseUrl, MERIDIAN_SCRUB_RATE_MIB_PER_SECOND: bad }).keys,
      ).toEqual(['MERIDIAN_SCRUB_RATE_MIB_PER_SECOND']);
    }
  });

  it('takes an empty variable as unset', () => {
    const sut = loadConfig({
      DATABASE_URL: databaseUrl,
      MERIDIAN_STORAGE_DRIVER: '',
      MERIDIAN_LOG_LEVEL: '',
    });
    expect(sut.storage.driver).toBe('filesystem');
    expect(sut.logLevel).toBe('info');
  });
});
