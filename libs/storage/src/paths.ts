/**
 * The store's layout; every key a driver is asked for is made here.
 *
 *   blobs/<algorithm>/<first 2 hex>/<hex>    a blob, named by its content:
 *     blobs/sha256/<2 hex>/<64 hex>
 *     blobs/sha512/<2 hex>/<128 hex>
 *   _uploads/<uuid>/...                      one upload session's working objects
 *
 * Invariants:
 * - A blob key is a pure function of a supported digest (sha256 or sha512, `parseDigest`),
 *   so the same bytes named the same way land on the same key in every region and every
 *   driver: replication copies keys, GC walks `blobs/`, and a completed upload whose key
 *   already exists is a duplicate, not a conflict.
 * - The algorithm is a directory of its own: the same bytes pushed once by sha256 and once
 *   by sha512 are two blobs with two keys, and no key of one algorithm can name a blob of
 *   another (the encoded lengths differ, and the directory says which hash to check).
 * - Nothing a client sends (repository, tag, upload location) reaches a key except a
 *   validated digest or a validated upload id (`isUploadId`, libs/oci: a lowercase uuid), so
 *   no key can escape its prefix.
 * - Everything under `_uploads/<uuid>/` belongs to that session alone and may be deleted
 *   once the session is completed or aborted; drivers choose the names inside it.
 * - The two-hex fan-out keeps directories (filesystem) and listing pages small; it is
 *   also distribution's layout, so operators find their way around.
 * - No segment of a key starts with `.`: the filesystem driver keeps its temporary files
 *   there, hidden from `list`.
 */
import { isSupportedDigest, isUploadId } from '@meridian/oci';

export const blobsPrefix = 'blobs/';
export const uploadsPrefix = '_uploads/';

export function blobKey(digest: string): string {
  if (!isSupportedDigest(digest)) {
    throw new Error(`not a supported digest: ${JSON.stringify(digest)}`);
  }
  const [algorithm, hex] = digest.split(':') as [string, string];
  return `${blobsPrefix}${algorithm}/${hex.slice(0, 2)}/${hex}`;
}

const blobKeyPattern = /^blobs\/([a-z0-9]+)\/([0-9a-f]{2})\/([0-9a-f]+)$/;

/** The digest a blob key names, or undefined for any other key (what GC needs when listing). */
export function digestOfBlobKey(key: string): string | undefined {
  const match = blobKeyPattern.exec(key);
  if (!match) return undefined;
  const [, algorithm, fanOut, hex] = match as unknown as [string, string, string, string];
  const digest = `${algorithm}:${hex}`;
  return hex.startsWith(fanOut) && isSupportedDigest(digest) ? digest : undefined;
}

export function uploadPrefix(uploadId: string): string {
  if (!isUploadId(uploadId)) throw new Error(`not an upload id: ${JSON.stringify(uploadId)}`);
  return `${uploadsPrefix}${uploadId}/`;
}
