import { z } from 'zod';
import { ConfigError, parseEnv } from './parse-env';
import { loadRuntimeConfig } from './runtime-env';
import {
  databaseServiceEnv,
  databaseServiceEnvExpectations,
  serviceConfigOf,
  serviceEnv,
  serviceEnvExpectations,
} from './service-env';

const gateway = z.object(serviceEnv);
const databaseService = z.object(databaseServiceEnv);
const databaseUrl = 'postgres://meridian:hunter2@db.internal:5432/meridian';

function configError(attempt: () => unknown): ConfigError {
  try {
    attempt();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe(serviceConfigOf.name, () => {
  it('gives every shared variable its one default (README: environment)', () => {
    expect(serviceConfigOf(parseEnv(gateway, serviceEnvExpectations, {}))).toEqual({
      region: 'us-east',
      natsUrls: ['nats://127.0.0.1:4222'],
      logLevel: 'info',
    });
  });

  it('reads the region, several NATS URLs, the NATS credentials and the log level', () => {
    const env = parseEnv(gateway, serviceEnvExpectations, {
      MERIDIAN_REGION: 'eu-west',
      MERIDIAN_NATS_URL: 'nats://a:4222, tls://b:4222',
      MERIDIAN_NATS_USER: 'gateway',
      MERIDIAN_NATS_PASSWORD: 'pw',
      MERIDIAN_LOG_LEVEL: 'debug',
    });
    expect(serviceConfigOf(env)).toEqual({
      region: 'eu-west',
      natsUrls: ['nats://a:4222', 'tls://b:4222'],
      natsAuth: { user: 'gateway', password: 'pw' },
      logLevel: 'debug',
    });
  });

  it('requires DATABASE_URL of a service with a database, and reads the rest the same way', () => {
    const expectations = databaseServiceEnvExpectations;
    expect(configError(() => parseEnv(databaseService, expectations, {})).keys).toEqual([
      'DATABASE_URL',
    ]);
    const env = parseEnv(databaseService, expectations, { DATABASE_URL: databaseUrl });
    expect(env.DATABASE_URL).toBe(databaseUrl);
    expect(serviceConfigOf(env)).toEqual(
      serviceConfigOf(parseEnv(gateway, serviceEnvExpectations, {})),
    );
  });

  it('names every bad shared key, in order, never its value', () => {
    const sut = configError(() =>
      parseEnv(databaseService, databaseServiceEnvExpectations, {
        MERIDIAN_REGION: 'US East',
        MERIDIAN_NATS_URL: 'http://nats',
        DATABASE_URL: 'mysql://root:hunter2@db/x',
        MERIDIAN_LOG_LEVEL: 'loud',
      }),
    );
    expect(sut.keys).toEqual([
      'MERIDIAN_REGION',
      'MERIDIAN_NATS_URL',
      'DATABASE_URL',
      'MERIDIAN_LOG_LEVEL',
    ]);
    expect(sut.message).toContain('MERIDIAN_REGION: expected a region id');
    expect(sut.message).not.toMatch(/US East|http:\/\/nats|hunter2|loud/);
  });
});

describe(loadRuntimeConfig.name, () => {
  it('runs no health server unless MERIDIAN_HEALTH_PORT is set, and gives work 25 s at shutdown', () => {
    expect(loadRuntimeConfig({})).toEqual({
      healthPort: undefined,
      healthHost: '0.0.0.0',
      shutdownGraceMs: 25_000,
    });
  });

  it('reads the health port and address and the shutdown grace', () => {
    expect(
      loadRuntimeConfig({
        MERIDIAN_HEALTH_PORT: '0',
        MERIDIAN_HEALTH_HOST: '127.0.0.1',
        MERIDIAN_SHUTDOWN_GRACE_SECONDS: '2.5',
      }),
    ).toEqual({ healthPort: 0, healthHost: '127.0.0.1', shutdownGraceMs: 2_500 });
  });

  it('names every bad key', () => {
    const sut = configError(() =>
      loadRuntimeConfig({ MERIDIAN_HEALTH_PORT: '70000', MERIDIAN_SHUTDOWN_GRACE_SECONDS: '0' }),
    );
    expect(sut.keys).toEqual(['MERIDIAN_HEALTH_PORT', 'MERIDIAN_SHUTDOWN_GRACE_SECONDS']);
  });
});
