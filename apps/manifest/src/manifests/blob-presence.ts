/**
 * Which blobs a repository sees, as the blob service knows it. A manifest may only be
 * stored once every blob it references is there (distribution does the same).
 *
 * A client pushing here may have skipped blobs a peer region holds: while this region
 * catches up, the gateway answers a blob HEAD from a peer (skopeo copying an image to one
 * region right after another, Azure/acr#588). Before such a push is refused, this region's
 * replication service copies those blobs from the peer and links them (`fetchFromPeers`),
 * within a bounded wait, so the push is accepted with every byte in this region's store.
 * An index's child manifests the client skipped the same way are stored here from the peer
 * (`fetchChildrenFromPeers`), within the same wait, before the index is accepted.
 */
import { Injectable } from '@nestjs/common';
import { type BlobInfo, blobRpc, replicationRpc } from '@meridian/contracts';
import { RpcClient, type RpcContext } from '@meridian/messaging';

export abstract class BlobPresence {
  /** The blobs among `digests` that `repository` sees, with their sizes, in no particular order. */
  abstract visible(repository: string, digests: string[], context: RpcContext): Promise<BlobInfo[]>;

  /**
   * Has the blobs among `digests` a peer region holds in `repository` copied here and linked,
   * waiting at most the configured time; never throws (what is still missing stays missing).
   */
  abstract fetchFromPeers(
    repository: string,
    digests: string[],
    context: RpcContext,
  ): Promise<void>;

  /**
   * Has the child manifests among `digests` a peer region holds in `repository` stored here
   * (by digest, their blobs with them), waiting at most the configured time; never throws.
   */
  abstract fetchChildrenFromPeers(
    repository: string,
    digests: string[],
    context: RpcContext,
  ): Promise<void>;
}

@Injectable()
export class NatsBlobPresence implements BlobPresence {
  constructor(
    private readonly rpc: RpcClient,
    private readonly fetchTimeoutMs: number,
  ) {}

  async visible(repository: string, digests: string[], context: RpcContext): Promise<BlobInfo[]> {
    if (digests.length === 0) return [];
    const { found } = await this.rpc.request(
      blobRpc.statMany,
      { repository, digests },
      { context },
    );
    return found;
  }

  async fetchFromPeers(repository: string, digests: string[], context: RpcContext): Promise<void> {
    // a copy that outlasts the wait goes on in the replication service: a retry finds it done
    await this.rpc
      .request(
        replicationRpc.fetchBlobs,
        { repository, digests },
        { context, timeoutMs: this.fetchTimeoutMs },
      )
      .catch(() => undefined);
  }

  async fetchChildrenFromPeers(
    repository: string,
    digests: string[],
    context: RpcContext,
  ): Promise<void> {
    // as for blobs: a fetch that outlasts the wait goes on, a retry finds the children here
    await this.rpc
      .request(
        replicationRpc.fetchManifests,
        { repository, digests },
        { context, timeoutMs: this.fetchTimeoutMs },
      )
      .catch(() => undefined);
  }
}
