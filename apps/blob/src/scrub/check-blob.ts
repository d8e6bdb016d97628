/**
 * Re-reads one blob from this region's store, at the scrub's pace, and hashes it with its
 * digest's own algorithm (sha256 or sha512): `ok` when the bytes hash to the digest and the
 * recorded size, `missing` when the store has nothing at the blob's key, `corrupt` (with what
 * the bytes hash to) otherwise. A read that fails other than by absence is thrown: the store
 * is not answering, which says nothing about the blob.
 */
import { type BlobInfo } from '@meridian/contracts';
import { createDigester, parseDigest } from '@meridian/oci';
import { StorageNotFoundError, blobKey } from '@meridian/storage';
import type { ScrubStore } from '../inject-storage-driver';
import type { ReadPace } from './read-pace';

export type BlobCheck =
  { state: 'ok' } | { state: 'missing'; found: string } | { state: 'corrupt'; found: string };

export class ScrubStopped extends Error {
  override readonly name = 'ScrubStopped';
}

export async function checkBlob(
  store: ScrubStore,
  blob: BlobInfo,
  pace: ReadPace,
  signal?: AbortSignal,
): Promise<BlobCheck> {
  const digester = createDigester(parseDigest(blob.digest).algorithm);
  let bytes;
  try {
    bytes = await store.read(blobKey(blob.digest));
  } catch (error) {
    if (error instanceof StorageNotFoundError) {
      return { state: 'missing', found: 'no bytes at the blob key' };
    }
    throw error;
  }
  try {
    for await (const chunk of bytes) {
      const buffer = chunk as Buffer;
      digester.update(buffer);
      await pace.take(buffer.length);
      if (signal?.aborted) throw new ScrubStopped('the service is shutting down');
    }
  } finally {
    bytes.destroy();
  }
  const actual = digester.digest();
  if (actual === blob.digest && digester.size === blob.size) return { state: 'ok' };
  return {
    state: 'corrupt',
    found: `bytes hash to ${actual} (${digester.size} bytes), expected ${blob.size} bytes`,
  };
}
