/**
 * The manifest service's configuration, from the environment, checked once at boot. A bad
 * value stops the service with one message naming every bad key and what it expects; values
 * are never echoed (DATABASE_URL may hold a password).
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
import { z } from 'zod';

export { ConfigError } from '@meridian/config';

const schema = z.object({
  MERIDIAN_REGION: RegionId.default('us-east'),
  MERIDIAN_NATS_URL: NatsUrls.default(['nats://127.0.0.1:4222']),
  ...natsConnectionEnv,
  DATABASE_URL: PostgresUrl,
  MERIDIAN_LOG_LEVEL: LogLevel.default('info'),
  MERIDIAN_PEER_BLOB_FETCH_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(8_000),
});

const expectations: EnvExpectations<typeof schema> = {
  MERIDIAN_REGION: envExpectations.regionId,
  MERIDIAN_NATS_URL: envExpectations.natsUrls,
  ...natsConnectionExpectations,
  DATABASE_URL: `${envExpectations.postgresUrl} (required)`,
  MERIDIAN_LOG_LEVEL: envExpectations.logLevel,
  MERIDIAN_PEER_BLOB_FETCH_TIMEOUT_MS: 'milliseconds, 100 to 600000',
};

export interface ManifestConfig {
  region: RegionId;
  natsUrls: string[];
  /** this service's NATS credentials and TLS, when set */
  natsAuth?: NatsClientAuth;
  databaseUrl: string;
  logLevel: LogLevel;
  /**
   * how long a push waits for blobs it references that only a peer region holds to be
   * copied here (below the gateway's 10 s wait for the manifest service)
   */
  peerBlobFetchTimeoutMs: number;
}

/** Parses the environment; throws ConfigError naming every bad key. */
export function loadConfig(env: NodeJS.ProcessEnv): ManifestConfig {
  const config = parseEnv(schema, expectations, env);
  return {
    region: config.MERIDIAN_REGION,
    natsUrls: config.MERIDIAN_NATS_URL,
    ...natsAuthConfig(config),
    databaseUrl: config.DATABASE_URL,
    logLevel: config.MERIDIAN_LOG_LEVEL,
    peerBlobFetchTimeoutMs: config.MERIDIAN_PEER_BLOB_FETCH_TIMEOUT_MS,
  };
}
