/**
 * The scan service's configuration, from the environment, checked once at boot. A bad value
 * stops the service with one message naming every bad key and what it expects; values are
 * never echoed (DATABASE_URL and the S3 secret hold credentials).
 *
 * The storage variables are libs/storage's: the scan service reads layers from, and writes
 * its SBOM and report blobs to, the same regional store as the blob service and the gateway.
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
import { RegionId, Severity } from '@meridian/contracts';
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
  MERIDIAN_ADVISORY_DB: z.string().min(1).optional(),
  MERIDIAN_ADVISORY_DB_REFRESH_SECONDS: z.coerce.number().int().positive().default(300),
  MERIDIAN_QUARANTINE_SEVERITY: Severity.exclude(['UNKNOWN']).default('HIGH'),
  MERIDIAN_LOG_LEVEL: LogLevel.default('info'),
});

const expectations: EnvExpectations<typeof schema> = {
  MERIDIAN_REGION: envExpectations.regionId,
  MERIDIAN_NATS_URL: envExpectations.natsUrls,
  ...natsConnectionExpectations,
  DATABASE_URL: `${envExpectations.postgresUrl} (required)`,
  MERIDIAN_ADVISORY_DB: 'a directory or .zip of OSV JSON files',
  MERIDIAN_ADVISORY_DB_REFRESH_SECONDS: 'a whole number of seconds, at least 1',
  MERIDIAN_QUARANTINE_SEVERITY: 'CRITICAL, HIGH, MEDIUM or LOW',
  MERIDIAN_LOG_LEVEL: envExpectations.logLevel,
  ...storageEnvExpectations,
};

export interface ScanConfig {
  region: RegionId;
  natsUrls: string[];
  /** this service's NATS credentials and TLS, when set */
  natsAuth?: NatsClientAuth;
  databaseUrl: string;
  storage: z.output<typeof StorageConfig>;
  /** the operator's OSV database; without one, scanning is off */
  advisoryDb?: string;
  advisoryDbRefreshSeconds: number;
  /** a quarantined image with a finding at or above this fails its scan */
  quarantineSeverity: Severity;
  logLevel: LogLevel;
}

/** Parses the environment; throws ConfigError naming every bad key. */
export function loadConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): ScanConfig {
  const config = parseEnv(schema, expectations, env);
  return {
    region: config.MERIDIAN_REGION,
    natsUrls: config.MERIDIAN_NATS_URL,
    ...natsAuthConfig(config),
    databaseUrl: config.DATABASE_URL,
    storage: storageConfigFromEnv(config, config.MERIDIAN_REGION, cwd),
    advisoryDb: config.MERIDIAN_ADVISORY_DB,
    advisoryDbRefreshSeconds: config.MERIDIAN_ADVISORY_DB_REFRESH_SECONDS,
    quarantineSeverity: config.MERIDIAN_QUARANTINE_SEVERITY,
    logLevel: config.MERIDIAN_LOG_LEVEL,
  };
}
