/**
 * The replication service's configuration, from the environment, checked once at boot. A
 * bad value stops the service with one message naming every bad key and what it expects;
 * values are never echoed (DATABASE_URL and S3 secrets hold credentials).
 *
 * Its own store uses the MERIDIAN_STORAGE_* / MERIDIAN_S3_* variables, as the blob service
 * and gateway of the region do; each peer's store the MERIDIAN_PEER_<REGION>_* ones.
 */
import {
  CommaList,
  ConfigError,
  type ConfigProblem,
  type EnvExpectations,
  parseEnv,
  databaseServiceEnv,
  databaseServiceEnvExpectations,
  isLoopbackOnly,
  type ServiceConfig,
  serviceConfigOf,
} from '@meridian/config';
import type { RegionId } from '@meridian/contracts';
import {
  type StorageConfig,
  peerStorageConfigsFromEnv,
  storageConfigFromEnv,
  storageEnvExpectations,
  withStorageEnv,
} from '@meridian/storage';
import { z } from 'zod';

export { ConfigError } from '@meridian/config';

const schema = withStorageEnv({
  ...databaseServiceEnv,
  MERIDIAN_REPLICATION_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  MERIDIAN_REPLICATION_FAILED_AFTER: z.coerce.number().int().min(1).default(5),
  MERIDIAN_INSECURE_UPSTREAMS: CommaList.default([]),
  MERIDIAN_UPSTREAM_ALLOWED_HOSTS: CommaList.default([]),
  MERIDIAN_CREDENTIALS_SECRET_KEY: z.string().min(16).optional(),
  MERIDIAN_IMPORT_STALL_TIMEOUT_SECONDS: z.coerce.number().positive().max(3600).default(30),
  MERIDIAN_IMPORT_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(4),
  MERIDIAN_IMPORT_RETRY_SECONDS: z.coerce.number().positive().max(3600).default(5),
  MERIDIAN_IMPORT_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  MERIDIAN_REPLICATION_LAG_SAMPLE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  MERIDIAN_ANTI_ENTROPY_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  MERIDIAN_ANTI_ENTROPY_RATE: z.coerce.number().positive().max(10_000).default(10),
  MERIDIAN_ANTI_ENTROPY_BACKFILL_RATE: z.coerce.number().positive().max(10_000).default(200),
  MERIDIAN_MAX_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  MERIDIAN_REPLICATION_DEGRADED_LAG_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(86_400)
    .default(300),
});

const expectations: EnvExpectations<typeof schema> = {
  ...databaseServiceEnvExpectations,
  MERIDIAN_REPLICATION_CONCURRENCY: 'a whole number of events applied at once, 1 to 64',
  MERIDIAN_REPLICATION_FAILED_AFTER: 'a whole number of attempts, at least 1',
  MERIDIAN_INSECURE_UPSTREAMS: 'comma-separated host[:port] an import may reach over plain HTTP',
  MERIDIAN_UPSTREAM_ALLOWED_HOSTS:
    'comma-separated host names, addresses or CIDRs an import may reach though internal',
  MERIDIAN_CREDENTIALS_SECRET_KEY:
    'at least 16 characters sealing credential sets at rest (required unless NATS and Postgres are on loopback)',
  MERIDIAN_IMPORT_STALL_TIMEOUT_SECONDS:
    'seconds an upstream may stay silent, more than 0, at most 3600',
  MERIDIAN_IMPORT_ATTEMPTS: 'a whole number of tries per import, 1 to 100',
  MERIDIAN_IMPORT_RETRY_SECONDS:
    'seconds before an import is tried again (doubled each time), more than 0',
  MERIDIAN_IMPORT_CONCURRENCY: 'a whole number of imports run at once, 1 to 64',
  MERIDIAN_REPLICATION_LAG_SAMPLE_SECONDS: 'a whole number of seconds, 1 to 3600',
  MERIDIAN_ANTI_ENTROPY_INTERVAL_SECONDS: 'a whole number of seconds between passes, 1 to 86400',
  MERIDIAN_ANTI_ENTROPY_RATE: 'repositories compared per second, more than 0, at most 10000',
  MERIDIAN_ANTI_ENTROPY_BACKFILL_RATE:
    'repositories compared per second after a start, more than 0, at most 10000',
  MERIDIAN_MAX_CLOCK_SKEW_SECONDS: 'a whole number of seconds, 1 to 86400',
  MERIDIAN_REPLICATION_DEGRADED_LAG_SECONDS: 'a whole number of seconds, 1 to 86400',
  ...storageEnvExpectations,
};

