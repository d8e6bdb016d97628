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
  parseEnv,
  databaseServiceEnv,
  databaseServiceEnvExpectations,
  type ServiceConfig,
  serviceConfigOf,
} from '@meridian/config';
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
  MERIDIAN_UPLOAD_IDLE_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(86_400),
  MERIDIAN_STORAGE_QUOTA_BYTES: z.coerce.number().int().nonnegative().optional(),
  MERIDIAN_GC_GRACE_HOURS: z.coerce.number().nonnegative().max(8760).default(24),
  MERIDIAN_GC_INTERVAL_MINUTES: z.coerce.number().nonnegative().max(10_080).default(60),
  MERIDIAN_GC_BLOBS_PER_SECOND: z.coerce.number().positive().default(2000),
  MERIDIAN_SCRUB_RATE_MIB_PER_SECOND: z.coerce.number().positive().max(100_000).default(50),
});

const expectations: EnvExpectations<typeof schema> = {
  ...databaseServiceEnvExpectations,
  MERIDIAN_UPLOAD_IDLE_TIMEOUT_SECONDS: 'a whole number of seconds, at least 1',
  MERIDIAN_STORAGE_QUOTA_BYTES: 'a whole number of bytes, at least 0 (unset: no quota)',
  MERIDIAN_GC_GRACE_HOURS: 'hours from 0 to 8760 (fractions allowed)',
  MERIDIAN_GC_INTERVAL_MINUTES: 'minutes from 0 (no background collection) to 10080',
  MERIDIAN_GC_BLOBS_PER_SECOND: 'a number of blobs per second above 0',
  MERIDIAN_SCRUB_RATE_MIB_PER_SECOND: 'a number of MiB per second above 0, at most 100000',
  ...storageEnvExpectations,
};

export interface BlobConfig extends ServiceConfig {
  databaseUrl: string;
  storage: z.output<typeof StorageConfig>;
  /** an upload session untouched this long expires and its bytes are removed */
  uploadIdleTimeoutSeconds: number;
  /** the most the region's store may hold (each blob once); uploads past it are refused */
  storageQuotaBytes?: number;
  gc: {
    /** how long an unreferenced link or blob stays before garbage collection frees it */
    graceHours: number;
    /** the background collection starts this often; 0: only on demand */
    intervalMinutes: number;
    /** the pace of a collection's walk through the store's blobs */
    blobsPerSecond: number;
  };
  /** how fast a scrub job may read the store (MERIDIAN_SCRUB_RATE_MIB_PER_SECOND) */
  scrubBytesPerSecond: number;
}

export const blobConfigToken = Symbol('BlobConfig');

/** Parses the environment; throws ConfigError naming every bad key. */
export function loadConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): BlobConfig {
  const config = parseEnv(schema, expectations, env);
  return {
    ...serviceConfigOf(config),
    databaseUrl: config.DATABASE_URL,
    storage: storageConfigFromEnv(config, config.MERIDIAN_REGION, cwd),
    uploadIdleTimeoutSeconds: config.MERIDIAN_UPLOAD_IDLE_TIMEOUT_SECONDS,
    gc: {
      graceHours: config.MERIDIAN_GC_GRACE_HOURS,
      intervalMinutes: config.MERIDIAN_GC_INTERVAL_MINUTES,
      blobsPerSecond: config.MERIDIAN_GC_BLOBS_PER_SECOND,
    },
    scrubBytesPerSecond: Math.round(config.MERIDIAN_SCRUB_RATE_MIB_PER_SECOND * 1024 * 1024),
    ...(config.MERIDIAN_STORAGE_QUOTA_BYTES === undefined
      ? {}
      : { storageQuotaBytes: config.MERIDIAN_STORAGE_QUOTA_BYTES }),
  };
}
