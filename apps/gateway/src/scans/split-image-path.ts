/**
 * Repository names contain slashes, so the scan report route takes the rest of the path and
 * splits it at the last slash: `team/app/sha256:…`; sha512 digests are taken as well.
 * A path that names no valid repository and digest is NAME_INVALID or DIGEST_INVALID.
 */
import { RegistryError } from '@meridian/contracts';
import { isDigest, isRepositoryName, isSupportedDigest } from '@meridian/oci';

export interface ImagePath {
  repository: string;
  digest: string;
}

/** `rest` is the path after the route's prefix, percent-encoded as it arrived. */
export function splitImagePath(rest: string): ImagePath {
  const path = decodeURIComponent(rest.split('?', 1)[0] ?? '');
  const at = path.lastIndexOf('/');
  const repository = at < 0 ? '' : path.slice(0, at);
  const digest = at < 0 ? path : path.slice(at + 1);
  if (!isRepositoryName(repository))
    throw new RegistryError('NAME_INVALID', 'invalid repository name', { name: repository });
  if (!isDigest(digest) || !isSupportedDigest(digest))
    throw new RegistryError('DIGEST_INVALID', 'a sha256 or sha512 digest is required', { digest });
  return { repository, digest };
}
