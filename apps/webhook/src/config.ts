/**
 * The webhook service's configuration, from the environment, checked once at boot. A bad
 * value stops the service with one message naming every bad key and what it expects; values
 * are never echoed (DATABASE_URL may hold a password, MERIDIAN_WEBHOOK_SECRET_KEY is a key).
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
import { z } from 'zod';

export { ConfigError };

const count = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const schema = z.object({
  ...databaseServiceEnv,
  MERIDIAN_WEBHOOK_TIMEOUT_MS: count(100, 120_000, 10_000),
  MERIDIAN_WEBHOOK_MAX_ATTEMPTS: count(1, 1_000, 12),
  MERIDIAN_WEBHOOK_MAX_AGE_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(24),
  MERIDIAN_WEBHOOK_RETRY_BASE_MS: count(10, 600_000, 1_000),
  MERIDIAN_WEBHOOK_RETRY_MAX_MS: count(10, 86_400_000, 600_000),
  MERIDIAN_WEBHOOK_CONCURRENCY: count(1, 64, 4),
  MERIDIAN_WEBHOOK_LOG_RETENTION_HOURS: z.coerce
    .number()
    .positive()
    .default(24 * 7),
  MERIDIAN_WEBHOOK_ALLOWED_HOSTS: CommaList.default([]),
  MERIDIAN_WEBHOOK_SECRET_KEY: z.string().min(16).optional(),
});

const expectations: EnvExpectations<typeof schema> = {
  ...databaseServiceEnvExpectations,
  MERIDIAN_WEBHOOK_TIMEOUT_MS: 'milliseconds a request may take, 100 to 120000',
  MERIDIAN_WEBHOOK_MAX_ATTEMPTS: 'a whole number of attempts before dead-lettering, 1 to 1000',
  MERIDIAN_WEBHOOK_MAX_AGE_HOURS: 'hours a delivery is retried for, at most 720',
  MERIDIAN_WEBHOOK_RETRY_BASE_MS: 'milliseconds before the first retry, 10 to 600000',
  MERIDIAN_WEBHOOK_RETRY_MAX_MS: 'the longest wait between retries in milliseconds',
  MERIDIAN_WEBHOOK_CONCURRENCY: 'requests in flight per webhook, 1 to 64',
  MERIDIAN_WEBHOOK_LOG_RETENTION_HOURS: 'hours the delivery log is kept',
  MERIDIAN_WEBHOOK_ALLOWED_HOSTS: 'comma-separated host names, addresses or CIDRs',
  MERIDIAN_WEBHOOK_SECRET_KEY:
    "a key of at least 16 characters sealing webhook secrets (required unless NATS and Postgres are on this machine's loopback)",
};

export interface WebhookConfig extends ServiceConfig {
  databaseUrl: string;
  delivery: DeliverySettings;
  allowedHosts: string[];
  secretKey?: string;
}

export interface DeliverySettings {
  timeoutMs: number;
  maxAttempts: number;
  maxAgeMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** requests in flight per webhook */
  concurrency: number;
  logRetentionMs: number;
}

const hourMs = 60 * 60 * 1000;

/** Parses the environment; throws ConfigError naming every bad key. */
export function loadConfig(env: NodeJS.ProcessEnv): WebhookConfig {
  const config = parseEnv(schema, expectations, env);
  // only a system on one machine (the embedded default, a test) may keep secrets unsealed
  if (
    !config.MERIDIAN_WEBHOOK_SECRET_KEY &&
    !isLoopbackOnly([...config.MERIDIAN_NATS_URL, config.DATABASE_URL])
  )
    throw new ConfigError([
      { key: 'MERIDIAN_WEBHOOK_SECRET_KEY', expected: expectations.MERIDIAN_WEBHOOK_SECRET_KEY },
    ]);
  return {
    ...serviceConfigOf(config),
    databaseUrl: config.DATABASE_URL,
    delivery: {
      timeoutMs: config.MERIDIAN_WEBHOOK_TIMEOUT_MS,
      maxAttempts: config.MERIDIAN_WEBHOOK_MAX_ATTEMPTS,
      maxAgeMs: config.MERIDIAN_WEBHOOK_MAX_AGE_HOURS * hourMs,
      retryBaseMs: config.MERIDIAN_WEBHOOK_RETRY_BASE_MS,
      retryMaxMs: config.MERIDIAN_WEBHOOK_RETRY_MAX_MS,
      concurrency: config.MERIDIAN_WEBHOOK_CONCURRENCY,
      logRetentionMs: config.MERIDIAN_WEBHOOK_LOG_RETENTION_HOURS * hourMs,
    },
    allowedHosts: config.MERIDIAN_WEBHOOK_ALLOWED_HOSTS,
    ...(config.MERIDIAN_WEBHOOK_SECRET_KEY
      ? { secretKey: config.MERIDIAN_WEBHOOK_SECRET_KEY }
      : {}),
  };
}
