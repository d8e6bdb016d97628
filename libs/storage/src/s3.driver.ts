/**
 * A store in an S3 bucket (AWS S3, Ceph RGW, MinIO). Objects stream in and out: PutObject
 * with a known length goes up as the bytes arrive; an unknown length becomes a multipart
 * upload of bounded parts. Resumable uploads live in s3-uploads.ts.
 *
 * Client settings that every S3 server tried accepts: path-style addressing, and checksums
 * only where an operation requires them (the SDK's default CRC trailers are not understood
 * everywhere, and some servers then store the framing inside the object).
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import { abortOnBodyError } from './abort-on-body-error';
import { copyS3Object } from './copy-s3-object';
import { expectLength } from './expect-length';
import { uploadsPrefix } from './paths';
import {
  isAccessDenied,
  isBucketAlreadyOurs,
  isMissingBucket,
  isMissingMultipartUpload,
  isMissingObject,
} from './s3-errors';
import { S3Uploads, type S3UploadTuning } from './s3-uploads';
import { splitIntoParts } from './split-into-parts';
import {
  type ByteRange,
  type CopyOptions,
  type StorageDriver,
  StorageNotFoundError,
  refuseWrongSize,
  type UploadState,
} from './storage-driver';
import { ownBody } from './own-body';
import { verifiedCopy } from './verify-digest';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export interface S3StorageDriverOptions {
  /** Omit for AWS S3; the base URL of any other S3 server. */
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle?: boolean;
  /** Hand out presigned GET URLs so clients pull straight from the bucket. */
  redirect?: boolean;
  /** The endpoint clients reach when it differs from the registry's (presigned URLs use it). */
  publicEndpoint?: string;
  /** Part size for bodies of unknown length (buffered: memory per upload ≈ (partsInFlight + 1) × partSize). */
  partSize?: number;
  partsInFlight?: number;
  /** Objects above this size are copied part by part (S3 refuses CopyObject above 5 GiB). */
  maxCopyObjectSize?: number;
  copyPartSize?: number;
}

export class S3StorageDriver implements StorageDriver {
  readonly kind = 's3' as const;
  readonly client: S3Client;
  readonly bucket: string;
  private readonly presignClient: S3Client;
  private readonly uploads: S3Uploads;
  private readonly tuning: S3UploadTuning;

  constructor(private readonly options: S3StorageDriverOptions) {
    this.bucket = options.bucket;
    this.client = createS3Client(options, options.endpoint);
    this.presignClient = options.publicEndpoint
      ? createS3Client(options, options.publicEndpoint)
      : this.client;
    this.tuning = {
      partSize: options.partSize ?? 8 * MiB,
      minPartSize: 5 * MiB,
      maxPartSize: 5 * GiB,
      partsInFlight: options.partsInFlight ?? 4,
      maxTailPieces: 16,
      copy: {
        maxCopyObjectSize: options.maxCopyObjectSize ?? 5 * GiB,
        copyPartSize: options.copyPartSize ?? 512 * MiB,
      },
    };
    this.uploads = new S3Uploads(this, this.tuning);
  }

