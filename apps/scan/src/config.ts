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
  parseEnv,
  databaseServiceEnv,
  databaseServiceEnvExpectations,
  type ServiceConfig,
  serviceConfigOf,
} from '@meridian/config';
import { Severity } from '@meridian/contracts';
import {
  type StorageConfig,
  storageConfigFromEnv,
  storageEnvExpectations,
  withStorageEnv,
} from '@meridian/storage';
import { z } from 'zod';

export { ConfigError } from '@meridian/config';

const schema = withStorageEnv({
  ...databaseServiceEnv,
  MERIDIAN_ADVISORY_DB: z.string().min(1).optional(),
  MERIDIAN_ADVISORY_DB_REFRESH_SECONDS: z.coerce.number().int().positive().default(300),
  MERIDIAN_QUARANTINE_SEVERITY: Severity.exclude(['UNKNOWN']).default('HIGH'),
});

const expectations: EnvExpectations<typeof schema> = {
  ...databaseServiceEnvExpectations,
  MERIDIAN_ADVISORY_DB: 'a directory or .zip of OSV JSON files',
  MERIDIAN_ADVISORY_DB_REFRESH_SECONDS: 'a whole number of seconds, at least 1',
  MERIDIAN_QUARANTINE_SEVERITY: 'CRITICAL, HIGH, MEDIUM or LOW',
  ...storageEnvExpectations,
};

export interface ScanConfig extends ServiceConfig {
  databaseUrl: string;
  storage: z.output<typeof StorageConfig>;
  /** the operator's OSV database; without one, scanning is off */
  advisoryDb?: string;
  advisoryDbRefreshSeconds: number;
  /** a quarantined image with a finding at or above this fails its scan */
  quarantineSeverity: Severity;
}

/** Parses the environment; throws ConfigError naming every bad key. */
export function loadConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): ScanConfig {
  const config = parseEnv(schema, expectations, env);
  return {
    ...serviceConfigOf(config),
    databaseUrl: config.DATABASE_URL,
    storage: storageConfigFromEnv(config, config.MERIDIAN_REGION, cwd),
    advisoryDb: config.MERIDIAN_ADVISORY_DB,
    advisoryDbRefreshSeconds: config.MERIDIAN_ADVISORY_DB_REFRESH_SECONDS,
    quarantineSeverity: config.MERIDIAN_QUARANTINE_SEVERITY,
  };
}
