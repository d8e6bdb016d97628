/**
 * The store's layout; every key a driver is asked for is made here.
 *
 *   blobs/sha256/<first 2 hex>/<64 hex>     a blob, named by its content
 *   _uploads/<uuid>/...                      one upload session's working objects
 *
 * Invariants:
 * - A blob key is a pure function of a sha256 digest, so the same bytes land on the same key
 *   in every region and every driver: replication copies keys, GC walks `blobs/`, and a
 *   completed upload whose key already exists is a duplicate, not a conflict.
 * - Nothing a client sends (repository, tag, upload location) reaches a key except a
 *   validated digest or a validated uuid, so no key can escape its prefix.
 * - Everything under `_uploads/<uuid>/` belongs to that session alone and may be deleted
 *   once the session is completed or aborted; drivers choose the names inside it.
 * - The two-hex fan-out keeps directories (filesystem) and listing pages small; it is
 *   also distribution's layout, so operators find their way around.
 * - No segment of a key starts with `.`: the filesystem driver keeps its temporary files
 *   there, hidden from `list`.
 */
import { isSupportedDigest } from '@meridian/oci';

export const blobsPrefix = 'blobs/sha256/';
export const uploadsPrefix = '_uploads/';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function blobKey(digest: string): string {
  if (!isSupportedDigest(digest)) throw new Error(`not a sha256 digest: ${JSON.stringify(digest)}`);
  const hex = digest.slice('sha256:'.length);
  return `${blobsPrefix}${hex.slice(0, 2)}/${hex}`;
}

/** The digest a blob key names, or undefined for any other key (what GC needs when listing). */
export function digestOfBlobKey(key: string): string | undefined {
  const match = /^blobs\/sha256\/([0-9a-f]{2})\/([0-9a-f]{64})$/.exec(key);
  return match && match[2]!.startsWith(match[1]!) ? `sha256:${match[2]}` : undefined;
}

export function isUploadId(value: string): boolean {
  return uuidPattern.test(value);
}

export function uploadPrefix(uploadId: string): string {
  if (!isUploadId(uploadId)) throw new Error(`not an upload id: ${JSON.stringify(uploadId)}`);
  return `${uploadsPrefix}${uploadId}/`;
}
