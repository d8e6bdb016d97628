/**
 * The blob service's configuration, from the environment, checked once at boot. A bad value
 * stops the service with one message naming every bad key and what it expects; values are
 * never echoed (DATABASE_URL and the S3 secret hold credentials).
 *
 * The storage variables are libs/storage's, read the same way by the gateway, so both open
 * one store.
 */
import {
  type EnvExpectations,
  LogLevel,
  NatsUrls,
  PostgresUrl,
  envExpectations,
  parseEnv,
  type NatsClientAuth,
  natsAuthConfig,
  natsConnectionEnv,
  natsConnectionExpectations,
} from '@meridian/config';
import { RegionId } from '@meridian/contracts';
import {
  type StorageConfig,
  storageConfigFromEnv,
  storageEnvExpectations,
  withStorageEnv,
} from '@meridian/storage';
import { z } from 'zod';

export { ConfigError } from '@meridian/config';

const schema = withStorageEnv({
  MERIDIAN_REGION: RegionId.default('us-east'),
  MERIDIAN_NATS_URL: NatsUrls.default(['nats://127.0.0.1:4222']),
  ...natsConnectionEnv,
  DATABASE_URL: PostgresUrl,
  MERIDIAN_UPLOAD_IDLE_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(86_400),
  MERIDIAN_LOG_LEVEL: LogLevel.default('info'),
});

const expectations: EnvExpectations<typeof schema> = {
  MERIDIAN_REGION: envExpectations.regionId,
  MERIDIAN_NATS_URL: envExpectations.natsUrls,
  ...natsConnectionExpectations,
  DATABASE_URL: `${envExpectations.postgresUrl} (required)`,
  MERIDIAN_UPLOAD_IDLE_TIMEOUT_SECONDS: 'a whole number of seconds, at least 1',
  MERIDIAN_LOG_LEVEL: envExpectations.logLevel,
  ...storageEnvExpectations,
};

export interface BlobConfig {
  region: RegionId;
  natsUrls: string[];
  /** this service's NATS credentials and TLS, when set */
  natsAuth?: NatsClientAuth;
  databaseUrl: string;
  storage: z.output<typeof StorageConfig>;
  /** an upload session untouched this long expires and its bytes are removed */
  uploadIdleTimeoutSeconds: number;
  logLevel: LogLevel;
}

export const blobConfigToken = Symbol('BlobConfig');

/** Parses the environment; throws ConfigError naming every bad key. */
export function loadConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): BlobConfig {
  const config = parseEnv(schema, expectations, env);
  return {
    region: config.MERIDIAN_REGION,
    natsUrls: config.MERIDIAN_NATS_URL,
    ...natsAuthConfig(config),
    databaseUrl: config.DATABASE_URL,
    storage: storageConfigFromEnv(config, config.MERIDIAN_REGION, cwd),
    uploadIdleTimeoutSeconds: config.MERIDIAN_UPLOAD_IDLE_TIMEOUT_SECONDS,
    logLevel: config.MERIDIAN_LOG_LEVEL,
  };
}
