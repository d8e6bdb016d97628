/**
 * The auth service's configuration, from the environment, checked once at boot. A bad value
 * stops the service with one message naming every bad key and what it expects; values are
 * never echoed (DATABASE_URL, MERIDIAN_ADMIN_PASSWORD and MERIDIAN_SIGNING_KEY_SECRET hold
 * credentials).
 */
import {
  ConfigError,
  CommaList,
  type EnvExpectations,
  isLoopbackOnly,
  parseEnv,
  databaseServiceEnv,
  databaseServiceEnvExpectations,
  type ServiceConfig,
  serviceConfigOf,
} from '@meridian/config';
import { RegionId } from '@meridian/contracts';
import { z } from 'zod';

export { ConfigError };

const seconds = z.coerce.number().int().positive();
const failureLimit = z.coerce.number().int().positive();

/** Only their number matters here: the failed-login limits are shared out among the regions. */
const PeerRegions = CommaList.pipe(
  z.array(RegionId).refine((peers) => new Set(peers).size === peers.length),
);

const schema = z.object({
  ...databaseServiceEnv,
  MERIDIAN_ADMIN_PASSWORD: z.string().min(8).optional(),
  MERIDIAN_TOKEN_ISSUER: z.string().min(1).default('meridian'),
  MERIDIAN_TOKEN_TTL_SECONDS: seconds.max(86_400).default(3600),
  MERIDIAN_REFRESH_TOKEN_TTL_SECONDS: seconds.default(30 * 86_400),
  MERIDIAN_SIGNING_KEY_ROTATION_HOURS: z.coerce.number().int().nonnegative().default(720),
  MERIDIAN_SIGNING_KEY_SECRET: z.string().min(16).optional(),
  MERIDIAN_PEERS: PeerRegions.default([]),
  MERIDIAN_LOGIN_FAILURE_LIMIT: failureLimit.default(10),
  MERIDIAN_LOGIN_FAILURE_WINDOW_SECONDS: seconds.default(300),
  MERIDIAN_LOGIN_ADDRESS_FAILURE_LIMIT: failureLimit.default(100),
  MERIDIAN_LOGIN_IDENTITY_FAILURE_LIMIT: failureLimit.default(100),
});

const expectations: EnvExpectations<typeof schema> = {
  ...databaseServiceEnvExpectations,
  MERIDIAN_ADMIN_PASSWORD: 'a password of at least 8 characters',
  MERIDIAN_TOKEN_ISSUER: 'a non-empty issuer name, the same in every region',
  MERIDIAN_TOKEN_TTL_SECONDS: 'a whole number of seconds, 1 to 86400',
  MERIDIAN_REFRESH_TOKEN_TTL_SECONDS: 'a whole number of seconds, at least 1',
  MERIDIAN_SIGNING_KEY_ROTATION_HOURS: 'a whole number of hours, 0 to rotate only when asked',
  MERIDIAN_SIGNING_KEY_SECRET:
    "a secret of at least 16 characters (required unless NATS and Postgres are on this machine's loopback)",
  MERIDIAN_PEERS: 'distinct region ids separated by commas, e.g. eu-west,ap-south',
  MERIDIAN_LOGIN_FAILURE_LIMIT: 'a whole number, at least 1',
  MERIDIAN_LOGIN_FAILURE_WINDOW_SECONDS: 'a whole number of seconds, at least 1',
  MERIDIAN_LOGIN_ADDRESS_FAILURE_LIMIT: 'a whole number, at least 1',
  MERIDIAN_LOGIN_IDENTITY_FAILURE_LIMIT: 'a whole number, at least 1',
};

export interface AuthConfig extends ServiceConfig {
  databaseUrl: string;
  /** enables the admin account `admin` with this password at start */
  adminPassword?: string;
  issuer: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** 0: only rotated through the management API */
  signingKeyRotationHours: number;
  /** seals the region's private signing keys at rest */
  signingKeySecret?: string;
  /** the other regions: each region counts failed logins against its share of the limits */
  peers: RegionId[];
  /** failures of one identity from one address, over all regions, before backoff starts */
  loginFailureLimit: number;
  /** the longest backoff between two logins of one identity from one address */
  loginFailureWindowSeconds: number;
  /** failures from one address over every identity, over all regions, in a day */
  loginAddressFailureLimit: number;
  /** failures of one identity from every address, over all regions, in a day */
  loginIdentityFailureLimit: number;
}

export const authConfigToken = Symbol('AuthConfig');

/** Parses the environment; throws ConfigError naming every bad key. */
export function loadConfig(env: NodeJS.ProcessEnv): AuthConfig {
  const config = parseEnv(schema, expectations, env);
  // only a system on one machine (the embedded default, a test) may keep its keys in the clear
  if (
    !config.MERIDIAN_SIGNING_KEY_SECRET &&
    !isLoopbackOnly([...config.MERIDIAN_NATS_URL, config.DATABASE_URL])
  )
    throw new ConfigError([
      { key: 'MERIDIAN_SIGNING_KEY_SECRET', expected: expectations.MERIDIAN_SIGNING_KEY_SECRET },
    ]);
  return {
    ...serviceConfigOf(config),
    databaseUrl: config.DATABASE_URL,
    ...(config.MERIDIAN_ADMIN_PASSWORD ? { adminPassword: config.MERIDIAN_ADMIN_PASSWORD } : {}),
    issuer: config.MERIDIAN_TOKEN_ISSUER,
    accessTokenTtlSeconds: config.MERIDIAN_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: config.MERIDIAN_REFRESH_TOKEN_TTL_SECONDS,
    signingKeyRotationHours: config.MERIDIAN_SIGNING_KEY_ROTATION_HOURS,
    ...(config.MERIDIAN_SIGNING_KEY_SECRET
      ? { signingKeySecret: config.MERIDIAN_SIGNING_KEY_SECRET }
      : {}),
    peers: config.MERIDIAN_PEERS,
    loginFailureLimit: config.MERIDIAN_LOGIN_FAILURE_LIMIT,
    loginFailureWindowSeconds: config.MERIDIAN_LOGIN_FAILURE_WINDOW_SECONDS,
    loginAddressFailureLimit: config.MERIDIAN_LOGIN_ADDRESS_FAILURE_LIMIT,
    loginIdentityFailureLimit: config.MERIDIAN_LOGIN_IDENTITY_FAILURE_LIMIT,
  };
}
