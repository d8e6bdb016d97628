/**
 * Repairs a blob this region's store holds wrong (or has lost) from a peer region's store, for
 * the blob service's scrub. Unlike a replication copy, the blob's key here may already exist
 * (with corrupt bytes), so presence proves nothing, and no peer is trusted blindly: peers are
 * tried in turn, and one is used only if its bytes hash to the digest and size.
 *
 * Other copies are proven by the store (`copyFrom` with `expected`: hashed on the way, or in
 * the temporary file of a filesystem-to-filesystem copy): a mismatch fails the copy before
 * it is visible, so the key keeps what it held and the next peer is tried. Between buckets of one S3
 * service the peer's copy is read and hashed first, then copied server side, then read back
 * here and hashed again.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { RpcResponse, replicationRpc } from '@meridian/contracts';
import {
  type StorageDriver,
  StorageNotFoundError,
  blobKey,
  DigestMismatchError,
  verifyDigest,
} from '@meridian/storage';
import { type RegionStores, sameS3Service } from './blob-copier';
import type { CopyThroughput } from './copy-throughput';

type RepairBlob = typeof replicationRpc.repairBlob;
type PeerRefusal = Extract<RpcResponse<RepairBlob>, { repaired: false }>['peers'][number];

export interface BlobToRepair {
  digest: string;
  size: number;
}

export class BlobRepairer {
  constructor(
    private readonly stores: RegionStores,
    /** the peers now (they change at runtime) */
    private readonly peers: () => readonly string[],
    private readonly throughput: CopyThroughput,
  ) {}

  /** Copies the blob from the first peer whose copy verifies; what each peer had if none. */
  async repair(blob: BlobToRepair): Promise<RpcResponse<RepairBlob>> {
    const refusals: PeerRefusal[] = [];
    for (const region of this.peers()) {
      try {
        if (await this.copyFrom(region, blob)) return { repaired: true, region };
        refusals.push({ region, state: 'missing' });
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        refusals.push({
          region,
          state: error instanceof DigestMismatchError ? 'corrupt' : 'unreachable',
          detail,
        });
      }
    }
    return { repaired: false, peers: refusals };
  }

  /** false when the peer has no copy; throws DigestMismatchError when its copy is wrong. */
  private async copyFrom(peer: string, blob: BlobToRepair): Promise<boolean> {
    const key = blobKey(blob.digest);
    const source = this.stores.peer(peer);
    const target = this.stores.own;
    try {
      if (sameS3Service(source, target)) {
        await readVerified(source, key, blob);
        await target.copyFrom(source, key, key);
        this.throughput.record(peer, blob.size);
        await readVerified(target, key, blob);
        return true;
      }
      await target.copyFrom(source, key, key, {
        expected: blob,
        onBytes: (count) => this.throughput.record(peer, count),
      });
      return true;
    } catch (error) {
      if (error instanceof StorageNotFoundError) return false;
      throw error;
    }
  }
}

/** Reads the object and hashes it; rejects with DigestMismatchError when it is not the blob. */
async function readVerified(store: StorageDriver, key: string, blob: BlobToRepair): Promise<void> {
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  await pipeline(await store.read(key), verifyDigest(blob), discard);
}
