/**
 * The launcher's configuration, from the environment, checked once at start. A bad value
 * stops the launcher with one message naming every bad key and what it expects; values
 * are never echoed (DATABASE_URL holds a password).
 */
import { resolve } from 'node:path';
import { RegionId } from '@meridian/contracts';
import { z } from 'zod';

/** Most severe first. */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof logLevels)[number];

const Port = z.coerce.number().int().min(1).max(65_535);

const RegionList = z
  .string()
  .transform((value) => value.split(',').map((region) => region.trim()))
  .pipe(
    z
      .array(RegionId)
      .min(1)
      .refine((regions) => new Set(regions).size === regions.length),
  );

const PostgresUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^postgres(ql)?:$/.test(new URL(value).protocol));

const schema = z
  .object({
    MERIDIAN_DATA_DIR: z.string().default('.meridian'),
    MERIDIAN_HOST: z.string().min(1).default('127.0.0.1'),
    MERIDIAN_PORT: Port.default(5000),
    MERIDIAN_REGIONS: RegionList.default(['us-east']),
    DATABASE_URL: PostgresUrl.optional(),
    MERIDIAN_POSTGRES_PORT: Port.optional(),
    MERIDIAN_NATS_PORT: Port.optional(),
    MERIDIAN_LOG_LEVEL: z.enum(logLevels).default('info'),
    MERIDIAN_LOG_FORMAT: z.enum(['pretty', 'json']).default('pretty'),
  })
  .superRefine((env, context) => {
    // one port per region, counting up from the base
    const last = env.MERIDIAN_REGIONS.length - 1;
    if (env.MERIDIAN_PORT + last > 65_535)
      context.addIssue({ code: 'custom', path: ['MERIDIAN_PORT'], message: '' });
    if (env.MERIDIAN_NATS_PORT !== undefined && env.MERIDIAN_NATS_PORT + last > 65_535) {
      context.addIssue({ code: 'custom', path: ['MERIDIAN_NATS_PORT'], message: '' });
    }
  });

type ConfigKey = keyof z.input<typeof schema>;

const expectations: Record<ConfigKey, string> = {
  MERIDIAN_DATA_DIR: 'a directory path',
  MERIDIAN_HOST: 'a host name or IP address to listen on',
  MERIDIAN_PORT: 'a port number (1-65535), leaving room for one port per region',
  MERIDIAN_REGIONS:
    'a comma-separated list of distinct region ids (lowercase letters, digits, dashes), e.g. us-east,eu-west',
  DATABASE_URL: 'a postgres:// or postgresql:// URL',
  MERIDIAN_POSTGRES_PORT: 'a port number (1-65535)',
  MERIDIAN_NATS_PORT: 'a port number (1-65535), leaving room for one port per region',
  MERIDIAN_LOG_LEVEL: `one of ${logLevels.join(', ')}`,
  MERIDIAN_LOG_FORMAT: 'pretty or json',
};

export interface LauncherConfig {
  /** absolute */
  dataDir: string;
  host: string;
  /** the first region's gateway port; the next regions count up from it */
  port: number;
  regions: RegionId[];
  /** a Postgres server to use instead of the embedded one */
  databaseUrl?: string;
  postgresPort?: number;
  /** the first region's nats-server port; free ports when absent */
  natsPort?: number;
  logLevel: LogLevel;
  logFormat: 'pretty' | 'json';
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: ReadonlyArray<{ key: string; expected: string }>) {
    super(
      `invalid configuration:\n${problems.map(({ key, expected }) => `  ${key}: expected ${expected}`).join('\n')}`,
    );
  }
}

export function loadConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): LauncherConfig {
  // an empty variable means "not set", as in most shells' `VAR= command`
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const keys = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))];
    throw new ConfigError(
      keys.map((key) => ({ key, expected: expectations[key as ConfigKey] ?? 'a valid value' })),
    );
  }
  const config = parsed.data;
  return {
    dataDir: resolve(cwd, config.MERIDIAN_DATA_DIR),
    host: config.MERIDIAN_HOST,
    port: config.MERIDIAN_PORT,
    regions: config.MERIDIAN_REGIONS,
    databaseUrl: config.DATABASE_URL,
    postgresPort: config.MERIDIAN_POSTGRES_PORT,
    natsPort: config.MERIDIAN_NATS_PORT,
    logLevel: config.MERIDIAN_LOG_LEVEL,
    logFormat: config.MERIDIAN_LOG_FORMAT,
  };
}
