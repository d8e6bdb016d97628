/**
 * The manifest service's configuration, from the environment, checked once at boot. A bad
 * value stops the service with one message naming every bad key and what it expects; values
 * are never echoed (DATABASE_URL may hold a password).
 */
import {
  type EnvExpectations,
  parseEnv,
  databaseServiceEnv,
  databaseServiceEnvExpectations,
  type ServiceConfig,
  serviceConfigOf,
} from '@meridian/config';
import { z } from 'zod';

export { ConfigError } from '@meridian/config';

const schema = z.object({
  ...databaseServiceEnv,
  MERIDIAN_PEER_BLOB_FETCH_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(8_000),
  MERIDIAN_RETENTION_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
});

const expectations: EnvExpectations<typeof schema> = {
  ...databaseServiceEnvExpectations,
  MERIDIAN_PEER_BLOB_FETCH_TIMEOUT_MS: 'milliseconds, 100 to 600000',
  MERIDIAN_RETENTION_INTERVAL_SECONDS: 'seconds, 1 to 86400',
};

export interface ManifestConfig extends ServiceConfig {
  databaseUrl: string;
  /**
   * how long a push waits for blobs it references that only a peer region holds to be
   * copied here (below the gateway's 10 s wait for the manifest service)
   */
  peerBlobFetchTimeoutMs: number;
  /** how often the retention sweep runs (it does nothing while the policy is off) */
  retentionIntervalSeconds: number;
}

/** Parses the environment; throws ConfigError naming every bad key. */
export function loadConfig(env: NodeJS.ProcessEnv): ManifestConfig {
  const config = parseEnv(schema, expectations, env);
  return {
    ...serviceConfigOf(config),
    databaseUrl: config.DATABASE_URL,
    peerBlobFetchTimeoutMs: config.MERIDIAN_PEER_BLOB_FETCH_TIMEOUT_MS,
    retentionIntervalSeconds: config.MERIDIAN_RETENTION_INTERVAL_SECONDS,
  };
}
