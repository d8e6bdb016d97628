/**
 * Scrub (zot's `scrub`), answered by the blob service: a job that re-reads every blob this
 * region's store holds (or, with `repository`, the blobs that repository sees), at a bounded
 * rate, and checks each against its digest and size. A blob whose bytes are gone is
 * `missing`, one whose bytes hash to anything else `corrupt`; with `repair` (the default)
 * each is copied over from a peer region whose copy verifies, and checked again here.
 *
 * One job runs at a time per region: starting one while another is queued or running
 * answers with that job instead of a second.
 */
import { Digest, RepositoryName } from '@meridian/oci';
import { z } from 'zod';
import { defineRpc } from '../define';
import { RegionId } from '../subjects';

export const ScrubRequest = z.strictObject({
  /** only the blobs this repository sees */
  repository: RepositoryName.optional(),
  repair: z.boolean().default(true),
});
export type ScrubRequest = z.infer<typeof ScrubRequest>;

export const ScrubState = z.enum(['queued', 'running', 'succeeded', 'failed']);
export type ScrubState = z.infer<typeof ScrubState>;

/**
 * A blob found wrong: what was wrong (`problem`, with `found` saying what the store held) and
 * what was done: `repaired` from `region`, `unrepairable` (no peer had an intact copy, or the
 * copy failed: `detail` says which), or `reported` when the job was asked not to repair.
 */
export const ScrubItem = z.object({
  digest: Digest,
  size: z.number().int().nonnegative(),
  problem: z.enum(['corrupt', 'missing']),
  found: z.string(),
  action: z.enum(['repaired', 'unrepairable', 'reported']),
  region: RegionId.optional(),
  detail: z.string(),
});
export type ScrubItem = z.infer<typeof ScrubItem>;

const Count = z.number().int().nonnegative();

export const ScrubJob = z.object({
  id: z.uuid(),
  state: ScrubState,
  request: ScrubRequest,
  createdTime: z.iso.datetime(),
  finishedTime: z.iso.datetime().optional(),
  /** why a failed job failed */
  error: z.string().optional(),
  /** checked so far, of the blobs (and their bytes) the job found when it began */
  progress: z.object({
    blobsChecked: Count,
    blobsTotal: Count,
    bytesChecked: Count,
    bytesTotal: Count,
  }),
  counts: z.object({
    ok: Count,
    corrupt: Count,
    missing: Count,
    repaired: Count,
    unrepairable: Count,
  }),
  items: z.array(ScrubItem),
});
export type ScrubJob = z.infer<typeof ScrubJob>;

export const scrubRpc = {
  /**
   * Starts a job, or answers with the one already queued or running; the work goes on in the
   * blob service.
   */
  start: defineRpc({
    service: 'blob',
    verb: 'scrub-start',
    request: ScrubRequest,
    response: ScrubJob,
  }),
  /** The job with the items found so far; RESOURCE_UNKNOWN for no such job. */
  get: defineRpc({
    service: 'blob',
    verb: 'scrub-get',
    request: z.object({ id: z.uuid() }),
    response: ScrubJob,
  }),
} as const;
