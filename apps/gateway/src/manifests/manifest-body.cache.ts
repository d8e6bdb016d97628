/**
 * Manifest bodies by digest, bounded in bytes. A digest names its bytes forever, so an
 * entry never goes stale; whether a repository still has the manifest is asked of the
 * manifest service on every request, the cache only saves carrying the body over NATS.
 * A body goes in only if it hashes to its digest, so the cache cannot serve wrong bytes.
 */
import { digestLike } from '@meridian/oci';
import { LruMap } from '../caching/lru-map';

/** Map and key overhead per entry, so that many tiny manifests also count. */
const entryOverheadBytes = 256;

export class ManifestBodyCache {
  private readonly bodies: LruMap<string, Buffer>;

  constructor(maxBytes: number) {
    this.bodies = new LruMap({
      maxEntries: maxBytes > 0 ? Number.MAX_SAFE_INTEGER : 0,
      maxWeight: maxBytes,
      weigh: (body) => body.byteLength + entryOverheadBytes,
    });
  }

  get(digest: string): Buffer | undefined {
    return this.bodies.get(digest);
  }

  set(digest: string, body: Buffer): void {
    if (digestLike(digest, body) === digest) this.bodies.set(digest, body);
  }

  delete(digest: string): void {
    this.bodies.delete(digest);
  }
}
