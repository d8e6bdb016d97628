/**
 * The OCI distribution grammar for repository names, tags and digests
 * (distribution-spec "Pulling manifests", image-spec "Digests").
 */
import { z } from 'zod';

const pathComponent = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
export const repositoryNamePattern = new RegExp(`^${pathComponent}(?:/${pathComponent})*$`);
export const tagPattern = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
/** Any well-formed digest, whatever its algorithm. */
export const digestPattern = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
/**
 * A digest Meridian can verify and store: one of the image-spec's registered algorithms
 * with its lowercase hex encoding (descriptor.md "Registered algorithms": sha256 and sha512;
 * blake3 is registered as optional and not supported).
 */
export const supportedDigestPattern = /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/** distribution's limit on a whole name. */
export const maxRepositoryNameLength = 255;

export function isRepositoryName(value: string): boolean {
  return value.length <= maxRepositoryNameLength && repositoryNamePattern.test(value);
}

export function isTag(value: string): boolean {
  return tagPattern.test(value);
}

export function isDigest(value: string): boolean {
  return digestPattern.test(value);
}

/** A digest Meridian can verify and store: sha256 or sha512 in lowercase hex. */
export function isSupportedDigest(value: string): boolean {
  return supportedDigestPattern.test(value);
}

export const RepositoryName = z
  .string()
  .max(maxRepositoryNameLength)
  .regex(repositoryNamePattern, 'invalid repository name');
export type RepositoryName = z.infer<typeof RepositoryName>;

export const TagName = z.string().regex(tagPattern, 'invalid tag');
export type TagName = z.infer<typeof TagName>;

export const Digest = z.string().regex(supportedDigestPattern, 'invalid or unsupported digest');
export type Digest = z.infer<typeof Digest>;
