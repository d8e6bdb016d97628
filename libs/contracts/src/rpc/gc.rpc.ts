/**
 * Garbage collection, per region: the blob service collects (it owns blob presence and the
 * store), asking the manifest service which blobs its manifests reference. A job runs on
 * demand (`POST /api/v1/gc`) or on the background schedule; one runs at a time per region.
 * docs/architecture.md, "Garbage collection", argues why it never frees a blob a push is
 * about to reference.
 */
import { Digest, RepositoryName } from '@meridian/oci';
import { z } from 'zod';
import { defineRpc } from '../define';

/** The most links or digests one `manifest.blob-references` question may name. */
export const maxReferenceQuestions = 10_000;

const BlobLink = z.object({ repository: RepositoryName, digest: Digest });
export type BlobLink = z.infer<typeof BlobLink>;

export const GcRequest = z.strictObject({ dryRun: z.boolean().default(false) });
export type GcRequest = z.infer<typeof GcRequest>;

export const GcStatus = z.enum(['running', 'succeeded', 'failed']);
export type GcStatus = z.infer<typeof GcStatus>;

const Count = z.number().int().nonnegative();

export const GcProgress = z.object({
  /** blobs of the store looked at so far */
  blobsExamined: Count,
  /** links of repositories to blobs no manifest of theirs references, removed (or, in a dry run, that would be) */
  linksRemoved: Count,
  /** blobs nothing references whose bytes were freed (or would be) */
  blobsFreed: Count,
  bytesFreed: Count,
  /** blobs a push or upload held while the job looked at them: left for the next run */
  blobsBusy: Count,
  /** unreferenced links still in their grace period (MERIDIAN_GC_GRACE_HOURS) */
  inGracePeriod: Count,
  /** upload sessions' leftover objects no session owned, removed */
  uploadLeftoversRemoved: Count,
});
export type GcProgress = z.infer<typeof GcProgress>;

export const GcJob = z.object({
  id: z.uuid(),
  status: GcStatus,
  dryRun: z.boolean(),
  /** `api`: asked for; `schedule`: the background collection */
  trigger: z.enum(['api', 'schedule']),
  createdTime: z.iso.datetime(),
  finishedTime: z.iso.datetime().optional(),
  /** why a failed job failed */
  error: z.string().optional(),
  progress: GcProgress,
});
export type GcJob = z.infer<typeof GcJob>;

export const gcRpc = {
  /**
   * Starts a collection; answers at once with the job. While one runs, its job is the answer
   * (`started: false`), never a second job.
   */
  start: defineRpc({
    service: 'blob',
    verb: 'gc-start',
    request: GcRequest,
    response: z.object({ job: GcJob, started: z.boolean() }),
  }),
  /** The job; RESOURCE_UNKNOWN for no such job. */
  get: defineRpc({
    service: 'blob',
    verb: 'gc-get',
    request: z.object({ id: z.uuid() }),
    response: GcJob,
  }),
  /**
   * Which of these links (a repository's manifests reference the blob) and digests (some
   * manifest of the region references it) are referenced, by stored manifests or by deleted
   * ones soft delete keeps restorable. Answered from a fresh snapshot: a manifest committed
   * before the question is seen.
   */
  references: defineRpc({
    service: 'manifest',
    verb: 'blob-references',
    request: z.object({
      links: z.array(BlobLink).max(maxReferenceQuestions),
      digests: z.array(Digest).max(maxReferenceQuestions),
    }),
    response: z.object({ links: z.array(BlobLink), digests: z.array(Digest) }),
  }),
} as const;
