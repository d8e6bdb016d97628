/**
 * Makes a blob present in this region's store by copying it from a peer region's store.
 * Keys are content addressed (libs/storage paths.ts), so a blob already at its key is the
 * same bytes and needs nothing. When the stores copy the bytes themselves, never through
 * this process (server side between buckets of one S3 service; between two directories of
 * this machine a hard link on one filesystem, else a copy in the kernel), the copy is of
 * bytes the source region verified when they were pushed, and only its size is checked:
 * hashing it again would read every byte back into this process, the cost the in-store
 * copy exists to avoid (a source corrupted at rest since is the scrub's to find and repair,
 * as in any store). Across drivers the bytes stream
 * through this process and the store proves them against the digest before they become
 * visible (`copyFrom` with `expected`).
 * Concurrent requests for one blob share one copy: a pull that jumps the queue and the
 * event that was already copying it wait for the same bytes.
 */
import {
  FilesystemStorageDriver,
  S3StorageDriver,
  type StorageDriver,
  blobKey,
} from '@meridian/storage';
import type { CopyThroughput } from './copy-throughput';

/** This region's store and each peer's, opened from the configuration. */
export interface RegionStores {
  readonly own: StorageDriver;
  peer(region: string): StorageDriver;
}

export interface BlobToCopy {
  digest: string;
  /** when known (from the event), checked along with the digest */
  size?: number;
}

export type CopyOutcome = 'present' | 'copied';

export class BlobCopier {
  private readonly inFlight = new Map<string, Promise<CopyOutcome>>();

  constructor(
    private readonly stores: RegionStores,
    private readonly throughput: CopyThroughput,
  ) {}

  /** Does this region's store hold the blob? */
  async isPresent(digest: string): Promise<boolean> {
    return (await this.stores.own.stat(blobKey(digest))) !== undefined;
  }

  /** Does `peer`'s store hold the blob (so it can be served from there)? */
  async peerHas(peer: string, digest: string): Promise<boolean> {
    return (await this.stores.peer(peer).stat(blobKey(digest))) !== undefined;
  }

  /** Copies the blob from `peer` unless this region's store has it already. */
  ensure(peer: string, blob: BlobToCopy): Promise<CopyOutcome> {
    const running = this.inFlight.get(blob.digest);
    if (running) return running;
    const copy = this.copyIfMissing(peer, blob).finally(() => this.inFlight.delete(blob.digest));
    this.inFlight.set(blob.digest, copy);
    return copy;
  }

  private async copyIfMissing(peer: string, blob: BlobToCopy): Promise<CopyOutcome> {
    if (await this.isPresent(blob.digest)) return 'present';
    const key = blobKey(blob.digest);
    const source = this.stores.peer(peer);
    const target = this.stores.own;
    if (copiedByTheStores(source, target)) {
      await target.copyFrom(source, key, key, {
        size: blob.size,
        mayLink: true,
        onBytes: (count) => this.throughput.record(peer, count),
      });
      return 'copied';
    }
    await target.copyFrom(source, key, key, {
      expected: blob,
      onBytes: (count) => this.throughput.record(peer, count),
    });
    return 'copied';
  }
}

/**
 * Whether the stores copy the bytes between them without this process: server side within
 * one S3 service, in the kernel between two filesystem stores.
 */
export function copiedByTheStores(source: StorageDriver, target: StorageDriver): boolean {
  return (
    sameS3Service(source, target) ||
    (source instanceof FilesystemStorageDriver && target instanceof FilesystemStorageDriver)
  );
}

/** Whether a copy between the two stays inside one S3 service (server side). */
export function sameS3Service(source: StorageDriver, target: StorageDriver): boolean {
  return (
    source instanceof S3StorageDriver &&
    target instanceof S3StorageDriver &&
    source.serviceId === target.serviceId
  );
}
