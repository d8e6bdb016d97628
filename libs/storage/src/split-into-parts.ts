import type { Readable } from 'node:stream';

export interface SplitIntoPartsOptions {
  /** Bytes cut from the stream per part; the first part also carries the prefix. */
  partSize: number;
  /** S3's minimum for every part but the last. */
  minPartSize: number;
  /** Bytes that go before the stream's in the first part (an upload's pending tail), loaded only if needed. */
  prefix?: { size: number; load: () => Promise<Buffer> };
  /** Parts uploading at once; memory holds about this many parts plus the one being filled. */
  maxInFlight: number;
  /** Uploads the `index`-th part (0-based, in stream order); calls may overlap up to `maxInFlight`. */
  uploadPart: (bytes: Buffer, index: number) => Promise<void>;
}

export type SplitResult =
  /** Everything (prefix included) was under `minPartSize`: nothing was uploaded; `bytes` excludes the prefix. */
  { kind: 'small'; bytes: Buffer } | { kind: 'parts'; count: number };

/**
 * Cuts a stream of unknown length into S3 parts. A part is cut only once at least
 * `minPartSize` more bytes are buffered behind it, so the last part is never too small to
 * be followed by another append. Reading goes on while earlier parts upload, so the client's
 * bytes keep flowing; memory is bounded by `maxInFlight` + 1 parts (+ `minPartSize`).
 */
export async function splitIntoParts(
  body: Readable,
  options: SplitIntoPartsOptions,
): Promise<SplitResult> {
  const { partSize, minPartSize, prefix, uploadPart, maxInFlight } = options;
  if (partSize < minPartSize) throw new Error('partSize must be at least minPartSize');
  let pending: Buffer[] = [];
  let pendingSize = 0;
  let prefixSize = prefix?.size ?? 0;
  let count = 0;
  const inflight = new Set<Promise<void>>();
  const settled = () => Promise.all(inflight);

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
    while (inflight.size >= maxInFlight) await Promise.race(inflight);
    const upload = uploadPart(Buffer.concat(pieces), count).then(
      () => {
        inflight.delete(upload);
      },
      (error: unknown) => {
        // Stop reading a body whose bytes can no longer go anywhere.
        body.destroy(error as Error);
        throw error;
      },
    );
    upload.catch(() => undefined);
    inflight.add(upload);
    count += 1;
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
    await settled();
    return { kind: 'parts', count };
  } catch (error) {
    await Promise.allSettled(inflight);
    throw error;
  }
}
