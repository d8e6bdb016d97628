/**
 * A regional store from configuration. Apps map their environment (MERIDIAN_STORAGE_*,
 * MERIDIAN_S3_*) onto a `StorageConfig`, validate it with this schema to name bad keys, and
 * call `createStorageDriver` once at boot; the driver is ready when it resolves (root
 * directory or bucket created if missing, so ops need not create the bucket by hand).
 * Its calls are spans (traced-storage-driver.ts).
 */
import { z } from 'zod';
import { FilesystemStorageDriver } from './filesystem.driver';
import { S3StorageDriver } from './s3.driver';
import type { StorageDriver } from './storage-driver';
import { traceStorageDriver } from './traced-storage-driver';

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

export type ReadyStorageDriver = StorageDriver & { init(): Promise<void> };

export async function createStorageDriver(config: StorageConfig): Promise<ReadyStorageDriver> {
  const parsed = StorageConfig.parse(config);
  const driver =
    parsed.driver === 'filesystem'
      ? new FilesystemStorageDriver(parsed)
      : new S3StorageDriver(parsed);
  await driver.init();
  return traceStorageDriver(driver, parsed.driver);
}
