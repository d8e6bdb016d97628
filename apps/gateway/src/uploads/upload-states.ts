/**
 * Upload sessions the gateway opens on its own. A plain POST (no `?digest=`, no `?mount=`)
 * asks nothing of the blob service: the gateway picks the session's id and hands the client
 * a Location whose `_state` says, under an HMAC of the gateway's upload state key
 * (MERIDIAN_UPLOAD_STATE_KEY), which repository the session belongs to and when it was
 * opened. The session exists in the blob service only once a chunk needs a place in the
 * store (its first PATCH); a monolithic PUT, what most pushes of a small blob are, ends it
 * without it ever having been written down. The same idea as distribution's `_state`.
 *
 * Whoever holds the key can open sessions, so every gateway of a region takes the same key.
 * A `_state` that does not verify (another key, another repository or id, a forgery) is
 * ignored: the request goes on as for a session the blob service keeps, which it knows or
 * answers BLOB_UPLOAD_UNKNOWN.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { DeferredUpload } from '@meridian/contracts';

/** What `_state` proves about a session: the time the gateway opened it. */
export interface VerifiedUploadState {
  deferred: DeferredUpload;
  /** `_state` as it came, for the Locations of the answers */
  token: string;
}

/** The query parameter of an upload's Location that holds its state. */
export const uploadStateParam = '_state';

/** Bytes of the HMAC kept in a `_state`: 128 bits. */
const macBytes = 16;

export class UploadStates {
  private readonly key: Buffer | undefined;

  /** Without a key, the gateway opens no session itself: the blob service opens them all. */
  constructor(key: string | undefined) {
    this.key = key === undefined ? undefined : Buffer.from(key, 'utf8');
  }

  /** A new session: its id, and its `_state` with what it proves; undefined without a key. */
  open(
    repository: string,
    now = Date.now(),
  ): (VerifiedUploadState & { uploadId: string }) | undefined {
    if (!this.key) return undefined;
    const uploadId = randomUUID();
    const openedAt = now.toString(36);
    return {
      uploadId,
      token: `${openedAt}.${mac(this.key, repository, uploadId, openedAt)}`,
      deferred: { startedAt: new Date(now).toISOString() },
    };
  }

  /** What `token` proves about `uploadId` of `repository`; undefined when it proves nothing. */
  verify(
    repository: string,
    uploadId: string,
    token: string | undefined,
  ): VerifiedUploadState | undefined {
    if (!this.key || token === undefined) return undefined;
    // at most nine base-36 digits: every such time is a date of four-digit year (36^9 ms: 5188)
    const match = /^([0-9a-z]{1,9})\.([A-Za-z0-9_-]{22})$/.exec(token);
    if (!match) return undefined;
    const [, openedAt, given] = match as unknown as [string, string, string];
    const expected = Buffer.from(mac(this.key, repository, uploadId, openedAt), 'base64url');
    if (!timingSafeEqual(expected, Buffer.from(given, 'base64url'))) return undefined;
    const startedAt = new Date(parseInt(openedAt, 36)).toISOString();
    return { deferred: { startedAt }, token };
  }
}

function mac(key: Buffer, repository: string, uploadId: string, openedAt: string): string {
  return createHmac('sha256', key)
    .update(`meridian upload\n${repository}\n${uploadId}\n${openedAt}`)
    .digest()
    .subarray(0, macBytes)
    .toString('base64url');
}
