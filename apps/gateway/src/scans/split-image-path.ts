/**
 * Repository names contain slashes, so the image routes take the rest of the path and split
 * it: `team/app/sha256:…` (scans) or `team/app/_manifests/sha256:…` (ACR's quarantine PATCH);
 * sha512 digests are taken as well.
 * A path that names no valid repository and digest is NAME_INVALID or DIGEST_INVALID.
 */
import { RegistryError } from '@meridian/contracts';
import { isDigest, isRepositoryName, isSupportedDigest } from '@meridian/oci';

export interface ImagePath {
  repository: string;
  digest: string;
}

/** `rest` is the path after the route's prefix, percent-encoded as it arrived. */
export function splitImagePath(rest: string, separator = '/'): ImagePath {
  const path = decodeURIComponent(rest.split('?', 1)[0] ?? '');
  const at = path.lastIndexOf(separator);
  const repository = at < 0 ? '' : path.slice(0, at);
  const digest = at < 0 ? path : path.slice(at + separator.length);
  if (!isRepositoryName(repository))
    throw new RegistryError('NAME_INVALID', 'invalid repository name', { name: repository });
  if (!isDigest(digest) || !isSupportedDigest(digest))
    throw new RegistryError('DIGEST_INVALID', 'a sha256 or sha512 digest is required', { digest });
  return { repository, digest };
}
