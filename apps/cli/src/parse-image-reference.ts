/**
 * An image as the commands take it, `repository:tag` or `repository@digest` (az acr's
 * `--image`), checked with the OCI grammar of libs/oci before anything is asked of the
 * registry. A reference that does not parse is a usage error (exit 2).
 */
import { isRepositoryName, isSupportedDigest, isTag } from '@meridian/oci';
import { usageError } from './cli-error';

export type ImageReference =
  | { repository: string; tag: string; digest?: undefined }
  | { repository: string; digest: string; tag?: undefined };

export function parseImageReference(
  text: string,
  options: { tagOptional?: boolean } = {},
): ImageReference {
  const at = text.indexOf('@');
  if (at >= 0) {
    const repository = checkedRepository(text.slice(0, at), text);
    const digest = text.slice(at + 1);
    if (!isSupportedDigest(digest)) {
      throw usageError(`"${text}": "${digest}" is not a sha256 or sha512 digest`);
    }
    return { repository, digest };
  }
  const colon = text.lastIndexOf(':');
  if (colon < 0) {
    if (options.tagOptional) return { repository: checkedRepository(text, text), tag: 'latest' };
    throw usageError(`"${text}" names no tag or digest: give repository:tag or repository@digest`);
  }
  const repository = checkedRepository(text.slice(0, colon), text);
  const tag = text.slice(colon + 1);
  if (!isTag(tag)) throw usageError(`"${text}": "${tag}" is not a valid tag`);
  return { repository, tag };
}

export function checkedRepository(name: string, whole = name): string {
  if (!isRepositoryName(name)) {
    throw usageError(
      `"${whole}": "${name}" is not a repository name (lowercase path components of a-z0-9 and . _ -)`,
    );
  }
  return name;
}

export function referenceOf(image: ImageReference): string {
  return image.digest ?? image.tag;
}
