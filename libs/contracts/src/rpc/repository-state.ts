/**
 * What anti-entropy compares between regions (apps/replication anti-entropy/): per repository a
 * summary, a digest of its replicated state that two regions holding the same state compute
 * alike, and, where the summaries differ, that state itself. The replicated state of a
 * repository is its manifests, tags, tombstones and lock changes, each with the clock reading
 * that settles it; what each region keeps for itself (quarantine decisions, write histories,
 * restorable copies, usage) is not part of it.
 */
import { Digest, RepositoryName, TagName } from '@meridian/oci';
import { z } from 'zod';
import { Hlc } from '../hlc';
import { ChangeableAttributes } from './acr.rpc';

export const RepositorySummary = z.object({
  repository: RepositoryName,
  /** hex digest over the repository's replicated state, in a canonical order */
  summary: z.string(),
});
export type RepositorySummary = z.infer<typeof RepositorySummary>;

/** A registry-wide setting of the manifest service that replicates, with its clock reading. */
export const ReplicatedSetting = z.discriminatedUnion('name', [
  z.object({ name: z.literal('quarantine'), hlc: Hlc, enabled: z.boolean() }),
  z.object({
    name: z.literal('retention'),
    hlc: Hlc,
    enabled: z.boolean(),
    days: z.number().int().min(0).max(365),
  }),
  z.object({
    name: z.literal('soft-delete'),
    hlc: Hlc,
    enabled: z.boolean(),
    retentionDays: z.number().int().min(1).max(90),
  }),
]);
export type ReplicatedSetting = z.infer<typeof ReplicatedSetting>;

/** how many items of each kind one repository's state carries at most (see `truncated`) */
export const repositoryStateMaxItems = 5_000;

export const RepositoryState = z.object({
  repository: RepositoryName,
  /** the newest delete of the whole repository */
  deleted: Hlc.optional(),
  manifests: z.array(
    z.object({
      digest: Digest,
      /** the newest push of it the locks permit */
      hlc: Hlc,
      mediaType: z.string(),
      size: z.number().int().nonnegative(),
      references: z.object({
        blobs: z.array(z.object({ digest: Digest, size: z.number().int().nonnegative() })),
        manifests: z.array(Digest),
      }),
    }),
  ),
  tags: z.array(z.object({ name: TagName, digest: Digest, hlc: Hlc })),
  deletedManifests: z.array(z.object({ digest: Digest, hlc: Hlc })),
  /** `digest`: what the tag pointed to before its delete, when its history still says */
  deletedTags: z.array(z.object({ name: TagName, hlc: Hlc, digest: Digest.optional() })),
  locks: z.array(
    z.object({
      target: z.enum(['repository', 'tag', 'manifest']),
      /** the tag or the digest; '' for the repository */
      name: z.string(),
      attributes: ChangeableAttributes,
      hlc: Hlc,
    }),
  ),
  /** some kind held more than `repositoryStateMaxItems`; only the first ones are here */
  truncated: z.boolean(),
});
export type RepositoryState = z.infer<typeof RepositoryState>;
