/**
 * The region's store (libs/storage), opened once at boot and provided under libs/storage's
 * `storageDriverToken`, as the blob service's rules see it: each is given only the part of
 * the StorageDriver it uses.
 */
import { Inject } from '@nestjs/common';
import { type StorageDriver, storageDriverToken } from '@meridian/storage';

export const InjectStorageDriver = () => Inject(storageDriverToken);

/**
 * What the upload rules need of a store: sessions' bytes and the blob they become, and the
 * blob's key written whole (a small PUT's body).
 */
export type UploadStore = Pick<
  StorageDriver,
  'startUpload' | 'completeUpload' | 'abortUpload' | 'stat' | 'put'
>;

/** What linking a replicated blob needs of a store: is the blob at its key, how big. */
export type BlobStore = Pick<StorageDriver, 'stat'>;

/** What garbage collection needs of a store: deleting blobs' bytes and upload leftovers. */
export type CollectedStore = Pick<StorageDriver, 'delete' | 'list'>;
/** What the scrub needs of a store: the blob's bytes, to hash them again. */
export type ScrubStore = Pick<StorageDriver, 'read'>;
