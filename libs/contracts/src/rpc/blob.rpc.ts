/**
 * RPCs of the blob service: upload sessions, blob presence per repository, mounts.
 * Blob bytes travel here only as the whole body of a small PUT (`upload-put`, at most
 * `maxUploadPutBytes`, base64); otherwise the gateway streams them between client and
 * store with the storage driver, and tells the blob service where a session stands.
 */
import { z } from 'zod';
import { Digest, RepositoryName } from '../common';
import { defineRpc } from '../define';

export const UploadId = z.uuid();

/** A storage driver's resumable-upload state, opaque to everyone but the driver. */
export const UploadState = z.object({
  size: z.number().int().nonnegative(),
  driver: z.record(z.string(), z.unknown()),
});
export type UploadState = z.infer<typeof UploadState>;

/**
 * The longest PUT body the gateway hands to the blob service whole (`upload-put`), rather
 * than streaming it into the store itself: a small blob's push then costs one RPC, not two.
 */
export const maxUploadPutBytes = 64 * 1024;

export const BlobInfo = z.object({ digest: Digest, size: z.number().int().nonnegative() });
export type BlobInfo = z.infer<typeof BlobInfo>;

export const UploadSession = z.object({
  uploadId: UploadId,
  repository: RepositoryName,
  /** bytes received so far (the next chunk must start here) */
  offset: z.number().int().nonnegative(),
  state: UploadState,
  startedAt: z.string(),
});
export type UploadSession = z.infer<typeof UploadSession>;

/**
 * A session the gateway opened on its own (apps/gateway upload-states.ts) and vouches for:
 * the blob service has no row of it until its first chunk, and takes it as an empty session
 * opened at `startedAt` while it has not ended or expired.
 */
export const DeferredUpload = z.object({ startedAt: z.iso.datetime() });
export type DeferredUpload = z.infer<typeof DeferredUpload>;

export const QuotaBytes = z.number().int().nonnegative();

export const RepositoryQuota = z.object({
  repository: RepositoryName,
  bytes: QuotaBytes.nullable(),
});
export type RepositoryQuota = z.infer<typeof RepositoryQuota>;

export const StoreUsage = z.object({
  bytes: z.number().int().nonnegative(),
  blobs: z.number().int().nonnegative(),
  /** MERIDIAN_STORAGE_QUOTA_BYTES, when set */
  quotaBytes: QuotaBytes.optional(),
  repositories: z.array(
    z.object({
      repository: RepositoryName,
      /** the blobs uploaded, mounted or linked into it, each once: what its quota measures */
      bytes: z.number().int().nonnegative(),
      blobs: z.number().int().nonnegative(),
      quotaBytes: QuotaBytes.optional(),
    }),
  ),
});
export type StoreUsage = z.infer<typeof StoreUsage>;

