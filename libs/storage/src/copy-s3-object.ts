/**
 * Server-side copy within one S3 endpoint. CopyObject takes whole objects up to 5 GiB;
 * larger objects, and copies of only the first bytes of an object, are done as a multipart
 * upload whose parts are UploadPartCopy ranges of the source.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  type S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';

export interface S3Location {
  bucket: string;
  key: string;
}

export interface CopyS3ObjectOptions {
  /** Largest object a single CopyObject may copy (S3: 5 GiB). */
  maxCopyObjectSize: number;
  /** Range size of each UploadPartCopy in a multipart copy (S3: 5 MiB to 5 GiB). */
  copyPartSize: number;
  /** UploadPartCopy requests in flight at once. */
  copyConcurrency?: number;
}

export interface CopyS3ObjectRequest {
  source: S3Location;
  target: S3Location;
  /** Bytes to copy, from the start of the source. */
  size: number;
  /** False when the source is longer than `size` and only its first `size` bytes are wanted. */
  wholeSource: boolean;
}

export async function copyS3Object(
  client: S3Client,
  request: CopyS3ObjectRequest,
  options: CopyS3ObjectOptions,
): Promise<void> {
  const { source, target, size } = request;
  const copySource = copySourceOf(source);
  if (request.wholeSource && size <= options.maxCopyObjectSize) {
    await client.send(
      new CopyObjectCommand({ Bucket: target.bucket, Key: target.key, CopySource: copySource }),
    );
    return;
  }
  const { UploadId } = await client.send(
    new CreateMultipartUploadCommand({ Bucket: target.bucket, Key: target.key }),
  );
  try {
    const ranges = consecutiveRanges(size, options.copyPartSize);
    const etags = new Map<number, string>();
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (!failed && next < ranges.length) {
        const partNumber = next + 1;
        const range = ranges[next++]!;
        const { CopyPartResult } = await client.send(
          new UploadPartCopyCommand({
            Bucket: target.bucket,
            Key: target.key,
            UploadId,
            PartNumber: partNumber,
            CopySource: copySource,
            CopySourceRange: `bytes=${range.start}-${range.end}`,
          }),
        );
        etags.set(partNumber, CopyPartResult?.ETag ?? '');
      }
    };
    const stopOthersOnFailure = (error: unknown) => {
      failed = true;
      throw error;
    };
    const workers = Math.min(options.copyConcurrency ?? 4, ranges.length);
    await Promise.all(Array.from({ length: workers }, () => worker().catch(stopOthersOnFailure)));
    const parts = ranges.map((_, index) => ({ PartNumber: index + 1, ETag: etags.get(index + 1) }));
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: target.bucket,
        Key: target.key,
        UploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
  } catch (error) {
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, UploadId }))
      .catch(() => undefined);
    throw error;
  }
}

/** Inclusive byte ranges of `partSize` covering `[0, size)`, the last one shorter. */
export function consecutiveRanges(
  size: number,
  partSize: number,
): { start: number; end: number }[] {
  const ranges: { start: number; end: number }[] = [];
  for (let start = 0; start < size; start += partSize)
    ranges.push({ start, end: Math.min(start + partSize, size) - 1 });
  return ranges;
}

/**
 * Inclusive byte ranges covering `[0, size)`, none longer than `maxPartSize`, of equal
 * length give or take a byte: so no range but the last is short, and none is under S3's
 * 5 MiB minimum as long as `size` itself is not.
 */
export function evenRanges(size: number, maxPartSize: number): { start: number; end: number }[] {
  const count = Math.max(1, Math.ceil(size / maxPartSize));
  const base = Math.floor(size / count);
  const longer = size % count;
  const ranges: { start: number; end: number }[] = [];
  let start = 0;
  for (let index = 0; index < count; index++) {
    const length = base + (index < longer ? 1 : 0);
    ranges.push({ start, end: start + length - 1 });
    start += length;
  }
  return ranges;
}

/** `bucket/key` with the key URL-encoded segment by segment, as x-amz-copy-source expects. */
export function copySourceOf(source: S3Location): string {
  return `${source.bucket}/${source.key.split('/').map(encodeURIComponent).join('/')}`;
}
