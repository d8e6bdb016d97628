/**
 * Content digests (image-spec descriptor.md "Digests"). Meridian verifies and stores the
 * image-spec's registered algorithms that every client can compute: sha256 (the default,
 * and the digest Meridian gives a manifest pushed by tag) and sha512. Other well-formed
 * algorithms are refused with their own message so a client learns that the digest was
 * understood but is not supported.
 */
import { createHash, type Hash } from 'node:crypto';
import { digestPattern, supportedDigestPattern } from './grammar';
import { OciValidationError } from './oci-validation-error';

/** Each supported algorithm and the length of its lowercase hex encoding. */
export const digestAlgorithms = { sha256: 64, sha512: 128 } as const;
export type DigestAlgorithm = keyof typeof digestAlgorithms;
/** What Meridian computes when nothing asks for another algorithm. */
export const defaultDigestAlgorithm: DigestAlgorithm = 'sha256';

export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  /** lowercase hex digits, as many as the algorithm's encoding has */
  encoded: string;
}

export function isDigestAlgorithm(value: string): value is DigestAlgorithm {
  return Object.hasOwn(digestAlgorithms, value);
}

/** The content's digest with the given algorithm, `<algorithm>:<hex>`. */
export function computeDigest(
  content: Uint8Array | string,
  algorithm: DigestAlgorithm = defaultDigestAlgorithm,
): string {
  return `${algorithm}:${createHash(algorithm).update(content).digest('hex')}`;
}

export function sha256Digest(content: Uint8Array | string): string {
  return computeDigest(content, 'sha256');
}

export function sha512Digest(content: Uint8Array | string): string {
  return computeDigest(content, 'sha512');
}

/**
 * The content's digest with the algorithm of `digest`: what a verifier compares `digest`
 * with. `digest` must be supported (checked at the boundary with parseDigest).
 */
export function digestLike(digest: string, content: Uint8Array | string): string {
  return computeDigest(content, parseDigest(digest).algorithm);
}

/** Hashes a stream chunk by chunk, for uploads that arrive in pieces. */
export interface Digester {
  readonly algorithm: DigestAlgorithm;
  update(chunk: Uint8Array): void;
  /** The digest of everything so far; may be called again after more updates. */
  digest(): string;
  /** Bytes hashed so far. */
  readonly size: number;
}

export function createDigester(algorithm: DigestAlgorithm = defaultDigestAlgorithm): Digester {
  const hash: Hash = createHash(algorithm);
  let size = 0;
  return {
    algorithm,
    update(chunk) {
      hash.update(chunk);
      size += chunk.byteLength;
    },
    digest() {
      // A node Hash can be finalised once; finalising a copy keeps this one open.
      return `${algorithm}:${hash.copy().digest('hex')}`;
    },
    get size() {
      return size;
    },
  };
}

/**
 * Why a value is not a digest Meridian can verify, or undefined when it is: one
 * message for a malformed value, one for a supported algorithm whose encoded part has
 * the wrong form, another for a well-formed digest of an algorithm Meridian does not
 * support (md5, sha384, blake3, ...).
 */
export function digestProblem(value: string): string | undefined {
  if (supportedDigestPattern.test(value)) return undefined;
  if (!digestPattern.test(value)) return 'invalid digest';
  const algorithm = value.slice(0, value.indexOf(':'));
  return isDigestAlgorithm(algorithm)
    ? `invalid ${algorithm} digest: the encoded part must be ${digestAlgorithms[algorithm]} lowercase hex digits`
    : `unsupported digest algorithm ${algorithm}: Meridian supports sha256 and sha512`;
}

/** Splits a digest Meridian can verify into its parts, or throws DIGEST_INVALID. */
export function parseDigest(value: string): ParsedDigest {
  const problem = digestProblem(value);
  if (problem !== undefined) {
    throw new OciValidationError('DIGEST_INVALID', problem, { digest: value });
  }
  const colon = value.indexOf(':');
  return {
    algorithm: value.slice(0, colon) as DigestAlgorithm,
    encoded: value.slice(colon + 1),
  };
}
