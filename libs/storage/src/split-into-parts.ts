import type { Readable } from 'node:stream';

export interface SplitIntoPartsOptions {
  /** Bytes cut from the stream per part; the first part also carries the prefix. */
  partSize: number;
  /** S3's minimum for every part but the last. */
  minPartSize: number;
  /** Bytes that go before the stream's in the first part (an upload's pending tail), loaded only if needed. */
  prefix?: { size: number; load: () => Promise<Buffer> };
  /** Uploads the next part; called in order, with at most one call in flight. */
  uploadPart: (bytes: Buffer) => Promise<void>;
}

export type SplitResult =
  /** Everything (prefix included) was under `minPartSize`: nothing was uploaded; `bytes` excludes the prefix. */
  { kind: 'small'; bytes: Buffer } | { kind: 'parts'; count: number };

/**
 * Cuts a stream of unknown length into S3 parts. A part is cut only once at least
 * `minPartSize` more bytes are buffered behind it, so the last part is never too small to
 * be followed by another append. Reading goes on while the previous part uploads, so memory
 * is bounded by about two parts and the client's bytes keep flowing.
 */
export async function splitIntoParts(
  body: Readable,
  options: SplitIntoPartsOptions,
): Promise<SplitResult> {
  const { partSize, minPartSize, prefix, uploadPart } = options;
  if (partSize < minPartSize) throw new Error('partSize must be at least minPartSize');
  let pending: Buffer[] = [];
  let pendingSize = 0;
  let prefixSize = prefix?.size ?? 0;
  let count = 0;
  let inflight: Promise<void> | undefined;

  const take = (size: number): Buffer[] => {
    const taken: Buffer[] = [];
    let needed = size;
    while (needed > 0) {
      const head = pending[0]!;
      if (head.length <= needed) {
        taken.push(head);
        pending.shift();
        needed -= head.length;
      } else {
        taken.push(head.subarray(0, needed));
        pending[0] = head.subarray(needed);
        needed = 0;
      }
    }
    pendingSize -= size;
    return taken;
  };

  const cut = async (bodyBytes: number) => {
    const pieces = take(bodyBytes);
    if (prefixSize > 0 && prefix) pieces.unshift(await prefix.load());
    prefixSize = 0;
    await inflight;
    count += 1;
    inflight = uploadPart(Buffer.concat(pieces)).catch((error: unknown) => {
      // Stop reading a body whose bytes can no longer go anywhere.
      body.destroy(error as Error);
      throw error;
    });
    inflight.catch(() => undefined);
  };

  try {
    for await (const chunk of body) {
      pending.push(chunk as Buffer);
      pendingSize += (chunk as Buffer).length;
      while (prefixSize + pendingSize >= partSize + minPartSize) await cut(partSize - prefixSize);
    }
    if (count === 0 && prefixSize + pendingSize < minPartSize) {
      const bytes = Buffer.concat(pending);
      pending = [];
      return { kind: 'small', bytes };
    }
    await cut(pendingSize);
    await inflight;
    return { kind: 'parts', count };
  } catch (error) {
    await inflight?.catch(() => undefined);
    throw error;
  }
}
