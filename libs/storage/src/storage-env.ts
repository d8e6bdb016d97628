/**
 * The MERIDIAN_STORAGE_* and MERIDIAN_S3_* variables, the environment's spelling of
 * `StorageConfig`. The blob service and the gateway both read them through here, so they
 * open the same regional store with the same defaults: the blob service to complete and
 * remove uploads, the gateway to stream bytes in and out.
 *
 * MERIDIAN_S3_REDIRECT (default true) makes blob GETs answer 307 to a presigned URL of
 * MERIDIAN_S3_PUBLIC_ENDPOINT (or of the endpoint): turn it off when clients cannot reach
 * the store.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import type { S3StorageConfig, StorageConfig } from './create-storage-driver';

export const storageEnvShape = {
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
};

export type StorageEnvKey = keyof typeof storageEnvShape;
export type StorageEnv = z.output<z.ZodObject<typeof storageEnvShape>>;

export const storageEnvExpectations: Record<StorageEnvKey, string> = {
  MERIDIAN_STORAGE_DRIVER: 'filesystem or s3',
  MERIDIAN_STORAGE_DIR: 'a directory path',
  MERIDIAN_S3_ENDPOINT: 'an http:// or https:// URL',
  MERIDIAN_S3_PUBLIC_ENDPOINT: 'an http:// or https:// URL',
  MERIDIAN_S3_REGION: 'an S3 region name',
  MERIDIAN_S3_BUCKET: 'a bucket name (required with MERIDIAN_STORAGE_DRIVER=s3)',
  MERIDIAN_S3_ACCESS_KEY_ID: 'an access key id (required with MERIDIAN_STORAGE_DRIVER=s3)',
  MERIDIAN_S3_SECRET_ACCESS_KEY: 'a secret access key (required with MERIDIAN_STORAGE_DRIVER=s3)',
  MERIDIAN_S3_FORCE_PATH_STYLE: 'true or false',
  MERIDIAN_S3_REDIRECT: 'true or false',
};

const requiredForS3 = [
  'MERIDIAN_S3_BUCKET',
  'MERIDIAN_S3_ACCESS_KEY_ID',
  'MERIDIAN_S3_SECRET_ACCESS_KEY',
] as const satisfies readonly StorageEnvKey[];

/** An app's own variables plus the storage ones, as one object schema for `parseEnv`. */
export function withStorageEnv<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.object({ ...shape, ...storageEnvShape }).superRefine(
    (env, context) => {
      const storage = env as Partial<Record<StorageEnvKey, unknown>>;
      if (storage.MERIDIAN_STORAGE_DRIVER !== 's3') return;
      for (const key of requiredForS3)
        if (storage[key] === undefined)
          context.addIssue({ code: 'custom', path: [key], message: '' });
    },
    // also when another key is bad, so one message names every missing S3 setting
    { when: () => true },
  );
}

/** The store the environment names; a relative directory is taken from `cwd`. */
export function storageConfigFromEnv(
  env: StorageEnv,
  region: string,
  cwd: string,
): z.output<typeof StorageConfig> {
  if (env.MERIDIAN_STORAGE_DRIVER === 'filesystem') {
    const directory = env.MERIDIAN_STORAGE_DIR ?? `.meridian/${region}/store`;
    return { driver: 'filesystem', rootDirectory: resolve(cwd, directory) };
  }
  const s3: z.output<typeof S3StorageConfig> = {
    driver: 's3',
    endpoint: env.MERIDIAN_S3_ENDPOINT,
    publicEndpoint: env.MERIDIAN_S3_PUBLIC_ENDPOINT,
    region: env.MERIDIAN_S3_REGION,
    // withStorageEnv refuses an s3 store without these
    bucket: env.MERIDIAN_S3_BUCKET ?? '',
    accessKeyId: env.MERIDIAN_S3_ACCESS_KEY_ID ?? '',
    secretAccessKey: env.MERIDIAN_S3_SECRET_ACCESS_KEY ?? '',
    forcePathStyle: env.MERIDIAN_S3_FORCE_PATH_STYLE,
    redirect: env.MERIDIAN_S3_REDIRECT,
  };
  return s3;
}
