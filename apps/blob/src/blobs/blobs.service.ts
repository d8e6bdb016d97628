/**
 * The rules of blob presence. Presence is per repository: a repository sees the blobs that
 * were uploaded or mounted into it, whatever else the region's store holds.
 */
import { Injectable } from '@nestjs/common';
import { type BlobInfo, RegistryError } from '@meridian/contracts';
import { type EventOrigin, Outbox } from '@meridian/database';
import { BlobsRepository } from './blobs.repository';

@Injectable()
export class BlobsService {
  constructor(
    private readonly blobs: BlobsRepository,
    private readonly outbox: Outbox,
  ) {}

  async stat(repository: string, digest: string): Promise<BlobInfo> {
    return (await this.blobs.find(repository, digest)) ?? throwBlobUnknown(digest);
  }

  async statMany(repository: string, digests: string[]): Promise<BlobInfo[]> {
    return this.blobs.findMany(repository, [...new Set(digests)]);
  }

  /** Unlinks the blob from the repository; its bytes stay until garbage collection. */
  async delete(repository: string, digest: string, origin: EventOrigin): Promise<void> {
    const unlinked = await this.blobs.unlink(repository, digest, this.outbox.envelope(origin));
    if (!unlinked) throwBlobUnknown(digest);
  }
}

function throwBlobUnknown(digest: string): never {
  throw new RegistryError('BLOB_UNKNOWN', 'blob unknown to registry', { digest });
}