  /** Creates the bucket when it does not exist yet. */
  async init(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (error) {
      if (!isMissingBucket(error)) throw error;
    }
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      if (!isBucketAlreadyOurs(error)) throw error;
    }
  }

  /** Identifies the S3 service: copies between buckets of one service can stay server side. */
  get serviceId(): string {
    return this.options.endpoint ? new URL(this.options.endpoint).origin : 'aws';
  }

  async stat(key: string): Promise<{ size: number } | undefined> {
    try {
      const { ContentLength } = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: key }),
      );
      return { size: ContentLength ?? 0 };
    } catch (error) {
      if (isMissingObject(error)) return undefined;
      throw error;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    try {
      const { Body } = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Range: range && `bytes=${range.start}-${range.end}`,
        }),
      );
      return Body as Readable;
    } catch (error) {
      if (isMissingObject(error)) throw new StorageNotFoundError(key);
      throw error;
    }
  }

  async put(key: string, body: Readable | Buffer, size?: number): Promise<void> {
    ownBody(body);
    if (Buffer.isBuffer(body)) {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentLength: body.length,
        }),
      );
      return;
    }
    if (size !== undefined && size <= this.tuning.maxPartSize) {
      const checked = expectLength(body, size, `put of ${key}`);
      const command = new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: checked,
        ContentLength: size,
      });
      await abortOnBodyError(checked, (abortSignal) => this.client.send(command, { abortSignal }));
      return;
    }
    await this.putInParts(
      key,
      size === undefined ? body : expectLength(body, size, `put of ${key}`),
    );
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async *list(prefix: string): AsyncIterable<string> {
    let ContinuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken }),
      );
      for (const object of page.Contents ?? []) if (object.Key) yield object.Key;
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  async presignGet(key: string, expiresInSeconds: number): Promise<string | undefined> {
    if (!this.options.redirect) return undefined;
    return getSignedUrl(
      this.presignClient,
      new GetObjectCommand({ Bucket: this.bucket, Key: key }),
      {
        expiresIn: expiresInSeconds,
      },
    );
  }

  /**
   * Server side inside one S3 service, unless a digest is `expected`: proving one means
   * reading the bytes, so they are streamed through the proof instead (the caller trusts a
   * server-side copy by not asking for one).
   */
  async copyFrom(
    source: StorageDriver,
    sourceKey: string,
    key: string,
    options: CopyOptions = {},
  ): Promise<void> {
    const found = await source.stat(sourceKey);
    if (!found) throw new StorageNotFoundError(sourceKey);
    refuseWrongSize(sourceKey, found.size, options.size);
    const sameService = source instanceof S3StorageDriver && source.serviceId === this.serviceId;
    if (sameService && !options.expected) {
      try {
        const request = {
          source: { bucket: source.bucket, key: sourceKey },
          target: { bucket: this.bucket, key },
          size: found.size,
          wholeSource: true,
        };
        await copyS3Object(this.client, request, this.tuning.copy);
        options.onBytes?.(found.size);
        return;
      } catch (error) {
        // Our credentials may not read the other region's bucket; streaming through us still works.
        if (!isAccessDenied(error)) throw error;
      }
    }
    await this.put(key, verifiedCopy(await source.read(sourceKey), options), found.size);
  }

  async startUpload(uploadId: string): Promise<UploadState> {
    return this.uploads.start(uploadId);
  }

  appendUpload(
    uploadId: string,
    state: UploadState,
    body: Readable,
    size?: number,
  ): Promise<UploadState> {
    return this.uploads.append(uploadId, state, ownBody(body), size);
  }

  readUpload(uploadId: string, state: UploadState): Promise<Readable> {
    return this.uploads.read(uploadId, state);
  }

  completeUpload(uploadId: string, state: UploadState, key: string): Promise<void> {
    return this.uploads.complete(uploadId, state, key);
  }

  abortUpload(uploadId: string, state: UploadState): Promise<void> {
    return this.uploads.abort(uploadId, state);
  }

  /**
   * Multipart uploads of a `put` or a `copyFrom` (they go straight onto their key) begun
   * before `olderThan` and never completed: S3 keeps and bills their parts until aborted.
   * The multipart uploads of upload sessions (under `_uploads/`) belong to their sessions.
   */
  async sweepInterruptedWrites(olderThan: Date): Promise<number> {
    let removed = 0;
    let KeyMarker: string | undefined;
    let UploadIdMarker: string | undefined;
    do {
      const page = await this.client.send(
        new ListMultipartUploadsCommand({ Bucket: this.bucket, KeyMarker, UploadIdMarker }),
      );
      for (const { Key, UploadId, Initiated } of page.Uploads ?? []) {
        if (!Key || !UploadId || !Initiated || Key.startsWith(uploadsPrefix)) continue;
        if (Initiated.getTime() >= olderThan.getTime()) continue;
        try {
          await this.client.send(
            new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId }),
          );
          removed += 1;
        } catch (error) {
          // another process swept it first
          if (!isMissingMultipartUpload(error)) throw error;
        }
      }
      const more = page.IsTruncated === true;
      KeyMarker = more ? page.NextKeyMarker : undefined;
      UploadIdMarker = more ? page.NextUploadIdMarker : undefined;
    } while (KeyMarker !== undefined);
    return removed;
  }

  /** Closes the client's idle connections. */
  destroy(): void {
    this.client.destroy();
    if (this.presignClient !== this.client) this.presignClient.destroy();
  }

  /** A whole object of unknown (or over 5 GiB) length, as a multipart upload straight onto its key. */
  private async putInParts(key: string, body: Readable): Promise<void> {
    // A promise, not a value: parts upload concurrently and must share one multipart upload.
    let uploadId: Promise<string | undefined> | undefined;
    const createUpload = async () =>
      (await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key })))
        .UploadId;
    const parts: { PartNumber: number; ETag: string | undefined }[] = [];
    try {
      const result = await splitIntoParts(body, {
        partSize: this.tuning.partSize,
        minPartSize: this.tuning.minPartSize,
        maxInFlight: this.tuning.partsInFlight,
        uploadPart: async (bytes, index) => {
          uploadId ??= createUpload();
          const command = new UploadPartCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: await uploadId,
            PartNumber: index + 1,
            Body: bytes,
            ContentLength: bytes.length,
          });
          parts[index] = { PartNumber: index + 1, ETag: (await this.client.send(command)).ETag };
        },
      });
      if (result.kind === 'small') {
        await this.put(key, result.bytes);
        return;
      }
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: await uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    } catch (error) {
      const UploadId = await uploadId?.catch(() => undefined);
      if (UploadId) {
        const abort = new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId });
        await this.client.send(abort).catch(() => undefined);
      }
      throw error;
    }
  }
}

/**
 * The SDK's own logging: with no logger it warns on the console for every failed streaming
 * request (a client disconnecting mid-push), and with one it logs every failed command
 * (each expected 404 included). Failures reach us as rejections and are handled or
 * logged by the caller, once, so the SDK stays silent.
 */
const silentSdkLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

function createS3Client(options: S3StorageDriverOptions, endpoint: string | undefined): S3Client {
  // Keep-alive, and more sockets than the SDK's default 50: the gateway streams many blobs at once.
  const agentOptions = { keepAlive: true, maxSockets: 256 };
  return new S3Client({
    endpoint,
    region: options.region,
    forcePathStyle: options.forcePathStyle ?? true,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    logger: silentSdkLogger,
    requestHandler: {
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    },
  });
}
