/**
 * Events of the core registry: written to the outbox in the transaction that makes the
 * change, published by the relay to the region's stream. Replication, webhooks and
 * scanning consume them.
 */
import { Digest, RepositoryName, TagName } from '@meridian/oci';
import { z } from 'zod';
import { defineEvent } from '../define';
import { ChangeableAttributes } from '../rpc/acr.rpc';
import { EventEnvelope } from './envelope';

export const manifestPushed = defineEvent({
  name: 'manifest.pushed.v1',
  schema: EventEnvelope.extend({
    repository: RepositoryName,
    digest: Digest,
    mediaType: z.string(),
    size: z.number().int().nonnegative(),
    tag: TagName.optional(),
    artifactType: z.string().optional(),
    subject: Digest.optional(),
    /**
     * The manifest's bytes, base64 (at most 4 MiB): other regions apply the push from the
     * event alone, without asking the origin region, which may be unreachable by then.
     */
    body: z.base64(),
    /** what must be present for the manifest to be pullable: its blobs and child manifests */
    references: z.object({
      blobs: z.array(z.object({ digest: Digest, size: z.number().int().nonnegative() })),
      manifests: z.array(Digest),
    }),
    /**
     * quarantined at this push (the registry's quarantine setting was on): other regions store
     * it quarantined in the same transaction as the manifest, never pullable before a decision
     */
    quarantined: z.boolean().optional(),
  }),
});
export type ManifestPushed = z.infer<typeof manifestPushed.schema>;

export const manifestDeleted = defineEvent({
  name: 'manifest.deleted.v1',
  schema: EventEnvelope.extend({
    repository: RepositoryName,
    digest: Digest,
    /** tags that pointed to the manifest and went with it */
    tags: z.array(TagName),
  }),
});
export type ManifestDeleted = z.infer<typeof manifestDeleted.schema>;

export const tagUpdated = defineEvent({
  name: 'tag.updated.v1',
  schema: EventEnvelope.extend({
    repository: RepositoryName,
    tag: TagName,
    digest: Digest,
    mediaType: z.string(),
    previousDigest: Digest.optional(),
  }),
});
export type TagUpdated = z.infer<typeof tagUpdated.schema>;

export const tagDeleted = defineEvent({
  name: 'tag.deleted.v1',
  schema: EventEnvelope.extend({ repository: RepositoryName, tag: TagName, digest: Digest }),
});
export type TagDeleted = z.infer<typeof tagDeleted.schema>;

export const repositoryDeleted = defineEvent({
  name: 'repository.deleted.v1',
  schema: EventEnvelope.extend({ repository: RepositoryName }),
});
export type RepositoryDeleted = z.infer<typeof repositoryDeleted.schema>;

/**
 * The changeable attributes (locks) of a repository, or of a tag or manifest in it when
 * `tag` or `digest` is given, changed: the whole set after the change. Every region applies
 * it by clock reading (the newest change wins), and no write the lock refuses that is newer
 * than it stays visible in any region.
 */
export const lockChanged = defineEvent({
  name: 'lock.changed.v1',
  schema: EventEnvelope.extend({
    repository: RepositoryName,
    tag: TagName.optional(),
    digest: Digest.optional(),
    attributes: ChangeableAttributes,
  }),
});
export type LockChanged = z.infer<typeof lockChanged.schema>;

export const blobUploaded = defineEvent({
  name: 'blob.uploaded.v1',
  schema: EventEnvelope.extend({
    repository: RepositoryName,
    digest: Digest,
    size: z.number().int().nonnegative(),
    /** linked from another repository instead of uploaded */
    mountedFrom: RepositoryName.optional(),
  }),
});
export type BlobUploaded = z.infer<typeof blobUploaded.schema>;

export const blobDeleted = defineEvent({
  name: 'blob.deleted.v1',
  schema: EventEnvelope.extend({ repository: RepositoryName, digest: Digest }),
});
export type BlobDeleted = z.infer<typeof blobDeleted.schema>;

/**
 * Usage of a quota reached 80 or 100 percent in the origin region: the region's store
 * (`MERIDIAN_STORAGE_QUOTA_BYTES`) or one repository's (set through the management API).
 * Announced once per crossing: usage must fall back below the threshold to be announced again.
 */
export const usageThreshold = defineEvent({
  name: 'usage.threshold.v1',
  schema: EventEnvelope.extend({
    quota: z.enum(['registry', 'repository']),
    /** the repository whose quota it is; absent for the registry's */
    repository: RepositoryName.optional(),
    threshold: z.union([z.literal(80), z.literal(100)]),
    usedBytes: z.number().int().nonnegative(),
    quotaBytes: z.number().int().nonnegative(),
  }),
});
export type UsageThreshold = z.infer<typeof usageThreshold.schema>;

/**
 * The registry's retention policy for untagged manifests (ACR's) changed: while enabled, each
 * region deletes the manifests of its own copy that have had no tag for longer than `days`.
 * Replicated; the newest change (by clock reading) wins in every region.
 */
export const retentionSettingChanged = defineEvent({
  name: 'retention-setting.changed.v1',
  schema: EventEnvelope.extend({
    enabled: z.boolean(),
    days: z.number().int().min(0).max(365),
  }),
});
export type RetentionSettingChanged = z.infer<typeof retentionSettingChanged.schema>;

/**
 * The registry's soft delete setting changed: while enabled, each region keeps every manifest
 * deleted from its copy restorable for `retentionDays`. Replicated; the newest change (by
 * clock reading) wins in every region.
 */
export const softDeleteSettingChanged = defineEvent({
  name: 'soft-delete-setting.changed.v1',
  schema: EventEnvelope.extend({
    enabled: z.boolean(),
    retentionDays: z.number().int().min(1).max(90),
  }),
});
export type SoftDeleteSettingChanged = z.infer<typeof softDeleteSettingChanged.schema>;

export const registryEvents = [
  manifestPushed,
  manifestDeleted,
  tagUpdated,
  tagDeleted,
  repositoryDeleted,
  lockChanged,
  blobUploaded,
  blobDeleted,
  usageThreshold,
  retentionSettingChanged,
  softDeleteSettingChanged,
] as const;
