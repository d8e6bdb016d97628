import type { BlobInfo } from '@meridian/contracts';
import type { BlobPresence } from '../../src/manifests/blob-presence';
import type { Blob } from '../build-manifest';

/** The blob service as a map of what each repository sees. */
export class InMemoryBlobPresence implements BlobPresence {
  private readonly byRepository = new Map<string, Map<string, number>>();
  /** every `visible` call, to check what was asked */
  readonly calls: { repository: string; digests: string[] }[] = [];
  /** what peer regions hold: `fetchFromPeers` links it here */
  private readonly peers = new Map<string, Map<string, number>>();
  /** every `fetchFromPeers` call */
  readonly fetches: { repository: string; digests: string[] }[] = [];
  /** every `fetchChildrenFromPeers` call */
  readonly childFetches: { repository: string; digests: string[] }[] = [];
  /** what a peer region does for `fetchChildrenFromPeers` (store them here); nothing by default */
  onChildFetch: (repository: string, digests: string[]) => Promise<void> = async () => {};

  /** Blobs a peer region holds in `repository`, that this region does not (yet). */
  addAtPeer(repository: string, ...blobs: Blob[]): this {
    const held = this.peers.get(repository) ?? new Map<string, number>();
    for (const blob of blobs) held.set(blob.digest, blob.size);
    this.peers.set(repository, held);
    return this;
  }

  add(repository: string, ...blobs: Blob[]): this {
    const blobsOfRepository = this.byRepository.get(repository) ?? new Map<string, number>();
    for (const blob of blobs) blobsOfRepository.set(blob.digest, blob.size);
    this.byRepository.set(repository, blobsOfRepository);
    return this;
  }

  async visible(repository: string, digests: string[]): Promise<BlobInfo[]> {
    this.calls.push({ repository, digests });
    const known = this.byRepository.get(repository) ?? new Map<string, number>();
    return digests.flatMap((digest) => {
      const size = known.get(digest);
      return size === undefined ? [] : [{ digest, size }];
    });
  }

  async fetchFromPeers(repository: string, digests: string[]): Promise<void> {
    this.fetches.push({ repository, digests });
    const held = this.peers.get(repository) ?? new Map<string, number>();
    this.add(
      repository,
      ...digests.flatMap((digest) => {
        const size = held.get(digest);
        return size === undefined ? [] : [{ digest, size }];
      }),
    );
  }

  async fetchChildrenFromPeers(repository: string, digests: string[]): Promise<void> {
    this.childFetches.push({ repository, digests });
    await this.onChildFetch(repository, digests);
  }
}
