/**
 * Where an upload or a blob is, as the distribution API says it: relative `Location`s
 * (the spec allows them, and they stay right behind any proxy whatever the Host was),
 * and the upload's progress as `Range: 0-<last byte received>`.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { UploadSession } from '@meridian/contracts';
import { uploadStateParam } from './upload-states';

/** `state`: the `_state` of a session the gateway opened (upload-states.ts), kept in every Location */
export function uploadLocation(name: string, uploadId: string, state?: string): string {
  const location = `/v2/${name}/blobs/uploads/${uploadId}`;
  return state === undefined ? location : `${location}?${uploadStateParam}=${state}`;
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
  state?: string,
): OutgoingHttpHeaders {
  return {
    location: uploadLocation(name, session.uploadId, state),
    range: uploadRange(session.offset),
    'docker-upload-uuid': session.uploadId,
  };
}
