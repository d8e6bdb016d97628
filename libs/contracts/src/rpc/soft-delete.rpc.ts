/**
 * Soft delete (issue 14), answered by the manifest service: while the registry's setting is
 * on, every region keeps each manifest deleted from its copy (by a user, retention, purge, a
 * repository delete or a peer region's delete) restorable for `retentionDays`, listed and
 * restored with its tags through these RPCs.
 */
import { Digest, RepositoryName, TagName } from '@meridian/oci';
import { z } from 'zod';
import { defineRpc } from '../define';

/** ACR's bounds: at least a day, at most 90. Off with 7 days until set. */
export const SoftDeletePolicy = z.strictObject({
  enabled: z.boolean(),
  retentionDays: z.number().int().min(1).max(90),
});
export type SoftDeletePolicy = z.infer<typeof SoftDeletePolicy>;

/** A manifest this region deleted and still keeps restorable. */
export const DeletedManifest = z.object({
  digest: Digest,
  mediaType: z.string(),
  size: z.number().int().nonnegative(),
  /** the tags that pointed to it when it was deleted, in byte order */
  tags: z.array(TagName),
  deletedAt: z.iso.datetime(),
  /** after this the sweeper removes it for good */
  expiresAt: z.iso.datetime(),
});
export type DeletedManifest = z.infer<typeof DeletedManifest>;

export const softDeleteRpc = {
  /** The registry's soft delete setting. */
  setting: defineRpc({
    service: 'manifest',
    verb: 'soft-delete-setting',
    request: z.object({}),
    response: SoftDeletePolicy,
  }),
  /**
   * Sets it (emits `soft-delete-setting.changed.v1`, replicated). It applies to deletes made
   * from then on; turning it off keeps what is restorable already until it expires.
   */
  setSetting: defineRpc({
    service: 'manifest',
    verb: 'set-soft-delete-setting',
    request: SoftDeletePolicy,
    response: SoftDeletePolicy,
  }),
  /**
   * The repository's restorable manifests in digest order, after `last`, at most `n`.
   * NAME_UNKNOWN when the repository neither exists nor has anything restorable.
   */
  listDeleted: defineRpc({
    service: 'manifest',
    verb: 'list-deleted',
    request: z.object({
      repository: RepositoryName,
      n: z.number().int().positive().max(1000).optional(),
      last: z.string().optional(),
    }),
    response: z.object({
      repository: RepositoryName,
      manifests: z.array(DeletedManifest),
      more: z.boolean(),
    }),
  }),
  /**
   * Pushes the restorable manifest's bytes again, then its tags, each unless it was written
   * after the delete (re-pointed, or deleted again): the usual events go out, so the restore
   * replicates. MANIFEST_UNKNOWN when nothing of that digest is restorable here.
   */
  restore: defineRpc({
    service: 'manifest',
    verb: 'restore-deleted',
    request: z.object({ repository: RepositoryName, digest: Digest }),
    response: z.object({
      repository: RepositoryName,
      digest: Digest,
      mediaType: z.string(),
      size: z.number().int().nonnegative(),
      /** the tags restored */
      tags: z.array(TagName),
      /** the tags left as they are: written after the delete */
      skippedTags: z.array(TagName),
    }),
  }),
} as const;
