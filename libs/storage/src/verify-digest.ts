/**
 * A pass-through that proves the bytes of a blob copied from a peer's store before the last
 * of them reaches this region's store. It holds back the most recent chunk and releases it
 * only once the whole stream has hashed to the expected digest and size; on a mismatch it
 * fails instead, so the store's atomic put never completes and nothing partial or wrong
 * ever becomes visible, even to a store that ends an upload as soon as the announced
 * length has arrived. The hash is the expected digest's algorithm (sha256 or sha512).
 */
import { Transform, type TransformCallback } from 'node:stream';
import { createDigester, parseDigest } from '@meridian/oci';

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
