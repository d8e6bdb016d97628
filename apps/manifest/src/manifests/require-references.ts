/**
 * What must be present before a manifest is stored, whether a client pushed it here or
 * replication applies its push from another region: every blob it references visible in the
 * repository, every child manifest in the same repository (distribution's rule). Both refuse
 * with MANIFEST_BLOB_UNKNOWN naming what is `missing`.
 */
import { RegistryError } from '@meridian/contracts';
import type { RpcContext } from '@meridian/messaging';
import type { BlobPresence } from './blob-presence';
import type { ManifestReferences, ManifestsTransaction } from './manifests.repository';

/**
 * The blobs with their sizes, in the order of `digests`. With `fromPeers` (a client's push),
 * blobs missing here that a peer region holds are copied and linked first.
 */
export async function requireBlobs(
  blobs: BlobPresence,
  repository: string,
  digests: string[],
  context: RpcContext,
  options: { fromPeers?: boolean } = {},
): Promise<ManifestReferences['blobs']> {
  const found = new Map(
    (await blobs.visible(repository, digests, context)).map((blob) => [blob.digest, blob.size]),
  );
  let missing = digests.filter((digest) => !found.has(digest));
  if (missing.length > 0 && options.fromPeers) {
    await blobs.fetchFromPeers(repository, missing, context);
    for (const blob of await blobs.visible(repository, missing, context))
      found.set(blob.digest, blob.size);
    missing = digests.filter((digest) => !found.has(digest));
  }
  if (missing.length > 0) {
    throw new RegistryError('MANIFEST_BLOB_UNKNOWN', `blob unknown to registry: ${missing[0]}`, {
      missing,
    });
  }
  return digests.map((digest) => ({ digest, size: found.get(digest)! }));
}

export async function requireChildren(
  tx: ManifestsTransaction,
  repository: string,
  children: string[],
): Promise<void> {
  const present = new Set(await tx.existingManifests(repository, children));
  const missing = children.filter((digest) => !present.has(digest));
  if (missing.length > 0) {
    throw new RegistryError(
      'MANIFEST_BLOB_UNKNOWN',
      `manifest unknown to registry: ${missing[0]}`,
      {
        missing,
      },
    );
  }
}
