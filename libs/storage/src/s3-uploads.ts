/**
 * Resumable uploads on S3, as multipart uploads of `_uploads/<uuid>/data` (see
 * s3-upload-state.ts for what the state holds and why small chunks become tail pieces).
 *
 * A chunk never changes what the previous state describes: parts are numbered from the
 * state and tail pieces are named by their end offset. Once an append resolves, its new
 * state supersedes the old one (tail pieces it merged away are deleted).
 *
 * Two S3 limits shape the rest:
 * - S3 cannot read the parts of an unfinished multipart upload, so `read` first "seals" it:
 *   completes it into the data object, whose first `sizeOfParts` bytes are the upload's.
 *   The next append finds the multipart upload gone and reopens: a new multipart upload
 *   whose first part is a server-side copy of that prefix of the sealed object.
 * - A chunk that fails midway may leave "stray" parts the state does not list. AWS drops
 *   unlisted parts at completion; Ceph RGW refuses with InvalidPart. So before new parts go
 *   in, the parts are listed, and an upload with strays is sealed (strays included, past the
 *   upload's bytes) and reopened like above.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  type S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { abortOnBodyError } from './abort-on-body-error';
import { type ByteSource, concatReadables } from './concat-readables';
import { copyS3Object, type CopyS3ObjectOptions, copySourceOf, evenRanges } from './copy-s3-object';
import { expectLength } from './expect-length';
import { uploadPrefix } from './paths';
import { isMissingMultipartUpload } from './s3-errors';
import {
  type Part,
  parseUploadState,
  S3UploadDriverState,
  sizeOfParts,
  sizeOfTail,
  type TailPiece,
  tailPieceKey,
  toUploadState,
  uploadDataKey,
} from './s3-upload-state';
import { splitIntoParts } from './split-into-parts';
import { type ByteRange, StorageNotFoundError, type UploadState } from './storage-driver';

/** What uploads need from the bucket they live in (the S3 driver). */
export interface S3ObjectStore {
  readonly client: S3Client;
  readonly bucket: string;
  stat(key: string): Promise<{ size: number } | undefined>;
  read(key: string, range?: ByteRange): Promise<Readable>;
  put(key: string, body: Buffer): Promise<void>;
  delete(key: string): Promise<void>;
  list(prefix: string): AsyncIterable<string>;
}

export interface S3UploadTuning {
  /** Part size when a body's length is unknown (the part is buffered in memory). */
  partSize: number;
  /** S3's minimum size of every part but the last. */
  minPartSize: number;
  /** S3's maximum part size: a chunk up to this size (with the tail) goes up as one streamed part. */
  maxPartSize: number;
  /** Parts of a body of unknown length uploading at once (each holds `partSize` of memory). */
  partsInFlight: number;
  /** Tail pieces kept before they are merged into one object. */
  maxTailPieces: number;
  copy: CopyS3ObjectOptions;
}

const maxPartNumber = 10_000;

export class S3Uploads {
  constructor(
    private readonly store: S3ObjectStore,
    private readonly tuning: S3UploadTuning,
  ) {}

  start(uploadId: string): UploadState {
    uploadPrefix(uploadId);
    return toUploadState({ parts: [], tail: [] });
  }

  async append(
    uploadId: string,
    state: UploadState,
    body: Readable,
    size?: number,
  ): Promise<UploadState> {
    const current = parseUploadState(uploadId, state);
    const tailSize = sizeOfTail(current);
    const { minPartSize, maxPartSize } = this.tuning;
    if (size !== undefined && tailSize + size < minPartSize) {
      const bytes = await readExactly(body, size, `chunk of upload ${uploadId}`);
      return bytes.length === 0
        ? state
        : toUploadState(await this.addTailPiece(uploadId, current, bytes));
    }
    if (size !== undefined && tailSize + size <= maxPartSize) {
      return toUploadState(
        await this.appendAsOnePart(
          uploadId,
          current,
          expectLength(body, size, `chunk of upload ${uploadId}`),
          size,
        ),
      );
    }
    const checked =
      size === undefined ? body : expectLength(body, size, `chunk of upload ${uploadId}`);
    return toUploadState(await this.appendAsParts(uploadId, current, checked));
  }

