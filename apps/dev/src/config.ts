/**
 * The launcher's configuration, from the environment, checked once at start. A bad value
 * stops the launcher with one message naming every bad key and what it expects; values
 * are never echoed (DATABASE_URL holds a password).
 */
import { resolve } from 'node:path';
import {
  type EnvExpectations,
  LogLevel as ServiceLogLevel,
  PostgresUrl,
  parseEnv,
} from '@meridian/config';
import { RegionId } from '@meridian/contracts';
import { z } from 'zod';

export { ConfigError } from '@meridian/config';

// The launcher ranks its services' lines against this threshold; `silent` is no line's level,
// so it is not offered here.
const LogLevel = ServiceLogLevel.exclude(['silent']);
export type LogLevel = z.infer<typeof LogLevel>;
/** Most severe first. */
export const logLevels = LogLevel.options;

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

const schema = z
  .object({
    MERIDIAN_DATA_DIR: z.string().default('.meridian'),
    MERIDIAN_HOST: z.string().min(1).default('127.0.0.1'),
    MERIDIAN_PORT: Port.default(5000),
    MERIDIAN_REGIONS: RegionList.default(['us-east', 'eu-west']),
    // default: every region of MERIDIAN_REGIONS
    MERIDIAN_REPLICATIONS: RegionList.optional(),
    DATABASE_URL: PostgresUrl.optional(),
    MERIDIAN_POSTGRES_PORT: Port.optional(),
    MERIDIAN_NATS_PORT: Port.optional(),
    MERIDIAN_LOG_LEVEL: LogLevel.default('info'),
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
    const regions = new Set<string>(env.MERIDIAN_REGIONS);
    if (env.MERIDIAN_REPLICATIONS?.some((region) => !regions.has(region)))
      context.addIssue({ code: 'custom', path: ['MERIDIAN_REPLICATIONS'], message: '' });
  });

const expectations: EnvExpectations<typeof schema> = {
  MERIDIAN_DATA_DIR: 'a directory path',
  MERIDIAN_HOST: 'a host name or IP address to listen on',
  MERIDIAN_PORT: 'a port number (1-65535), leaving room for one port per region',
  MERIDIAN_REGIONS:
    'a comma-separated list of distinct region ids (lowercase letters, digits, dashes), e.g. us-east,eu-west',
  MERIDIAN_REPLICATIONS:
    'a comma-separated list of distinct regions of MERIDIAN_REGIONS (at least one) that replicate with each other, e.g. us-east,eu-west',
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
  /**
   * the regions that replicate with each other (every one by default); the others run
   * stand-alone, linked over NATS but with no peers (replication-peers.ts)
   */
  replications: RegionId[];
  /** a Postgres server to use instead of the embedded one */
  databaseUrl?: string;
  postgresPort?: number;
  /** the first region's nats-server port; free ports when absent */
  natsPort?: number;
  logLevel: LogLevel;
  logFormat: 'pretty' | 'json';
}

/** Parses the environment; throws ConfigError naming every bad key. */
export function loadConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): LauncherConfig {
  const config = parseEnv(schema, expectations, env);
  return {
    dataDir: resolve(cwd, config.MERIDIAN_DATA_DIR),
    host: config.MERIDIAN_HOST,
    port: config.MERIDIAN_PORT,
    regions: config.MERIDIAN_REGIONS,
    replications: config.MERIDIAN_REPLICATIONS ?? config.MERIDIAN_REGIONS,
    databaseUrl: config.DATABASE_URL,
    postgresPort: config.MERIDIAN_POSTGRES_PORT,
    natsPort: config.MERIDIAN_NATS_PORT,
    logLevel: config.MERIDIAN_LOG_LEVEL,
    logFormat: config.MERIDIAN_LOG_FORMAT,
  };
}
