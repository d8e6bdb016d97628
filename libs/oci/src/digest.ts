/**
 * Content digests (image-spec descriptor.md "Digests"). Meridian verifies and stores
 * sha256 only; other well-formed algorithms are refused with their own message so a
 * client learns that the digest was understood but is not supported.
 */
import { createHash, type Hash } from 'node:crypto';
import { digestPattern, sha256DigestPattern } from './grammar';
import { OciValidationError } from './oci-validation-error';

export const supportedDigestAlgorithm = 'sha256';

export interface ParsedDigest {
  algorithm: typeof supportedDigestAlgorithm;
  /** 64 lowercase hex digits */
  encoded: string;
}

export function sha256Digest(content: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

/** Hashes a stream chunk by chunk, for uploads that arrive in pieces. */
export interface Digester {
  update(chunk: Uint8Array): void;
  /** The digest of everything so far; may be called again after more updates. */
  digest(): string;
  /** Bytes hashed so far. */
  readonly size: number;
}

export function createDigester(): Digester {
  const hash: Hash = createHash('sha256');
  let size = 0;
  return {
    update(chunk) {
      hash.update(chunk);
      size += chunk.byteLength;
    },
    digest() {
      // A node Hash can be finalised once; finalising a copy keeps this one open.
      return `sha256:${hash.copy().digest('hex')}`;
    },
    get size() {
      return size;
    },
  };
}

/**
 * Why a value is not a digest Meridian can verify, or undefined when it is: one
 * message for a malformed value, another for a well-formed digest of an algorithm
 * Meridian does not support (sha512, md5, ...).
 */
export function digestProblem(value: string): string | undefined {
  if (sha256DigestPattern.test(value)) return undefined;
  if (!digestPattern.test(value)) return 'invalid digest';
  const algorithm = value.slice(0, value.indexOf(':'));
  return algorithm === supportedDigestAlgorithm
    ? 'invalid sha256 digest: the encoded part must be 64 lowercase hex digits'
    : `unsupported digest algorithm ${algorithm}: Meridian supports sha256 only`;
}

/** Splits a digest Meridian can verify into its parts, or throws DIGEST_INVALID. */
export function parseDigest(value: string): ParsedDigest {
  const problem = digestProblem(value);
  if (problem !== undefined) {
    throw new OciValidationError('DIGEST_INVALID', problem, { digest: value });
  }
  return { algorithm: supportedDigestAlgorithm, encoded: value.slice(value.indexOf(':') + 1) };
}