  async read(uploadId: string, state: UploadState): Promise<Readable> {
    const current = parseUploadState(uploadId, state);
    const sources: ByteSource[] = [];
    const partsSize = sizeOfParts(current);
    if (current.parts.length > 0) {
      await this.seal(uploadId, current);
      sources.push(() =>
        this.store.read(uploadDataKey(uploadId), { start: 0, end: partsSize - 1 }),
      );
    }
    for (const piece of current.tail) sources.push(() => this.store.read(piece.key));
    return concatReadables(sources);
  }

  async complete(uploadId: string, state: UploadState, key: string): Promise<void> {
    if (!(await this.store.stat(key))) {
      const current = parseUploadState(uploadId, state);
      if (current.parts.length > 0)
        await this.completeMultipart(uploadId, current, key, state.size);
      else await this.completeFromTail(current, key);
    }
    await this.removeSession(uploadId);
  }

  async abort(uploadId: string, state: UploadState): Promise<void> {
    const parsed = S3UploadDriverState.safeParse(state.driver);
    const multipartUploadId = parsed.success ? parsed.data.multipartUploadId : undefined;
    if (multipartUploadId) await this.abortMultipart(uploadDataKey(uploadId), multipartUploadId);
    await this.removeSession(uploadId);
  }

  /** The chunk's length is known and, with the tail in front, fits one part: stream it, no buffering. */
  private async appendAsOnePart(
    uploadId: string,
    current: S3UploadDriverState,
    body: Readable,
    size: number,
  ): Promise<S3UploadDriverState> {
    const live = await this.liveMultipart(uploadId, current);
    const tail = current.tail.length > 0 ? await this.readTail(current.tail) : Buffer.alloc(0);
    const partNumber = live.parts.length + 1;
    const partSize = tail.length + size;
    const etag = await this.uploadPart(
      uploadId,
      live,
      partNumber,
      concatReadables([tail, async () => body]),
      partSize,
    );
    await this.deleteTail(current.tail);
    return { ...live, parts: [...live.parts, { partNumber, etag, size: partSize }], tail: [] };
  }

  private async appendAsParts(
    uploadId: string,
    current: S3UploadDriverState,
    body: Readable,
  ): Promise<S3UploadDriverState> {
    // A promise, not a value: parts upload concurrently and must share one multipart upload.
    let live: Promise<S3UploadDriverState> | undefined;
    const added: Part[] = [];
    const tailSize = sizeOfTail(current);
    const result = await splitIntoParts(body, {
      partSize: this.tuning.partSize,
      minPartSize: this.tuning.minPartSize,
      maxInFlight: this.tuning.partsInFlight,
      prefix:
        tailSize > 0 ? { size: tailSize, load: () => this.readTail(current.tail) } : undefined,
      uploadPart: async (bytes, index) => {
        live ??= this.liveMultipart(uploadId, current);
        const target = await live;
        const partNumber = target.parts.length + index + 1;
        const etag = await this.uploadPart(uploadId, target, partNumber, bytes, bytes.length);
        added[index] = { partNumber, etag, size: bytes.length };
      },
    });
    if (result.kind === 'small') {
      return result.bytes.length === 0
        ? current
        : this.addTailPiece(uploadId, current, result.bytes);
    }
    await this.deleteTail(current.tail);
    const target = await live!;
    return { ...target, parts: [...target.parts, ...added], tail: [] };
  }

  private async uploadPart(
    uploadId: string,
    live: S3UploadDriverState,
    partNumber: number,
    body: Readable | Buffer,
    contentLength: number,
  ): Promise<string> {
    if (partNumber > maxPartNumber)
      throw new Error(`upload ${uploadId} needs more than ${maxPartNumber} parts`);
    const command = new UploadPartCommand({
      Bucket: this.store.bucket,
      Key: uploadDataKey(uploadId),
      UploadId: live.multipartUploadId,
      PartNumber: partNumber,
      Body: body,
      ContentLength: contentLength,
    });
    const { ETag } = Buffer.isBuffer(body)
      ? await this.store.client.send(command)
      : await abortOnBodyError(body, (abortSignal) =>
          this.store.client.send(command, { abortSignal }),
        );
    if (!ETag) throw new Error(`no etag for part ${partNumber} of upload ${uploadId}`);
    return ETag;
  }

