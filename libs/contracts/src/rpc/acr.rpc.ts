/**
 * RPCs behind ACR's data-plane reads (`/acr/v1/…`), answered by the manifest service: a
 * repository's attributes, its tags and manifests with their times, sizes and platforms.
 * Listings are ordered by name, or by last update (`timedesc`, `timeasc`) with `last` a
 * name as in ACR, and read one page at a time from indexes, so a repository of many
 * thousand tags costs one page per request; items whose `listEnabled` is false are left out
 * of listings. NAME_UNKNOWN for an unknown repository, MANIFEST_UNKNOWN for an unknown tag or
 * digest.
 */
import { Digest, RepositoryName, TagName } from '@meridian/oci';
import { z } from 'zod';
import { Page } from '../common';
import { defineRpc } from '../define';

export const AcrOrderBy = z.enum(['name', 'timedesc', 'timeasc']);
export type AcrOrderBy = z.infer<typeof AcrOrderBy>;

/**
 * ACR's changeable attributes: the locks of a repository, a tag or a manifest. `false` locks:
 * writeEnabled refuses pushes that would change the item (a new manifest into the
 * repository, re-pointing the tag) and deleting it; deleteEnabled refuses every delete of it;
 * readEnabled refuses pulls; listEnabled hides it from listings (not from a read by name).
 * A repository's attributes apply to everything it holds.
 */
export const ChangeableAttributes = z.object({
  deleteEnabled: z.boolean(),
  writeEnabled: z.boolean(),
  readEnabled: z.boolean(),
  listEnabled: z.boolean(),
});
export type ChangeableAttributes = z.infer<typeof ChangeableAttributes>;

/** What a PATCH sets: at least one attribute, no other field. */
export const ChangeableAttributesPatch = ChangeableAttributes.partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'name at least one attribute');
export type ChangeableAttributesPatch = z.infer<typeof ChangeableAttributesPatch>;

/** What a lock is set on: the repository, one of its tags, or one of its manifests. */
export const LockTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('repository') }),
  z.object({ kind: z.literal('tag'), tag: TagName }),
  z.object({ kind: z.literal('manifest'), digest: Digest }),
]);
export type LockTarget = z.infer<typeof LockTarget>;

export const AcrRepositoryInfo = z.object({
  name: RepositoryName,
  createdTime: z.iso.datetime(),
  lastUpdateTime: z.iso.datetime(),
  manifestCount: z.number().int().nonnegative(),
  tagCount: z.number().int().nonnegative(),
  changeableAttributes: ChangeableAttributes,
});
export type AcrRepositoryInfo = z.infer<typeof AcrRepositoryInfo>;

export const AcrTagInfo = z.object({
  name: TagName,
  digest: Digest,
  createdTime: z.iso.datetime(),
  lastUpdateTime: z.iso.datetime(),
  /** whether a signature (a referrer of a signature artifact type) refers to its manifest */
  signed: z.boolean(),
  changeableAttributes: ChangeableAttributes,
});
export type AcrTagInfo = z.infer<typeof AcrTagInfo>;

export const AcrPlatformChild = z.object({
  digest: Digest,
  architecture: z.string().optional(),
  os: z.string().optional(),
});

export const AcrManifestInfo = z.object({
  digest: Digest,
  imageSize: z.number().int().nonnegative(),
  createdTime: z.iso.datetime(),
  lastUpdateTime: z.iso.datetime(),
  mediaType: z.string(),
  /** an image's config, whose platform (architecture, os) the gateway reads from its store */
  config: z.object({ digest: Digest, mediaType: z.string(), size: z.number().int() }).optional(),
  /** an index's children with their platforms */
  references: z.array(AcrPlatformChild).optional(),
  tags: z.array(TagName),
  quarantineState: z.enum(['Quarantined', 'Passed', 'Failed']).optional(),
  changeableAttributes: ChangeableAttributes,
});
export type AcrManifestInfo = z.infer<typeof AcrManifestInfo>;

const Listing = Page.extend({ repository: RepositoryName, orderby: AcrOrderBy.default('name') });

export const acrRpc = {
  repository: defineRpc({
    service: 'manifest',
    verb: 'acr-repository',
    request: z.object({ repository: RepositoryName }),
    response: AcrRepositoryInfo,
  }),
  /** Tags after `last` in `orderby` order, only those on `digest` when it is given. */
  tags: defineRpc({
    service: 'manifest',
    verb: 'acr-tags',
    request: Listing.extend({ digest: Digest.optional() }),
    response: z.object({ tags: z.array(AcrTagInfo), more: z.boolean() }),
  }),
  tag: defineRpc({
    service: 'manifest',
    verb: 'acr-tag',
    request: z.object({ repository: RepositoryName, tag: TagName }),
    response: AcrTagInfo,
  }),
  /** Manifests after `last` (a digest) in `orderby` order (by time: by push time). */
  manifests: defineRpc({
    service: 'manifest',
    verb: 'acr-manifests',
    request: Listing,
    response: z.object({ manifests: z.array(AcrManifestInfo), more: z.boolean() }),
  }),
  manifest: defineRpc({
    service: 'manifest',
    verb: 'acr-manifest',
    request: z.object({ repository: RepositoryName, digest: Digest }),
    response: AcrManifestInfo,
  }),
  /**
   * Sets some of the target's changeable attributes (ACR's PATCH), stamped with a clock
   * reading and announced by `lock.changed.v1` with the whole set, which every region
   * applies: the newest change wins. Answers the whole set after the change. NAME_UNKNOWN /
   * MANIFEST_UNKNOWN when the target does not exist.
   */
  updateAttributes: defineRpc({
    service: 'manifest',
    verb: 'acr-update-attributes',
    request: z.object({
      repository: RepositoryName,
      target: LockTarget,
      attributes: ChangeableAttributesPatch,
    }),
    response: ChangeableAttributes,
  }),
} as const;
