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
export const sha256DigestPattern = /^sha256:[a-f0-9]{64}$/;

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

/** A digest Meridian can verify and store: sha256 with 64 lowercase hex digits. */
export function isSupportedDigest(value: string): boolean {
  return sha256DigestPattern.test(value);
}

export const RepositoryName = z
  .string()
  .max(maxRepositoryNameLength)
  .regex(repositoryNamePattern, 'invalid repository name');
export type RepositoryName = z.infer<typeof RepositoryName>;

export const TagName = z.string().regex(tagPattern, 'invalid tag');
export type TagName = z.infer<typeof TagName>;

export const Digest = z.string().regex(sha256DigestPattern, 'invalid or unsupported digest');
export type Digest = z.infer<typeof Digest>;
