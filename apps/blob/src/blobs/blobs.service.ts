/**
 * The rules of blob presence. Presence is per repository: a repository sees the blobs that
 * were uploaded, mounted or linked into it, whatever else the region's store holds.
 */
import { Injectable } from '@nestjs/common';
import { type BlobInfo, RegistryError, deletedHereDetail } from '@meridian/contracts';
import { type EventOrigin, Outbox } from '@meridian/database';
import { blobKey } from '@meridian/storage';
import { type BlobStore, InjectStorageDriver } from '../inject-storage-driver';
import { BlobsRepository } from './blobs.repository';

@Injectable()
export class BlobsService {
  constructor(
    private readonly blobs: BlobsRepository,
    private readonly outbox: Outbox,
    @InjectStorageDriver() private readonly store: BlobStore,
  ) {}

  /**
   * A miss of a blob deleted from the repository here says so (`detail.deleted`): the
   * gateway then answers it without asking peer regions, which may still hold it.
   */
  async stat(repository: string, digest: string): Promise<BlobInfo> {
    const found = await this.blobs.find(repository, digest);
    if (found) return found;
    if (await this.blobs.wasDeleted(repository, digest)) throw deletedHere(digest);
    return throwBlobUnknown(digest);
  }

  async statMany(repository: string, digests: string[]): Promise<BlobInfo[]> {
    return this.blobs.findMany(repository, [...new Set(digests)]);
  }

  /** Unlinks the blob from the repository; its bytes stay until garbage collection. */
  async delete(repository: string, digest: string, origin: EventOrigin): Promise<void> {
    const unlinked = await this.blobs.unlink(repository, digest, this.outbox.envelope(origin));
    if (!unlinked) throwBlobUnknown(digest);
  }

  /**
   * Links a blob that replication copied into this region's store to a repository. The
   * bytes must be at the blob's key with exactly `size` (whoever put them there verified
   * their digest first: only verified bytes ever reach a blob key). Idempotent, and silent:
   * the push this blob belongs to was announced in its own region.
   */
  async link(repository: string, digest: string, size: number): Promise<BlobInfo> {
    const blob = { digest, size };
    // checked with the digest held: garbage collection deletes a key only while holding it
    await this.blobs.link(repository, blob, () => this.requireStored(blob));
    return blob;
  }

  private async requireStored({ digest, size }: BlobInfo): Promise<void> {
    const stored = await this.store.stat(blobKey(digest));
    if (!stored) throwBlobUnknown(digest);
    if (stored.size !== size) {
      throw new RegistryError('SIZE_INVALID', 'blob size does not match the stored bytes', {
        digest,
        size,
        stored: stored.size,
      });
    }
  }
}

function deletedHere(digest: string): RegistryError {
  return new RegistryError('BLOB_UNKNOWN', 'blob unknown to registry', {
    digest,
    ...deletedHereDetail,
  });
}

function throwBlobUnknown(digest: string): never {
  throw new RegistryError('BLOB_UNKNOWN', 'blob unknown to registry', { digest });
}
