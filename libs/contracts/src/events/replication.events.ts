/**
 * Events of geo-replication. "Ready in region X" means the manifest and everything it
 * references (every child of an index, every blob) can be pulled from X; X writes
 * `replication.completed.v1` then and only then. The origin region writes one at push time.
 * Webhooks of region X are driven by X's `replication.completed.v1`.
 */
import { Digest, RepositoryName, TagName } from '@meridian/oci';
import { z } from 'zod';
import { defineEvent } from '../define';
import { RegionId } from '../subjects';
import { EventEnvelope } from './envelope';

const ReplicatedImage = EventEnvelope.extend({
  repository: RepositoryName,
  digest: Digest,
  mediaType: z.string(),
  size: z.number().int().nonnegative(),
  tag: TagName.optional(),
  /** the region this event speaks for: where the image is (or failed to become) ready */
  region: RegionId,
  /** the region the image was pushed to */
  sourceRegion: RegionId,
  /** the `manifest.pushed.v1` event this is the outcome of */
  sourceEventId: z.uuid(),
  /** when the push committed in the source region */
  pushedAt: z.iso.datetime(),
});

export const replicationCompleted = defineEvent({
  name: 'replication.completed.v1',
  schema: ReplicatedImage.extend({
    /** from the push in the source region to ready here; 0 in the source region */
    lagMs: z.number().int().nonnegative(),
  }),
});
export type ReplicationCompleted = z.infer<typeof replicationCompleted.schema>;

/** An attempt failed; replication retries, so a later `replication.completed.v1` may follow. */
export const replicationFailed = defineEvent({
  name: 'replication.failed.v1',
  schema: ReplicatedImage.extend({
    error: z.string(),
    attempts: z.number().int().positive(),
  }),
});
export type ReplicationFailed = z.infer<typeof replicationFailed.schema>;

export const replicationEvents = [replicationCompleted, replicationFailed] as const;