  /**
   * A state whose multipart upload takes new parts after its listed ones: created on first
   * use; reopened when a read sealed it or a failed chunk left stray parts in it.
   */
  private async liveMultipart(
    uploadId: string,
    current: S3UploadDriverState,
  ): Promise<S3UploadDriverState> {
    if (!current.multipartUploadId) {
      return {
        ...current,
        multipartUploadId: await this.createMultipart(uploadDataKey(uploadId)),
        parts: [],
      };
    }
    const uploaded = await this.listUploadedParts(uploadId, current);
    if (uploaded && strayParts(current, uploaded).length === 0) return current;
    await this.seal(uploadId, current, uploaded);
    return this.reopen(uploadId, current);
  }

  /** The parts S3 holds for the state's multipart upload, or undefined once it is completed or aborted. */
  private async listUploadedParts(
    uploadId: string,
    current: S3UploadDriverState,
  ): Promise<Part[] | undefined> {
    const parts: Part[] = [];
    let PartNumberMarker: string | undefined;
    try {
      do {
        const page = await this.store.client.send(
          new ListPartsCommand({
            Bucket: this.store.bucket,
            Key: uploadDataKey(uploadId),
            UploadId: current.multipartUploadId,
            PartNumberMarker,
          }),
        );
        for (const part of page.Parts ?? []) {
          parts.push({
            partNumber: part.PartNumber ?? 0,
            etag: part.ETag ?? '',
            size: part.Size ?? 0,
          });
        }
        PartNumberMarker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
      } while (PartNumberMarker);
      return parts;
    } catch (error) {
      if (isMissingMultipartUpload(error)) return undefined;
      throw error;
    }
  }

  /**
   * Completes the multipart upload into the data object, strays included (they only add
   * bytes past the upload's own); when that already happened, checks the object is there.
   */
  private async seal(
    uploadId: string,
    current: S3UploadDriverState,
    uploaded?: Part[],
  ): Promise<void> {
    const parts =
      uploaded === undefined ? await this.listUploadedParts(uploadId, current) : uploaded;
    if (parts) {
      const all = [...current.parts, ...strayParts(current, parts)].sort(
        (a, b) => a.partNumber - b.partNumber,
      );
      try {
        await this.store.client.send(
          new CompleteMultipartUploadCommand({
            Bucket: this.store.bucket,
            Key: uploadDataKey(uploadId),
            UploadId: current.multipartUploadId,
            MultipartUpload: {
              Parts: all.map((part) => ({ PartNumber: part.partNumber, ETag: part.etag })),
            },
          }),
        );
        return;
      } catch (error) {
        // Completed in between (a concurrent read): the check below says whether that is fine.
        if (!isMissingMultipartUpload(error)) throw error;
      }
    }
    const key = uploadDataKey(uploadId);
    const sealed = await this.store.stat(key);
    // RGW's CompleteMultipartUpload answers with an empty ETag, so the size is what identifies the sealed object.
    if (!sealed || sealed.size < sizeOfParts(current)) throw new StorageNotFoundError(key);
  }

  /** A new multipart upload of the data object starting with a server-side copy of the upload's bytes. */
  private async reopen(
    uploadId: string,
    current: S3UploadDriverState,
  ): Promise<S3UploadDriverState> {
    const key = uploadDataKey(uploadId);
    const multipartUploadId = await this.createMultipart(key);
    // One copied part unless the bytes exceed S3's part maximum; equal ranges keep every one above the minimum.
    const ranges = evenRanges(sizeOfParts(current), this.tuning.maxPartSize);
    const parts = await Promise.all(
      ranges.map(async (range, index) => {
        const { CopyPartResult } = await this.store.client.send(
          new UploadPartCopyCommand({
            Bucket: this.store.bucket,
            Key: key,
            UploadId: multipartUploadId,
            PartNumber: index + 1,
            CopySource: copySourceOf({ bucket: this.store.bucket, key }),
            CopySourceRange: `bytes=${range.start}-${range.end}`,
          }),
        );
        if (!CopyPartResult?.ETag)
          throw new Error(`no etag for a reopened part of upload ${uploadId}`);
        return {
          partNumber: index + 1,
          etag: CopyPartResult.ETag,
          size: range.end - range.start + 1,
        };
      }),
    );
    return { ...current, multipartUploadId, parts };
  }

