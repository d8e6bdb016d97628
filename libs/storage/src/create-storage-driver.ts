/**
 * A regional store from configuration. Apps validate their environment with
 * `StorageEnv` (or build a `StorageConfig` themselves) and call `createStorageDriver`
 * once at boot; the driver is ready when it resolves (root directory or bucket created).
 */
import { z } from 'zod';
import { FilesystemStorageDriver } from './filesystem.driver';
import { S3StorageDriver } from './s3.driver';
import type { StorageDriver } from './storage-driver';

export const FilesystemStorageConfig = z.object({
  driver: z.literal('filesystem'),
  rootDirectory: z.string().min(1),
});

export const S3StorageConfig = z.object({
  driver: z.literal('s3'),
  /** Omit for AWS S3. */
  endpoint: z.url().optional(),
  region: z.string().min(1).default('us-east-1'),
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'invalid bucket name'),
  accessKeyId: z.string().min(1),
  secretAccessKey: z.string().min(1),
  forcePathStyle: z.boolean().default(true),
  redirect: z.boolean().default(true),
  publicEndpoint: z.url().optional(),
});

export const StorageConfig = z.discriminatedUnion('driver', [
  FilesystemStorageConfig,
  S3StorageConfig,
]);
export type StorageConfig = z.input<typeof StorageConfig>;

/**
 * The same settings as environment variables, so every service, `.env.example`, compose and
 * deploy/ spell them one way. Parses to a `StorageConfig`.
 */
export const StorageEnv = z
  .object({
    STORAGE_DRIVER: z.enum(['filesystem', 's3']).default('filesystem'),
    STORAGE_ROOT_DIRECTORY: z.string().min(1).optional(),
    STORAGE_S3_ENDPOINT: z.url().optional(),
    STORAGE_S3_REGION: z.string().min(1).default('us-east-1'),
    STORAGE_S3_BUCKET: z.string().min(1).optional(),
    STORAGE_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    STORAGE_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    STORAGE_S3_FORCE_PATH_STYLE: z.stringbool().default(true),
    STORAGE_S3_REDIRECT: z.stringbool().default(true),
    STORAGE_S3_PUBLIC_ENDPOINT: z.url().optional(),
  })
  .transform((env, context): z.output<typeof StorageConfig> => {
    const required = (key: keyof typeof env): string => {
      const value = env[key];
      if (typeof value === 'string') return value;
      context.addIssue({
        code: 'custom',
        path: [key],
        message: `required when STORAGE_DRIVER=${env.STORAGE_DRIVER}`,
      });
      return '';
    };
    if (env.STORAGE_DRIVER === 'filesystem') {
      return { driver: 'filesystem', rootDirectory: required('STORAGE_ROOT_DIRECTORY') };
    }
    return {
      driver: 's3',
      endpoint: env.STORAGE_S3_ENDPOINT,
      region: env.STORAGE_S3_REGION,
      bucket: required('STORAGE_S3_BUCKET'),
      accessKeyId: required('STORAGE_S3_ACCESS_KEY_ID'),
      secretAccessKey: required('STORAGE_S3_SECRET_ACCESS_KEY'),
      forcePathStyle: env.STORAGE_S3_FORCE_PATH_STYLE,
      redirect: env.STORAGE_S3_REDIRECT,
      publicEndpoint: env.STORAGE_S3_PUBLIC_ENDPOINT,
    };
  });

export type ReadyStorageDriver = StorageDriver & { init(): Promise<void> };

export async function createStorageDriver(config: StorageConfig): Promise<ReadyStorageDriver> {
  const parsed = StorageConfig.parse(config);
  const driver =
    parsed.driver === 'filesystem'
      ? new FilesystemStorageDriver(parsed)
      : new S3StorageDriver(parsed);
  await driver.init();
  return driver;
}
