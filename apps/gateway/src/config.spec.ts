import { availableParallelism } from 'node:os';
import { ConfigError, loadConfig } from './config';

describe(loadConfig.name, () => {
  it('has defaults for everything', () => {
    const sut = loadConfig({}, '/srv');

    expect(sut).toEqual({
      region: 'us-east',
      natsUrls: ['nats://127.0.0.1:4222'],
      host: '127.0.0.1',
      port: 5000,
      logLevel: 'info',
      storage: { driver: 'filesystem', rootDirectory: '/srv/.meridian/us-east/store' },
      manifestCacheBytes: 64 * 1024 * 1024,
      workers: Math.min(availableParallelism(), 4),
      trustedProxies: [],
      uploadStateKey: undefined,
      auth: { mode: 'on', registryName: 'meridian', publicUrl: undefined },
      http: { idleTimeoutMs: 300_000, headersTimeoutMs: 60_000, requestTimeoutMs: 0 },
    });
  });

  it('reads every variable', () => {
    const sut = loadConfig(
      {
        MERIDIAN_REGION: 'eu-west',
        MERIDIAN_NATS_URL: 'nats://a:4222, nats://b:4222',
        MERIDIAN_HOST: '0.0.0.0',
        MERIDIAN_PORT: '8080',
        MERIDIAN_LOG_LEVEL: 'debug',
        MERIDIAN_STORAGE_DRIVER: 's3',
        MERIDIAN_S3_ENDPOINT: 'http://127.0.0.1:7480',
        MERIDIAN_S3_BUCKET: 'meridian-eu',
        MERIDIAN_S3_ACCESS_KEY_ID: 'id',
        MERIDIAN_S3_SECRET_ACCESS_KEY: 'secret',
        MERIDIAN_S3_REDIRECT: 'false',
        MERIDIAN_MANIFEST_CACHE_MIB: '0',
        MERIDIAN_GATEWAY_WORKERS: '3',
        MERIDIAN_AUTH_MODE: 'off',
        MERIDIAN_REGISTRY_NAME: 'registry.example.com',
        MERIDIAN_PUBLIC_URL: 'https://registry.example.com/',
        MERIDIAN_TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.7,fd00::/8',
        MERIDIAN_HTTP_IDLE_TIMEOUT_SECONDS: '30',
        MERIDIAN_HTTP_HEADERS_TIMEOUT_SECONDS: '10',
        MERIDIAN_HTTP_REQUEST_TIMEOUT_SECONDS: '3600',
        MERIDIAN_UPLOAD_STATE_KEY: 'a key of the region gateways',
      },
      '/srv',
    );

    expect(sut).toMatchObject({
      region: 'eu-west',
      natsUrls: ['nats://a:4222', 'nats://b:4222'],
      host: '0.0.0.0',
      port: 8080,
      logLevel: 'debug',
      manifestCacheBytes: 0,
      workers: 3,
      trustedProxies: ['10.0.0.0/8', '192.168.1.7', 'fd00::/8'],
      uploadStateKey: 'a key of the region gateways',
      auth: {
        mode: 'off',
        registryName: 'registry.example.com',
        publicUrl: 'https://registry.example.com',
      },
      http: { idleTimeoutMs: 30_000, headersTimeoutMs: 10_000, requestTimeoutMs: 3_600_000 },
      storage: {
        driver: 's3',
        endpoint: 'http://127.0.0.1:7480',
        bucket: 'meridian-eu',
        accessKeyId: 'id',
        secretAccessKey: 'secret',
        redirect: false,
        forcePathStyle: true,
      },
    });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ MERIDIAN_PORT: '' }).port).toBe(5000);
  });

  it('names every bad key, and never a value', () => {
    const attempt = () =>
      loadConfig({
        MERIDIAN_PORT: '70000',
        MERIDIAN_REGION: 'US_EAST',
        MERIDIAN_NATS_URL: 'http://nats',
        MERIDIAN_S3_REDIRECT: 'maybe',
        MERIDIAN_LOG_LEVEL: 'loud',
        MERIDIAN_AUTH_MODE: 'maybe',
        MERIDIAN_PUBLIC_URL: 'ftp://registry',
        MERIDIAN_TRUSTED_PROXIES: '10.0.0.0/33',
        MERIDIAN_UPLOAD_STATE_KEY: 'short',
      });

    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const keys = (error as ConfigError).problems.map((problem) => problem.key).sort();
      expect(keys).toEqual([
        'MERIDIAN_AUTH_MODE',
        'MERIDIAN_LOG_LEVEL',
        'MERIDIAN_NATS_URL',
        'MERIDIAN_PORT',
        'MERIDIAN_PUBLIC_URL',
        'MERIDIAN_REGION',
        'MERIDIAN_S3_REDIRECT',
        'MERIDIAN_TRUSTED_PROXIES',
        'MERIDIAN_UPLOAD_STATE_KEY',
      ]);
      expect((error as Error).message).not.toContain('70000');
      expect((error as Error).message).not.toContain('short');
      expect((error as Error).message).not.toContain('US_EAST');
    }
  });

  it('asks for the S3 settings the s3 driver needs', () => {
    try {
      loadConfig({ MERIDIAN_STORAGE_DRIVER: 's3', MERIDIAN_S3_BUCKET: 'meridian' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect((error as ConfigError).problems.map((problem) => problem.key).sort()).toEqual([
        'MERIDIAN_S3_ACCESS_KEY_ID',
        'MERIDIAN_S3_SECRET_ACCESS_KEY',
      ]);
    }
  });
});
