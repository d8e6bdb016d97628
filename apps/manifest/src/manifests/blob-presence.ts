/**
 * Which blobs a repository sees, as the blob service knows it. A manifest may only be
 * stored once every blob it references is there (distribution does the same).
 */
import { Injectable } from '@nestjs/common';
import { type BlobInfo, blobRpc } from '@meridian/contracts';
import { Messaging, type RpcContext } from '@meridian/messaging';

export abstract class BlobPresence {
  /** The blobs among `digests` that `repository` sees, with their sizes, in no particular order. */
  abstract visible(repository: string, digests: string[], context: RpcContext): Promise<BlobInfo[]>;
}

@Injectable()
export class NatsBlobPresence implements BlobPresence {
  constructor(private readonly messaging: Messaging) {}

  async visible(repository: string, digests: string[], context: RpcContext): Promise<BlobInfo[]> {
    if (digests.length === 0) return [];
    const { found } = await this.messaging.request(
      blobRpc.statMany,
      { repository, digests },
      { context },
    );
    return found;
  }
}
