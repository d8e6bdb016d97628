/**
 * The one interface every regional store implements (filesystem, S3). The layout is
 * content addressed and owned by `paths.ts`: blobs at `blobs/sha256/<2 hex>/<hex>`,
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

export interface StorageDriver {
  readonly kind: 'filesystem' | 's3';

  /** Size of the object, or undefined when there is none. */
  stat(key: string): Promise<{ size: number } | undefined>;

  /** Streams the object (or one range of it). Rejects with StorageNotFoundError when absent. */
  read(key: string, range?: ByteRange): Promise<Readable>;

  /** Writes a whole object atomically: readers see the old object or the new one, never a part. */
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
   * Copies an object from another store of the same or another driver (replication).
   * Server-side when both are on one S3 endpoint; otherwise streamed.
   */
  copyFrom(source: StorageDriver, sourceKey: string, key: string): Promise<void>;

  /** Begins a resumable upload (`uploadId` is a uuid). */
  startUpload(uploadId: string): Promise<UploadState>;

  /**
   * Appends a chunk at `state.size`. Resolves with the new state once the bytes are durable.
   * If `body` fails midway, rejects and the upload stays as it was before this chunk.
   * `size`, when the caller knows it (Content-Length), lets drivers avoid buffering.
   */
  appendUpload(
    uploadId: string,
    state: UploadState,
    body: Readable,
    size?: number,
  ): Promise<UploadState>;

  /** Streams everything appended so far (to re-hash an upload whose hash state was lost). */
  readUpload(uploadId: string, state: UploadState): Promise<Readable>;

  /**
   * Moves the upload's bytes to `key` atomically and removes the session's leftovers.
   * If `key` already exists (content addressed: same bytes), just removes the upload.
   */
  completeUpload(uploadId: string, state: UploadState, key: string): Promise<void>;

  /** Removes every trace of the upload; idempotent. */
  abortUpload(uploadId: string, state: UploadState): Promise<void>;
}

export class StorageNotFoundError extends Error {
  override readonly name = 'StorageNotFoundError';
  constructor(readonly key: string) {
    super(`no object at ${key}`);
  }
}