export interface ReplicationConfig extends ServiceConfig {
  /**
   * the other regions, in MERIDIAN_PEERS order: where the replications start from, seeded
   * once; the replications table says which regions replicate now (replications.service.ts)
   */
  peers: RegionId[];
  databaseUrl: string;
  storage: StorageConfig;
  peerStorage: Record<RegionId, StorageConfig>;
  /** a replication whose events wait here longer is `degraded` */
  degradedLagSeconds: number;
  /** events applied at once, per consumer */
  concurrency: number;
  /** attempts at an event before `replication.failed.v1` is written (retries go on) */
  failedAfterAttempts: number;
  /** how often each peer link's lag is sampled into the lag history */
  lagSampleSeconds: number;
  antiEntropy: {
    intervalSeconds: number;
    /** repositories compared per second */
    rate: number;
    /** repositories compared per second in the pass after a start */
    backfillRate: number;
  };
  /** how far ahead of this region's clock a peer's clock reading may be before it is clamped */
  maxClockSkewSeconds: number;
  imports: ImportConfig;
}

export interface ImportConfig {
  /** `host[:port]` reached over plain HTTP */
  insecureUpstreams: string[];
  /** host names, addresses and CIDRs allowed though the address policy refuses them */
  allowedUpstreams: string[];
  /** seals credential sets; absent only on a loopback-only system */
  credentialsKey?: string;
  stallTimeoutMs: number;
  attempts: number;
  retryDelayMs: number;
  concurrency: number;
}

/** Parses the environment; throws ConfigError naming every bad key. */
export function loadConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): ReplicationConfig {
  const problems: ConfigProblem[] = [];
  const config = collect(problems, () => parseEnv(schema, expectations, env));
  const peerStorage = collect(problems, () => peerStorageConfigsFromEnv(env, cwd));
  if (!config || !peerStorage) throw new ConfigError(problems);
  const peers = Object.keys(peerStorage);
  // only a system on one machine (the embedded default, a test) may keep credentials unsealed
  if (
    !config.MERIDIAN_CREDENTIALS_SECRET_KEY &&
    !isLoopbackOnly([...config.MERIDIAN_NATS_URL, config.DATABASE_URL])
  )
    throw new ConfigError([
      {
        key: 'MERIDIAN_CREDENTIALS_SECRET_KEY',
        expected: expectations.MERIDIAN_CREDENTIALS_SECRET_KEY,
      },
    ]);
  if (peers.includes(config.MERIDIAN_REGION))
    throw new ConfigError([{ key: 'MERIDIAN_PEERS', expected: 'the other regions, not this one' }]);
  return {
    ...serviceConfigOf(config),
    peers,
    databaseUrl: config.DATABASE_URL,
    storage: storageConfigFromEnv(config, config.MERIDIAN_REGION, cwd),
    peerStorage,
    concurrency: config.MERIDIAN_REPLICATION_CONCURRENCY,
    failedAfterAttempts: config.MERIDIAN_REPLICATION_FAILED_AFTER,
    imports: {
      insecureUpstreams: config.MERIDIAN_INSECURE_UPSTREAMS.map((host) => host.toLowerCase()),
      allowedUpstreams: config.MERIDIAN_UPSTREAM_ALLOWED_HOSTS,
      ...(config.MERIDIAN_CREDENTIALS_SECRET_KEY
        ? { credentialsKey: config.MERIDIAN_CREDENTIALS_SECRET_KEY }
        : {}),
      stallTimeoutMs: config.MERIDIAN_IMPORT_STALL_TIMEOUT_SECONDS * 1000,
      attempts: config.MERIDIAN_IMPORT_ATTEMPTS,
      retryDelayMs: config.MERIDIAN_IMPORT_RETRY_SECONDS * 1000,
      concurrency: config.MERIDIAN_IMPORT_CONCURRENCY,
    },
    lagSampleSeconds: config.MERIDIAN_REPLICATION_LAG_SAMPLE_SECONDS,
    antiEntropy: {
      intervalSeconds: config.MERIDIAN_ANTI_ENTROPY_INTERVAL_SECONDS,
      rate: config.MERIDIAN_ANTI_ENTROPY_RATE,
      backfillRate: config.MERIDIAN_ANTI_ENTROPY_BACKFILL_RATE,
    },
    maxClockSkewSeconds: config.MERIDIAN_MAX_CLOCK_SKEW_SECONDS,
    degradedLagSeconds: config.MERIDIAN_REPLICATION_DEGRADED_LAG_SECONDS,
  };
}

function collect<T>(problems: ConfigProblem[], parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
    return undefined;
  }
}
