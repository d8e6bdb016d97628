/**
 * The blob service's configuration, from the environment, checked once at boot. A bad value
 * stops the service with one message naming every bad key and what it expects; values are
 * never echoed (DATABASE_URL and the S3 secret hold credentials).
 *
 * The storage variables are the MERIDIAN_* spelling of libs/storage's `StorageConfig`, which
 * validates them, so the gateway and the blob service read one store the same way.
 */
import { resolve } from 'node:path';
import { RegionId } from '@meridian/contracts';
import { StorageConfig } from '@meridian/storage';
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

const serviceEnv = z.object({
  MERIDIAN_REGION: RegionId.default('us-east'),
  MERIDIAN_NATS_URL: NatsUrls.default(['nats://127.0.0.1:4222']),
  DATABASE_URL: PostgresUrl,
  MERIDIAN_UPLOAD_IDLE_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(86_400),
  MERIDIAN_LOG_LEVEL: z.enum(logLevels).default('info'),
});

const storageEnv = z.object({
  MERIDIAN_STORAGE_DRIVER: z.enum(['filesystem', 's3']).default('filesystem'),
  MERIDIAN_STORAGE_DIR: z.string().optional(),
  MERIDIAN_S3_ENDPOINT: z.string().optional(),
  MERIDIAN_S3_REGION: z.string().optional(),
  MERIDIAN_S3_BUCKET: z.string().optional(),
  MERIDIAN_S3_ACCESS_KEY_ID: z.string().optional(),
  MERIDIAN_S3_SECRET_ACCESS_KEY: z.string().optional(),
  MERIDIAN_S3_FORCE_PATH_STYLE: z.stringbool().default(true),
  MERIDIAN_S3_REDIRECT: z.stringbool().default(true),
});

type ConfigKey = keyof z.input<typeof serviceEnv> | keyof z.input<typeof storageEnv>;

/** Which variable each `StorageConfig` field comes from, to name it when the field is bad. */
const storageKeyOf: Record<string, ConfigKey> = {
  driver: 'MERIDIAN_STORAGE_DRIVER',
  rootDirectory: 'MERIDIAN_STORAGE_DIR',
  endpoint: 'MERIDIAN_S3_ENDPOINT',
  region: 'MERIDIAN_S3_REGION',
  bucket: 'MERIDIAN_S3_BUCKET',
  accessKeyId: 'MERIDIAN_S3_ACCESS_KEY_ID',
  secretAccessKey: 'MERIDIAN_S3_SECRET_ACCESS_KEY',
  forcePathStyle: 'MERIDIAN_S3_FORCE_PATH_STYLE',
  redirect: 'MERIDIAN_S3_REDIRECT',
};

const expectations: Record<ConfigKey, string> = {
  MERIDIAN_REGION: 'a region id (lowercase letters, digits, dashes), e.g. us-east',
  MERIDIAN_NATS_URL: 'a nats:// URL, or several separated by commas',
  DATABASE_URL: 'a postgres:// or postgresql:// URL (required)',
  MERIDIAN_UPLOAD_IDLE_TIMEOUT_SECONDS: 'a whole number of seconds, at least 1',
  MERIDIAN_LOG_LEVEL: `one of ${logLevels.join(', ')}`,
  MERIDIAN_STORAGE_DRIVER: 'filesystem or s3',
  MERIDIAN_STORAGE_DIR: 'a directory path',
  MERIDIAN_S3_ENDPOINT: 'an http:// or https:// URL',
  MERIDIAN_S3_REGION: 'an S3 region name',
  MERIDIAN_S3_BUCKET: 'a bucket name (required with MERIDIAN_STORAGE_DRIVER=s3)',
  MERIDIAN_S3_ACCESS_KEY_ID: 'an access key id (required with MERIDIAN_STORAGE_DRIVER=s3)',
  MERIDIAN_S3_SECRET_ACCESS_KEY: 'a secret access key (required with MERIDIAN_STORAGE_DRIVER=s3)',
  MERIDIAN_S3_FORCE_PATH_STYLE: 'true or false',
  MERIDIAN_S3_REDIRECT: 'true or false',
};

export interface BlobConfig {
  region: RegionId;
  natsUrls: string[];
  databaseUrl: string;
  storage: z.output<typeof StorageConfig>;
  /** an upload session untouched this long expires and its bytes are removed */
  uploadIdleTimeoutSeconds: number;
  logLevel: (typeof logLevels)[number];
}

export const blobConfigToken = Symbol('BlobConfig');

export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly keys: readonly ConfigKey[]) {
    super(
      `invalid configuration:\n${keys.map((key) => `  ${key}: expected ${expectations[key]}`).join('\n')}`,
    );
  }
}

/** Parses the environment; throws ConfigError naming every bad key. */
export function loadConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): BlobConfig {
  // an empty variable means "not set", as in most shells' `VAR= command`
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const bad = new Set<ConfigKey>();

  const service = serviceEnv.safeParse(present);
  if (!service.success)
    for (const issue of service.error.issues) bad.add(issue.path[0] as ConfigKey);

  let storage: z.output<typeof StorageConfig> | undefined;
  const rawStorage = storageEnv.safeParse(present);
  if (!rawStorage.success) {
    for (const issue of rawStorage.error.issues) bad.add(issue.path[0] as ConfigKey);
  } else {
    const region = service.success ? service.data.MERIDIAN_REGION : 'us-east';
    const parsed = StorageConfig.safeParse(toStorageConfig(rawStorage.data, region, cwd));
    if (parsed.success) storage = parsed.data;
    else
      for (const issue of parsed.error.issues)
        bad.add(storageKeyOf[String(issue.path[0])] ?? 'MERIDIAN_STORAGE_DRIVER');
  }

  if (!service.success || !storage || bad.size > 0) throw new ConfigError([...bad]);
  return {
    region: service.data.MERIDIAN_REGION,
    natsUrls: service.data.MERIDIAN_NATS_URL,
    databaseUrl: service.data.DATABASE_URL,
    storage,
    uploadIdleTimeoutSeconds: service.data.MERIDIAN_UPLOAD_IDLE_TIMEOUT_SECONDS,
    logLevel: service.data.MERIDIAN_LOG_LEVEL,
  };
}

function toStorageConfig(env: z.output<typeof storageEnv>, region: string, cwd: string): unknown {
  if (env.MERIDIAN_STORAGE_DRIVER === 'filesystem') {
    return {
      driver: 'filesystem',
      rootDirectory: resolve(cwd, env.MERIDIAN_STORAGE_DIR ?? `.meridian/${region}/store`),
    };
  }
  return {
    driver: 's3',
    endpoint: env.MERIDIAN_S3_ENDPOINT,
    region: env.MERIDIAN_S3_REGION,
    bucket: env.MERIDIAN_S3_BUCKET,
    accessKeyId: env.MERIDIAN_S3_ACCESS_KEY_ID,
    secretAccessKey: env.MERIDIAN_S3_SECRET_ACCESS_KEY,
    forcePathStyle: env.MERIDIAN_S3_FORCE_PATH_STYLE,
    redirect: env.MERIDIAN_S3_REDIRECT,
  };
}
