/**
 * The running hash of each upload this gateway is receiving. Node cannot serialise a
 * hash's state, so it stays in memory, keyed by upload id, as a Digester that knows how
 * many bytes it has seen: it is reused only when the next request starts exactly there.
 * When it is missing or behind (evicted, another replica took the last chunk, a restart),
 * the upload's bytes are read back from the store and hashed again.
 *
 * The algorithm is the one the client named when it named one (`?digest=` on the POST of a
 * monolithic upload or on the closing PUT); chunks before that are hashed with sha256, the
 * digest nearly every client uses. A chunked upload closed with a sha512 digest is therefore
 * hashed again from the store once, at the PUT: the client says which algorithm only there.
 *
 * A request takes the digester out of the map and puts it back only once its chunk is
 * recorded, so a chunk that fails halfway can never leave a hash of bytes that were
 * not kept.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { UploadSession } from '@meridian/contracts';
import { type Digester, type DigestAlgorithm, createDigester } from '@meridian/oci';
import { type StorageDriver, storageDriverToken } from '@meridian/storage';
import { LruMap } from '../caching/lru-map';

/** A digester is a few hundred bytes; this many uploads in flight per gateway is plenty. */
const maxRunningUploads = 10_000;

@Injectable()
export class UploadDigesters {
  private readonly running = new LruMap<string, Digester>({ maxEntries: maxRunningUploads });

  constructor(@Inject(storageDriverToken) private readonly storage: StorageDriver) {}

  /**
   * The digest state of the session's bytes so far, owned by the caller from now on: with
   * `algorithm` when the caller needs that one, else with the kept one or sha256.
   */
  async take(session: UploadSession, algorithm?: DigestAlgorithm): Promise<Digester> {
    const kept = this.running.take(session.uploadId);
    const usable =
      kept !== undefined &&
      kept.size === session.offset &&
      (algorithm === undefined || kept.algorithm === algorithm);
    if (usable) return kept;
    return this.rehash(session, algorithm);
  }

  keep(uploadId: string, digester: Digester): void {
    this.running.set(uploadId, digester);
  }

  forget(uploadId: string): void {
    this.running.delete(uploadId);
  }

  private async rehash(session: UploadSession, algorithm?: DigestAlgorithm): Promise<Digester> {
    const digester = createDigester(algorithm);
    if (session.offset === 0) return digester;
    const bytes = await this.storage.readUpload(session.uploadId, session.state);
    for await (const chunk of bytes) digester.update(chunk as Buffer);
    if (digester.size !== session.offset) {
      throw new Error(
        `upload ${session.uploadId} holds ${digester.size} bytes where its session counts ${session.offset}`,
      );
    }
    return digester;
  }
}
