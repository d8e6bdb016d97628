/**
 * Proofs that the bytes of a blob copied from a peer's store are the blob, before they
 * become visible in this region's store. Streamed: a pass-through that holds back the most
 * recent chunk and releases it only once the whole stream has hashed to the expected digest
 * and size; on a mismatch it fails instead, so the store's atomic put never completes and
 * nothing partial or wrong ever becomes visible, even to a store that ends an upload as soon
 * as the announced length has arrived. Copied in the kernel (filesystem to filesystem): the
 * hidden temporary file is read back and hashed before it is renamed onto its key. The hash
 * is the expected digest's algorithm (sha256 or sha512).
 */
import type { FileHandle } from 'node:fs/promises';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { createDigester, parseDigest } from '@meridian/oci';
import type { CopyOptions } from './storage-driver';

/** Reads of a file being verified: large, one buffer reused for the whole file. */
const verifyChunkBytes = 1024 * 1024;

export class DigestMismatchError extends Error {
  override readonly name = 'DigestMismatchError';
  constructor(
    readonly expected: { digest: string; size?: number },
    readonly actual: { digest: string; size: number },
  ) {
    super(
      `copied bytes hash to ${actual.digest} (${actual.size} bytes), expected ${expected.digest}` +
        (expected.size === undefined ? '' : ` (${expected.size} bytes)`),
    );
  }
}

export function verifyDigest(
  expected: { digest: string; size?: number },
  onBytes: (count: number) => void = () => undefined,
): Transform {
  // hashed with the expected digest's own algorithm: a sha512 blob is checked by sha512
  const digester = createDigester(parseDigest(expected.digest).algorithm);
  let held: Buffer | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      digester.update(chunk);
      onBytes(chunk.length);
      const previous = held;
      held = chunk;
      callback(null, previous);
    },
    flush(callback: TransformCallback) {
      const actual = { digest: digester.digest(), size: digester.size };
      const sizeMatches = expected.size === undefined || expected.size === actual.size;
      if (actual.digest !== expected.digest || !sizeMatches) {
        callback(new DigestMismatchError(expected, actual));
        return;
      }
      callback(null, held);
    },
  });
}

/** `body` as a copy must store it: through `verifyDigest` when a digest is expected, counted. */
export function verifiedCopy(body: Readable, options: CopyOptions = {}): Readable {
  const { expected, onBytes } = options;
  if (!expected && !onBytes) return body;
  const check = expected ? verifyDigest(expected, onBytes) : countBytes(onBytes!);
  body.on('error', (error) => check.destroy(error));
  return body.pipe(check);
}

/**
 * Hashes a file (a copy's temporary file) and rejects with DigestMismatchError unless it is
 * the expected blob. One read of the file, no write.
 */
export async function verifyFileDigest(
  file: FileHandle,
  expected: { digest: string; size?: number },
  onBytes: (count: number) => void = () => undefined,
): Promise<void> {
  const digester = createDigester(parseDigest(expected.digest).algorithm);
  const buffer = Buffer.allocUnsafe(verifyChunkBytes);
  for (let position = 0; ;) {
    const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) break;
    digester.update(buffer.subarray(0, bytesRead));
    onBytes(bytesRead);
    position += bytesRead;
  }
  const actual = { digest: digester.digest(), size: digester.size };
  if (actual.digest !== expected.digest || (expected.size ?? actual.size) !== actual.size)
    throw new DigestMismatchError(expected, actual);
}

function countBytes(onBytes: (count: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      onBytes(chunk.length);
      callback(null, chunk);
    },
  });
}
