/**
 * The one interface every regional store implements (filesystem, S3). The layout is
 * content addressed and owned by `paths.ts`: blobs at `blobs/<algorithm>/<2 hex>/<hex>`,
 * upload sessions under `_uploads/<uuid>/`. Keys are made only by `paths.ts`, so no
 * repository name, tag or client-supplied string ever becomes part of a key.
 *
 * Every driver passes the conformance suite in `storage-driver.conformance.ts`.
 */
import type { Readable } from 'node:stream';

/** Inclusive byte range, as in HTTP `Range: bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * A resumable upload's state, JSON-serialisable: the blob service stores it with the
 * session, the gateway hands it back to the driver for the next chunk. `size` is the
 * number of bytes appended so far; `driver` is the driver's own (multipart ids, parts…).
 */
export interface UploadState {
  size: number;
  driver: Record<string, unknown>;
}

export interface CopyOptions {
  /** what the copied bytes must be: a blob's digest (its own algorithm) and, when known, size */
  expected?: { digest: string; size?: number };
  /**
   * The size the copy must have, for a copy the stores make without a digest to prove: a
   * source of any other size is refused before anything is copied.
   */
  size?: number;
  /** told of the bytes as they are copied (or, for a copy made in the kernel, verified) */
  onBytes?: (count: number) => void;
  /**
   * The copy may be the source's own bytes under a second name: a hard link between two
   * filesystem stores on one filesystem, which writes no byte. It behaves as a copy under
   * everything a store does (objects are replaced by rename, never written in place, and a
   * delete removes one name), but a write into the file by something else reaches both
   * names. Replication sets it for the bytes the source region proved at push; a repair,
   * which exists because a copy went bad, leaves it off. Ignored with `expected` (a proof
   * reads every byte anyway) and by drivers that cannot link.
   */
  mayLink?: boolean;
}

export interface StorageDriver {
  readonly kind: 'filesystem' | 's3';

  /** Size of the object, or undefined when there is none. */
  stat(key: string): Promise<{ size: number } | undefined>;

  /**
   * Streams the object (or one range of it). Rejects with StorageNotFoundError when absent.
   * A range must start inside the object (check against `stat` first); an end past the last
   * byte is clamped, as in HTTP.
   */
  read(key: string, range?: ByteRange): Promise<Readable>;

  /**
   * Writes a whole object atomically: readers see the old object or the new one, never a part.
   * With `size`, a body of any other length is refused (nothing is written). The store owns
   * a stream body from the call on (`ownBody`): its error, even before the store reads it,
   * is the put's rejection.
   */
  put(key: string, body: Readable | Buffer, size?: number): Promise<void>;

  /** Removes the object; removing an absent object is not an error. */
  delete(key: string): Promise<void>;

  /** Every key under a prefix, in no particular order. */
  list(prefix: string): AsyncIterable<string>;

  /**
   * A URL a client can GET the object from directly for `expiresInSeconds`, or undefined when
   * the driver cannot (filesystem) or redirects are turned off.
   */
  presignGet(key: string, expiresInSeconds: number): Promise<string | undefined>;

  /**
   * Copies an object from another store of the same or another driver (replication), as
   * atomically as `put`. Server-side when both are on one S3 service and nothing is
   * `expected`; between two filesystem stores a hard link when `mayLink` allows it and both
   * are on one filesystem, else in the kernel (a reflink or copy_file_range); otherwise
   * streamed through this process. With `expected`, the copy
   * is proven to hash to that digest (and have that size) before it becomes visible: a
   * mismatch rejects with DigestMismatchError and leaves nothing at `key`.
   */
  copyFrom(
    source: StorageDriver,
    sourceKey: string,
    key: string,
    options?: CopyOptions,
  ): Promise<void>;

  /** Begins a resumable upload (`uploadId` is a uuid). */
  startUpload(uploadId: string): Promise<UploadState>;

  /**
   * Appends a chunk at `state.size`. Resolves with the new state once the bytes are durable.
   * If `body` fails midway (or its length differs from `size`), rejects and the upload stays as
   * it was before this chunk: the same `state` may be used again. Once an append resolves, its
   * new state supersedes the old one, which may no longer be usable.
   * `size`, when the caller knows it (Content-Length), lets drivers avoid buffering: S3
   * streams such a chunk as one part; without it, it buffers parts of a few MiB.
   * Appends to one upload must not run concurrently.
   */
  appendUpload(
    uploadId: string,
    state: UploadState,
    body: Readable,
    size?: number,
  ): Promise<UploadState>;

  /**
   * Streams everything appended so far (to re-hash an upload whose hash state was lost).
   * Costly on S3 (the multipart upload is completed and later reopened by a server-side
   * copy): use it when the hash state is really gone, not on every chunk.
   */
  readUpload(uploadId: string, state: UploadState): Promise<Readable>;

  /**
   * Moves the upload's bytes to `key` atomically and removes the session's leftovers.
   * If `key` already exists (content addressed: same bytes), just removes the upload.
   */
  completeUpload(uploadId: string, state: UploadState, key: string): Promise<void>;

  /** Removes every trace of the upload; idempotent, and accepts any state the upload had. */
  abortUpload(uploadId: string, state: UploadState): Promise<void>;

  /**
   * Removes what a `put` or `copyFrom` killed mid-way (a crash, kill -9) left behind, when it
   * was last written before `olderThan`, so a write in flight is never touched: the
   * filesystem's temporary files, S3's multipart uploads (begun before `olderThan`). Upload
   * sessions are not leftovers (the blob service expires them). Resolves with how many
   * leftovers it removed; safe to run from several processes at once.
   */
  sweepInterruptedWrites(olderThan: Date): Promise<number>;
}

export class StorageNotFoundError extends Error {
  override readonly name = 'StorageNotFoundError';
  constructor(readonly key: string) {
    super(`no object at ${key}`);
  }
}

/** Refuses a copy whose source is not the size the caller expects (CopyOptions.size). */
export function refuseWrongSize(sourceKey: string, actual: number, expected?: number): void {
  if (expected !== undefined && actual !== expected) {
    throw new Error(`${sourceKey} holds ${actual} bytes, expected ${expected}`);
  }
}
