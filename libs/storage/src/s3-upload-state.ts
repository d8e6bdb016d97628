/**
 * What the S3 driver keeps in `UploadState.driver` between chunks. The state travels through
 * the blob service's database and NATS, so it is parsed (zod) whenever it comes back.
 *
 * The bytes of an upload, in order, are: its multipart upload's parts, then its tail pieces.
 * - parts: S3 multipart upload of `_uploads/<uuid>/data`; all but the last part S3 will see
 *   are at least 5 MiB, which is why small chunks cannot become parts right away.
 * - tail: small objects `_uploads/<uuid>/tail-<end offset>`, each a chunk (or a merge of
 *   chunks) that would have made a too-small part; they go in front of the next part, or
 *   become the last part at completion. Together they stay under 5 MiB.
 */
import { z } from 'zod';
import { uploadPrefix } from './paths';
import type { UploadState } from './storage-driver';

const Part = z.object({
  partNumber: z.number().int().min(1).max(10_000),
  etag: z.string(),
  size: z.number().int().nonnegative(),
});
export type Part = z.infer<typeof Part>;

const TailPiece = z.object({ key: z.string(), size: z.number().int().positive() });
export type TailPiece = z.infer<typeof TailPiece>;

export const S3UploadDriverState = z.object({
  multipartUploadId: z.string().min(1).optional(),
  parts: z.array(Part).default([]),
  tail: z.array(TailPiece).default([]),
});
export type S3UploadDriverState = z.infer<typeof S3UploadDriverState>;

export function uploadDataKey(uploadId: string): string {
  return `${uploadPrefix(uploadId)}data`;
}

export function tailPieceKey(uploadId: string, endOffset: number): string {
  return `${uploadPrefix(uploadId)}tail-${endOffset}`;
}

export function sizeOfParts(state: S3UploadDriverState): number {
  return state.parts.reduce((sum, part) => sum + part.size, 0);
}

export function sizeOfTail(state: S3UploadDriverState): number {
  return state.tail.reduce((sum, piece) => sum + piece.size, 0);
}

/** Parses and checks a state handed back by a caller: its keys stay inside the session, its sizes add up. */
export function parseUploadState(uploadId: string, state: UploadState): S3UploadDriverState {
  const parsed = S3UploadDriverState.parse(state.driver);
  const prefix = uploadPrefix(uploadId);
  if (parsed.tail.some((piece) => !piece.key.startsWith(prefix))) {
    throw new Error(`upload state of ${uploadId} names objects outside its session`);
  }
  if (parsed.parts.length > 0 !== (parsed.multipartUploadId !== undefined)) {
    throw new Error(
      `upload state of ${uploadId} has parts without a multipart upload, or the reverse`,
    );
  }
  if (sizeOfParts(parsed) + sizeOfTail(parsed) !== state.size) {
    throw new Error(`upload state of ${uploadId} does not add up to its size ${state.size}`);
  }
  return parsed;
}

export function toUploadState(state: S3UploadDriverState): UploadState {
  return { size: sizeOfParts(state) + sizeOfTail(state), driver: state };
}
