/**
 * The variables every Meridian service reads, each with its one default and its one wording:
 * the region, the region's NATS (its URLs, and this service's credentials and TLS:
 * nats-connection-env.ts), the log level, and for a service with a database of its own (every
 * service but the gateway) DATABASE_URL. A service's config.ts spreads one of these shapes
 * into its schema, so the shared variables are parsed with its own in one pass (one message
 * names every bad key), and takes their values through `serviceConfigOf`: no service can give
 * a shared variable another default or another meaning.
 *
 * Health and shutdown (MERIDIAN_HEALTH_PORT and the rest) are read at boot beside a service's
 * configuration, by `loadRuntimeConfig` (runtime-env.ts).
 */
import { RegionId } from '@meridian/contracts';
import { z } from 'zod';
import { LogLevel, NatsUrls, PostgresUrl, envExpectations } from './env-schemas';
import {
  type NatsClientAuth,
  natsAuthConfig,
  natsConnectionEnv,
  natsConnectionExpectations,
} from './nats-connection-env';

const regionAndNats = {
  MERIDIAN_REGION: RegionId.default('us-east'),
  MERIDIAN_EVENT_RETENTION_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(365 * 86_400)
    .optional(),
  MERIDIAN_NATS_URL: NatsUrls.default(['nats://127.0.0.1:4222']),
  ...natsConnectionEnv,
};

const regionAndNatsExpectations = {
  MERIDIAN_REGION: envExpectations.regionId,
  MERIDIAN_EVENT_RETENTION_SECONDS: 'a whole number of seconds, 1 to 31536000 (30 days unless set)',
  MERIDIAN_NATS_URL: envExpectations.natsUrls,
  ...natsConnectionExpectations,
};

/** The shared variables of a service without a database (the gateway). */
export const serviceEnv = {
  ...regionAndNats,
  MERIDIAN_LOG_LEVEL: LogLevel.default('info'),
};

export const serviceEnvExpectations = {
  ...regionAndNatsExpectations,
  MERIDIAN_LOG_LEVEL: envExpectations.logLevel,
} satisfies Record<keyof typeof serviceEnv, string>;

/** The shared variables of a service with a database of its own: DATABASE_URL is required. */
export const databaseServiceEnv = {
  ...regionAndNats,
  DATABASE_URL: PostgresUrl,
  MERIDIAN_LOG_LEVEL: LogLevel.default('info'),
};

export const databaseServiceEnvExpectations = {
  ...regionAndNatsExpectations,
  DATABASE_URL: `${envExpectations.postgresUrl} (required)`,
  MERIDIAN_LOG_LEVEL: envExpectations.logLevel,
} satisfies Record<keyof typeof databaseServiceEnv, string>;

/** The shared variables as parsed. */
export type ServiceEnv = z.output<z.ZodObject<typeof serviceEnv>>;

/** What every service's configuration holds of the shared variables. */
export interface ServiceConfig {
  region: RegionId;
  natsUrls: string[];
  /** this service's NATS credentials and TLS, when set */
  natsAuth?: NatsClientAuth;
  logLevel: LogLevel;
  /** how long the region's event streams keep an event (MERIDIAN_EVENT_RETENTION_SECONDS) */
  eventRetentionMs?: number;
}

/** The shared part of a service's configuration, from its parsed environment. */
export function serviceConfigOf(env: ServiceEnv): ServiceConfig {
  return {
    region: env.MERIDIAN_REGION,
    natsUrls: env.MERIDIAN_NATS_URL,
    ...natsAuthConfig(env),
    logLevel: env.MERIDIAN_LOG_LEVEL,
    ...(env.MERIDIAN_EVENT_RETENTION_SECONDS === undefined
      ? {}
      : { eventRetentionMs: env.MERIDIAN_EVENT_RETENTION_SECONDS * 1000 }),
  };
}