export const blobRpc = {
  /** Is this blob visible in this repository, and how big is it? BLOB_UNKNOWN if not. */
  stat: defineRpc({
    service: 'blob',
    verb: 'stat',
    request: z.object({ repository: RepositoryName, digest: Digest }),
    response: BlobInfo,
  }),
  /** Which of these blobs does the repository see (for manifest validation)? */
  statMany: defineRpc({
    service: 'blob',
    verb: 'stat-many',
    request: z.object({ repository: RepositoryName, digests: z.array(Digest).max(100_000) }),
    response: z.object({ found: z.array(BlobInfo) }),
  }),
  /** Unlinks a blob from a repository; BLOB_UNKNOWN if it was not there. */
  delete: defineRpc({
    service: 'blob',
    verb: 'delete',
    request: z.object({ repository: RepositoryName, digest: Digest }),
    response: z.object({}),
  }),
  /**
   * Starts an upload session, or mounts a blob the registry already has:
   * with `mount.from`, only if that repository sees it; without, if any repository does.
   */
  uploadStart: defineRpc({
    service: 'blob',
    verb: 'upload-start',
    request: z.object({
      repository: RepositoryName,
      mount: z.object({ digest: Digest, from: RepositoryName.optional() }).optional(),
      /**
       * The blob's size and digest when the client said them (a monolithic POST): the quotas
       * are checked before any byte is taken. DENIED when the upload would pass one.
       */
      expected: z
        .object({ size: z.number().int().nonnegative(), digest: Digest.optional() })
        .optional(),
    }),
    response: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('mounted'), blob: BlobInfo }),
      z.object({ kind: z.literal('session'), session: UploadSession }),
    ]),
  }),
  /** The session, if it belongs to this repository and has not expired; BLOB_UPLOAD_UNKNOWN otherwise. */
  uploadGet: defineRpc({
    service: 'blob',
    verb: 'upload-get',
    request: z.object({
      repository: RepositoryName,
      uploadId: UploadId,
      deferred: DeferredUpload.optional(),
      /** a deferred session is about to take bytes: give it its place in the store and its row */
      open: z.boolean().optional(),
    }),
    response: UploadSession,
  }),
  /**
   * Records that the gateway appended bytes. Fails with RANGE_INVALID when the session no
   * longer stands at `fromOffset` (a concurrent or replayed chunk).
   */
  uploadAdvance: defineRpc({
    service: 'blob',
    verb: 'upload-advance',
    request: z.object({
      repository: RepositoryName,
      uploadId: UploadId,
      fromOffset: z.number().int().nonnegative(),
      state: UploadState,
    }),
    response: UploadSession,
  }),
  /**
   * Closes a session whose bytes the gateway verified against `digest`: moves them to the
   * blob's content-addressed place, links the blob to the repository, ends the session.
   * DENIED, changing nothing, when the blob would take the store or the repository past its
   * quota.
   */
  uploadComplete: defineRpc({
    service: 'blob',
    verb: 'upload-complete',
    request: z.object({
      repository: RepositoryName,
      uploadId: UploadId,
      digest: Digest,
      state: UploadState,
      deferred: DeferredUpload.optional(),
    }),
    response: BlobInfo,
  }),
  /**
   * A PUT `?digest=` whose whole body (at most `maxUploadPutBytes`) came with the request, in
   * one RPC instead of `upload-get` then `upload-complete`. When the session stands at 0 the
   * service checks the body against `digest` (DIGEST_INVALID, the session cancelled, nothing
   * stored), writes it to the blob's key and completes the session as `upload-complete`
   * does: `blob`. When earlier chunks are in the session it changes nothing and answers the
   * session, as `upload-get` would: the gateway then appends the body itself (it holds the
   * running hash of those chunks). BLOB_UPLOAD_UNKNOWN as `upload-get`.
   */
  uploadPut: defineRpc({
    service: 'blob',
    verb: 'upload-put',
    request: z.object({
      repository: RepositoryName,
      uploadId: UploadId,
      digest: Digest,
      body: z.base64().max(Math.ceil(maxUploadPutBytes / 3) * 4),
      deferred: DeferredUpload.optional(),
    }),
    response: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('blob'), blob: BlobInfo }),
      z.object({ kind: z.literal('session'), session: UploadSession }),
    ]),
  }),
  /** Cancels a session and removes its bytes. */
  uploadCancel: defineRpc({
    service: 'blob',
    verb: 'upload-cancel',
    request: z.object({
      repository: RepositoryName,
      uploadId: UploadId,
      deferred: DeferredUpload.optional(),
    }),
    response: z.object({}),
  }),
  /**
   * Links a blob whose bytes are already at their content-addressed place in this region's
   * store to a repository (replication copied them there). The service checks the stored
   * size; BLOB_UNKNOWN when the bytes are absent. Writes no registry event.
   */
  link: defineRpc({
    service: 'blob',
    verb: 'link',
    request: z.object({
      repository: RepositoryName,
      digest: Digest,
      size: z.number().int().nonnegative(),
    }),
    response: BlobInfo,
  }),
  /**
   * This region's store: bytes and count of its blobs (each counted once), and per
   * repository the bytes and count of the blobs it sees, with its quota. Read from running
   * totals, never from the store.
   */
  usage: defineRpc({
    service: 'blob',
    verb: 'usage',
    request: z.object({}),
    response: StoreUsage,
  }),
  /** A repository's quota in this region; `bytes` null when none is set. */
  quotaGet: defineRpc({
    service: 'blob',
    verb: 'quota-get',
    request: z.object({ repository: RepositoryName }),
    response: RepositoryQuota,
  }),
  /** Sets (or with null, removes) a repository's quota in this region. */
  quotaPut: defineRpc({
    service: 'blob',
    verb: 'quota-put',
    request: RepositoryQuota,
    response: RepositoryQuota,
  }),
} as const;
