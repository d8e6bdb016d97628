/**
 * The gateway's configuration, from the environment, checked once at boot. A bad value
 * stops the gateway with one message naming every bad key and what it expects; values
 * are never echoed (the S3 secret is one of them).
 *
 * Storage variables are the blob service's, with its defaults: both open the same regional
 * store, the blob service to complete and remove uploads, the gateway to stream bytes in
 * and out. MERIDIAN_S3_REDIRECT (default true) makes blob GETs answer 307 to a presigned
 * URL of MERIDIAN_S3_PUBLIC_ENDPOINT (or of the endpoint): turn it off when clients cannot
 * reach the store.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { RegionId } from '@meridian/contracts';
import type { StorageConfig } from '@meridian/storage';
import { z } from 'zod';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const Port = z.coerce.number().int().min(1).max(65_535);

const schema = z.object({
  MERIDIAN_REGION: RegionId.default('us-east'),
  MERIDIAN_NATS_URL: z
    .string()
    .refine((value) =>
      value.split(',').every((url) => /^(nats|tls|ws|wss):\/\/\S+$/.test(url.trim())),
    )
    .default('nats://127.0.0.1:4222'),
  MERIDIAN_HOST: z.string().min(1).default('127.0.0.1'),
  MERIDIAN_PORT: Port.default(5000),
  MERIDIAN_LOG_LEVEL: z.enum(logLevels).default('info'),
  MERIDIAN_STORAGE_DRIVER: z.enum(['filesystem', 's3']).default('filesystem'),
  MERIDIAN_STORAGE_DIR: z.string().min(1).optional(),
  MERIDIAN_S3_ENDPOINT: z.url().optional(),
  MERIDIAN_S3_PUBLIC_ENDPOINT: z.url().optional(),
  MERIDIAN_S3_REGION: z.string().min(1).default('us-east-1'),
  MERIDIAN_S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/)
    .optional(),
  MERIDIAN_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  MERIDIAN_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  MERIDIAN_S3_FORCE_PATH_STYLE: z.stringbool().default(true),
  MERIDIAN_S3_REDIRECT: z.stringbool().default(true),
  MERIDIAN_MANIFEST_CACHE_MIB: z.coerce.number().int().min(0).max(65_536).default(64),
  MERIDIAN_GATEWAY_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
});

type ConfigKey = keyof z.input<typeof schema>;

const expectations: Record<ConfigKey, string> = {
  MERIDIAN_REGION: 'a region id (lowercase letters, digits, dashes), e.g. us-east',
  MERIDIAN_NATS_URL: 'one or more comma-separated nats:// URLs',
  MERIDIAN_HOST: 'a host name or IP address to listen on',
  MERIDIAN_PORT: 'a port number (1-65535)',
  MERIDIAN_LOG_LEVEL: `one of ${logLevels.join(', ')}`,
  MERIDIAN_STORAGE_DRIVER: 'filesystem or s3',
  MERIDIAN_STORAGE_DIR: 'a directory path',
  MERIDIAN_S3_ENDPOINT: 'an http(s) URL',
  MERIDIAN_S3_PUBLIC_ENDPOINT: 'an http(s) URL',
  MERIDIAN_S3_REGION: 'an S3 region name',
  MERIDIAN_S3_BUCKET: 'an S3 bucket name (required with the s3 driver)',
  MERIDIAN_S3_ACCESS_KEY_ID: 'an access key id (required with the s3 driver)',
  MERIDIAN_S3_SECRET_ACCESS_KEY: 'a secret access key (required with the s3 driver)',
  MERIDIAN_S3_FORCE_PATH_STYLE: 'true or false',
  MERIDIAN_S3_REDIRECT: 'true or false',
  MERIDIAN_MANIFEST_CACHE_MIB: 'a whole number of MiB (0 turns the cache off)',
  MERIDIAN_GATEWAY_WORKERS: 'a number of worker processes, 1 to 64',
};

export interface GatewayConfig {
  region: string;
  natsUrl: string[];
  host: string;
  port: number;
  logLevel: (typeof logLevels)[number];
  storage: StorageConfig;
  /** bytes of manifest bodies kept in memory by digest */
  manifestCacheBytes: number;
  /** processes serving HTTP on the one port; one per CPU (at most 4) by default */
  workers: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: ReadonlyArray<{ key: string; expected: string }>) {
    super(
      `invalid configuration:\n${problems.map(({ key, expected }) => `  ${key}: expected ${expected}`).join('\n')}`,
    );
  }
}

export function loadConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): GatewayConfig {
  // an empty variable means "not set", as in most shells' `VAR= command`
  const present = Object.fromEntries(
    Object.entries(env).filter(
      ([key, value]) => key in expectations && value !== undefined && value !== '',
    ),
  );
  const parsed = schema.safeParse(present);
  const bad = new Set(
    parsed.success ? [] : parsed.error.issues.map((issue) => String(issue.path[0])),
  );
  if (parsed.success) {
    for (const key of missingStorageKeys(parsed.data)) bad.add(key);
  }
  if (!parsed.success || bad.size > 0) {
    throw new ConfigError(
      [...bad].map((key) => ({ key, expected: expectations[key as ConfigKey] ?? 'a valid value' })),
    );
  }
  const config = parsed.data;
  return {
    region: config.MERIDIAN_REGION,
    natsUrl: config.MERIDIAN_NATS_URL.split(',').map((url) => url.trim()),
    host: config.MERIDIAN_HOST,
    port: config.MERIDIAN_PORT,
    logLevel: config.MERIDIAN_LOG_LEVEL,
    storage: storageConfig(config, cwd),
    manifestCacheBytes: config.MERIDIAN_MANIFEST_CACHE_MIB * 1024 * 1024,
    workers: config.MERIDIAN_GATEWAY_WORKERS ?? Math.min(availableParallelism(), 4),
  };
}

type ParsedEnv = z.output<typeof schema>;

function missingStorageKeys(env: ParsedEnv): ConfigKey[] {
  if (env.MERIDIAN_STORAGE_DRIVER === 'filesystem') return [];
  const required: ConfigKey[] = [
    'MERIDIAN_S3_BUCKET',
    'MERIDIAN_S3_ACCESS_KEY_ID',
    'MERIDIAN_S3_SECRET_ACCESS_KEY',
  ];
  return required.filter((key) => env[key] === undefined);
}

function storageConfig(env: ParsedEnv, cwd: string): StorageConfig {
  if (env.MERIDIAN_STORAGE_DRIVER === 'filesystem') {
    // the blob service's default too: both must open the same directory
    const directory = env.MERIDIAN_STORAGE_DIR ?? `.meridian/${env.MERIDIAN_REGION}/store`;
    return { driver: 'filesystem', rootDirectory: resolve(cwd, directory) };
  }
  return {
    driver: 's3',
    endpoint: env.MERIDIAN_S3_ENDPOINT,
    publicEndpoint: env.MERIDIAN_S3_PUBLIC_ENDPOINT,
    region: env.MERIDIAN_S3_REGION,
    bucket: env.MERIDIAN_S3_BUCKET ?? '',
    accessKeyId: env.MERIDIAN_S3_ACCESS_KEY_ID ?? '',
    secretAccessKey: env.MERIDIAN_S3_SECRET_ACCESS_KEY ?? '',
    forcePathStyle: env.MERIDIAN_S3_FORCE_PATH_STYLE,
    redirect: env.MERIDIAN_S3_REDIRECT,
  };
}
