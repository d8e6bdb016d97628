/**
 * The manifest service's configuration, from the environment, checked once at boot. A bad
 * value stops the service with one message naming every bad key and what it expects; values
 * are never echoed (DATABASE_URL may hold a password).
 */
import { RegionId } from '@meridian/contracts';
import { z } from 'zod';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const PostgresUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^postgres(ql)?:$/.test(new URL(value).protocol));

const NatsUrls = z
  .string()
  .transform((value) => value.split(',').map((url) => url.trim()))
  .pipe(
    z.array(
      z
        .string()
        .refine((url) => URL.canParse(url) && /^(nats|tls|ws|wss):$/.test(new URL(url).protocol)),
    ),
  );

const schema = z.object({
  MERIDIAN_REGION: RegionId.default('us-east'),
  MERIDIAN_NATS_URL: NatsUrls.default(['nats://127.0.0.1:4222']),
  DATABASE_URL: PostgresUrl,
  MERIDIAN_LOG_LEVEL: z.enum(logLevels).default('info'),
});

type ConfigKey = keyof z.input<typeof schema>;

const expectations: Record<ConfigKey, string> = {
  MERIDIAN_REGION: 'a region id (lowercase letters, digits, dashes), e.g. us-east',
  MERIDIAN_NATS_URL: 'a nats:// URL, or several separated by commas',
  DATABASE_URL: 'a postgres:// or postgresql:// URL (required)',
  MERIDIAN_LOG_LEVEL: `one of ${logLevels.join(', ')}`,
};

export type LogLevel = (typeof logLevels)[number];

export interface ManifestConfig {
  region: RegionId;
  natsUrls: string[];
  databaseUrl: string;
  logLevel: LogLevel;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly keys: readonly ConfigKey[]) {
    super(
      `invalid configuration:\n${keys.map((key) => `  ${key}: expected ${expectations[key]}`).join('\n')}`,
    );
  }
}

/** Parses the environment; throws ConfigError naming every bad key. */
export function loadConfig(env: NodeJS.ProcessEnv): ManifestConfig {
  // an empty variable means "not set", as in most shells' `VAR= command`
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError([
      ...new Set(parsed.error.issues.map((issue) => issue.path[0] as ConfigKey)),
    ]);
  }
  return {
    region: parsed.data.MERIDIAN_REGION,
    natsUrls: parsed.data.MERIDIAN_NATS_URL,
    databaseUrl: parsed.data.DATABASE_URL,
    logLevel: parsed.data.MERIDIAN_LOG_LEVEL,
  };
}
