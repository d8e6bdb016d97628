/**
 * What must be present before a manifest is stored, whether a client pushed it here or
 * replication applies its push from another region: every blob it references visible in the
 * repository, every child manifest in the same repository (distribution's rule). Both refuse
 * with MANIFEST_BLOB_UNKNOWN naming what is `missing`.
 */
import { RegistryError } from '@meridian/contracts';
import type { RpcContext } from '@meridian/messaging';
import type { BlobPresence } from './blob-presence';
import type { ManifestReferences } from './manifest-rows';
import type { ManifestsTransaction } from './manifests.repository';

/**
 * Blobs this region lacks that a peer region may hold: thrown instead of refusing when the
 * caller will copy them from a peer and try again.
 */
export class MissingHere extends Error {
  constructor(readonly missing: string[]) {
    super(`blobs missing here: ${missing.join(', ')}`);
  }
}

/**
 * The blobs with their sizes, in the order of `digests`. What is missing is refused with
 * MANIFEST_BLOB_UNKNOWN, or with `missingHere: 'fetch'` (a client's push, whose caller copies
 * from peer regions) thrown as `MissingHere`.
 */
export async function requireBlobs(
  blobs: BlobPresence,
  repository: string,
  digests: string[],
  context: RpcContext,
  options: { missingHere?: 'refuse' | 'fetch' } = {},
): Promise<ManifestReferences['blobs']> {
  const found = new Map(
    (await blobs.visible(repository, digests, context)).map((blob) => [blob.digest, blob.size]),
  );
  const missing = digests.filter((digest) => !found.has(digest));
  if (missing.length > 0 && options.missingHere === 'fetch') throw new MissingHere(missing);
  if (missing.length > 0) {
    throw new RegistryError('MANIFEST_BLOB_UNKNOWN', `blob unknown to registry: ${missing[0]}`, {
      missing,
    });
  }
  return digests.map((digest) => ({ digest, size: found.get(digest)! }));
}

/** The child manifests with their sizes, in the order of `children`. */
export async function requireChildren(
  tx: Pick<ManifestsTransaction, 'manifestSizes'>,
  repository: string,
  children: string[],
): Promise<{ digest: string; size: number }[]> {
  const sizes = await tx.manifestSizes(repository, children);
  const missing = children.filter((digest) => !sizes.has(digest));
  if (missing.length > 0) {
    throw new RegistryError(
      'MANIFEST_BLOB_UNKNOWN',
      `manifest unknown to registry: ${missing[0]}`,
      {
        missing,
      },
    );
  }
  return children.map((digest) => ({ digest, size: sizes.get(digest)! }));
}

/**
 * Every descriptor's size must be the size of what it points to: a client reading the
 * manifest trusts it (to allocate, to check what it fetched), and a size that is not the
 * content's is a manifest describing something else. MANIFEST_INVALID naming the first.
 */
export function requireDeclaredSizes(
  declared: { digest: string; size: number }[],
  actual: { digest: string; size: number }[],
): void {
  const sizes = new Map(actual.map((found) => [found.digest, found.size]));
  const wrong = declared.find(
    (descriptor) =>
      sizes.has(descriptor.digest) && sizes.get(descriptor.digest) !== descriptor.size,
  );
  if (wrong !== undefined) {
    throw new RegistryError(
      'MANIFEST_INVALID',
      `descriptor size ${wrong.size} is not the size of ${wrong.digest}`,
      { digest: wrong.digest, declared: wrong.size, actual: sizes.get(wrong.digest) },
    );
  }
}
