/**
 * Where an upload or a blob is, as the distribution API says it: relative `Location`s
 * (the spec allows them, and they stay right behind any proxy whatever the Host was),
 * and the upload's progress as `Range: 0-<last byte received>`.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { UploadSession } from '@meridian/contracts';

export function uploadLocation(name: string, uploadId: string): string {
  return `/v2/${name}/blobs/uploads/${uploadId}`;
}

export function blobLocation(name: string, digest: string): string {
  return `/v2/${name}/blobs/${digest}`;
}

/**
 * Inclusive, so an empty upload has no true range; `0-0` is what distribution answers
 * there and what clients expect.
 */
export function uploadRange(offset: number): string {
  return `0-${Math.max(offset - 1, 0)}`;
}

export function uploadHeaders(
  name: string,
  session: Pick<UploadSession, 'uploadId' | 'offset'>,
): OutgoingHttpHeaders {
  return {
    location: uploadLocation(name, session.uploadId),
    range: uploadRange(session.offset),
    'docker-upload-uuid': session.uploadId,
  };
}
