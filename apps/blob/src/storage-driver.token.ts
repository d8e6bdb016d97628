import { Inject } from '@nestjs/common';
import type { StorageDriver } from '@meridian/storage';

/** The region's store (libs/storage), created once at boot from the config. */
export const storageDriverToken = Symbol('StorageDriver');
export const InjectStorageDriver = () => Inject(storageDriverToken);

/** What the upload rules need of a store: sessions' bytes and the blob they become. */
export type UploadStore = Pick<
  StorageDriver,
  'startUpload' | 'completeUpload' | 'abortUpload' | 'stat'
>;

/** What linking a replicated blob needs of a store: is the blob at its key, how big. */
export type BlobStore = Pick<StorageDriver, 'stat'>;