  private async createMultipart(key: string): Promise<string> {
    const { UploadId } = await this.store.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.store.bucket, Key: key }),
    );
    if (!UploadId) throw new Error(`no upload id for a multipart upload of ${key}`);
    return UploadId;
  }

  private async completeMultipart(
    uploadId: string,
    current: S3UploadDriverState,
    key: string,
    size: number,
  ): Promise<void> {
    let final = current;
    if (current.tail.length > 0) {
      final = await this.liveMultipart(uploadId, current);
      const tail = await this.readTail(current.tail);
      const partNumber = final.parts.length + 1;
      const etag = await this.uploadPart(uploadId, final, partNumber, tail, tail.length);
      final = {
        ...final,
        parts: [...final.parts, { partNumber, etag, size: tail.length }],
        tail: [],
      };
    }
    await this.seal(uploadId, final);
    const source = { bucket: this.store.bucket, key: uploadDataKey(uploadId) };
    const sealed = await this.store.stat(source.key);
    const target = { bucket: this.store.bucket, key };
    await copyS3Object(
      this.store.client,
      { source, target, size, wholeSource: sealed?.size === size },
      this.tuning.copy,
    );
  }

  private async completeFromTail(current: S3UploadDriverState, key: string): Promise<void> {
    const [only] = current.tail;
    if (current.tail.length === 1 && only) {
      const source = { bucket: this.store.bucket, key: only.key };
      const target = { bucket: this.store.bucket, key };
      await copyS3Object(
        this.store.client,
        { source, target, size: only.size, wholeSource: true },
        this.tuning.copy,
      );
      return;
    }
    await this.store.put(key, await this.readTail(current.tail));
  }

  private async addTailPiece(
    uploadId: string,
    current: S3UploadDriverState,
    bytes: Buffer,
  ): Promise<S3UploadDriverState> {
    const key = tailPieceKey(uploadId, sizeOfParts(current) + sizeOfTail(current) + bytes.length);
    if (current.tail.length < this.tuning.maxTailPieces) {
      await this.store.put(key, bytes);
      return { ...current, tail: [...current.tail, { key, size: bytes.length }] };
    }
    // Bounded pieces keep the state small and the next part's prefix a handful of GETs.
    const merged = Buffer.concat([await this.readTail(current.tail), bytes]);
    await this.store.put(key, merged);
    await this.deleteTail(current.tail);
    return { ...current, tail: [{ key, size: merged.length }] };
  }

  private async readTail(pieces: TailPiece[]): Promise<Buffer> {
    const buffers = await Promise.all(
      pieces.map(async (piece) =>
        readExactly(await this.store.read(piece.key), piece.size, piece.key),
      ),
    );
    return Buffer.concat(buffers);
  }

  /** Best effort: whatever is left is removed with the session. */
  private async deleteTail(pieces: TailPiece[]): Promise<void> {
    await Promise.all(pieces.map((piece) => this.store.delete(piece.key).catch(() => undefined)));
  }

  private async abortMultipart(key: string, multipartUploadId: string): Promise<void> {
    try {
      await this.store.client.send(
        new AbortMultipartUploadCommand({
          Bucket: this.store.bucket,
          Key: key,
          UploadId: multipartUploadId,
        }),
      );
    } catch (error) {
      if (!isMissingMultipartUpload(error)) throw error;
    }
  }

  /** Deletes every object of the session and aborts any multipart upload a failed chunk left behind. */
  private async removeSession(uploadId: string): Promise<void> {
    const prefix = uploadPrefix(uploadId);
    const keys: string[] = [];
    for await (const key of this.store.list(prefix)) keys.push(key);
    await Promise.all(keys.map((key) => this.store.delete(key)));
    const { Uploads } = await this.store.client.send(
      new ListMultipartUploadsCommand({ Bucket: this.store.bucket, Prefix: prefix }),
    );
    for (const upload of Uploads ?? []) {
      if (upload.Key && upload.UploadId) await this.abortMultipart(upload.Key, upload.UploadId);
    }
  }
}

/** Parts S3 holds that the state does not list: left by chunks that failed midway. */
function strayParts(current: S3UploadDriverState, uploaded: Part[]): Part[] {
  const listed = new Set(current.parts.map((part) => part.partNumber));
  return uploaded.filter((part) => !listed.has(part.partNumber));
}

/** Collects a small body whose length is known, failing if it is not that length. */
async function readExactly(body: Readable, size: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    chunks.push(chunk as Buffer);
    length += (chunk as Buffer).length;
    if (length > size) throw new Error(`${what}: more than the expected ${size} bytes`);
  }
  if (length !== size) throw new Error(`${what}: ${length} bytes, expected ${size}`);
  return Buffer.concat(chunks, length);
}
