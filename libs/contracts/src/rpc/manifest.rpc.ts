/**
 * RPCs of the manifest service: repositories, manifests, tags, referrers.
 * Manifest bodies (at most 4 MiB) travel base64-encoded; Meridian's nats-servers run with
 * an 8 MiB max_payload for that.
 */
import { Digest, RepositoryName, TagName } from '@meridian/oci';
import { z } from 'zod';
import { Descriptor, Page } from '../common';
import { defineRpc } from '../define';

/** A tag or a digest, as it appears in `/v2/<name>/manifests/<reference>`. */
export const Reference = z.union([TagName, Digest]);

export const ManifestInfo = z.object({
  digest: Digest,
  mediaType: z.string(),
  size: z.number().int().nonnegative(),
});
export type ManifestInfo = z.infer<typeof ManifestInfo>;

export const maxManifestBytes = 4 * 1024 * 1024;

export const manifestRpc = {
  /**
   * Validates and stores a manifest. `contentType` is the request's Content-Type; the
   * service checks it against the body's mediaType, checks that every referenced blob and
   * child manifest exists (MANIFEST_BLOB_UNKNOWN), and tags it when `reference` is a tag.
   */
  put: defineRpc({
    service: 'manifest',
    verb: 'put',
    request: z.object({
      repository: RepositoryName,
      reference: Reference,
      contentType: z.string().optional(),
      body: z.base64(),
    }),
    response: ManifestInfo.extend({ subject: Digest.optional() }),
  }),
  /** Resolves a tag or digest; MANIFEST_UNKNOWN (or NAME_UNKNOWN) when absent. */
  get: defineRpc({
    service: 'manifest',
    verb: 'get',
    request: z.object({
      repository: RepositoryName,
      reference: Reference,
      includeBody: z.boolean().default(true),
    }),
    response: ManifestInfo.extend({ body: z.base64().optional() }),
  }),
  /** By digest: deletes the manifest and every tag pointing to it. By tag: removes the tag. */
  delete: defineRpc({
    service: 'manifest',
    verb: 'delete',
    request: z.object({ repository: RepositoryName, reference: Reference }),
    response: z.object({}),
  }),
  /** Tags in lexical order, after `last`, at most `n`. NAME_UNKNOWN for an unknown repository. */
  tags: defineRpc({
    service: 'manifest',
    verb: 'tags',
    request: Page.extend({ repository: RepositoryName }),
    response: z.object({ name: RepositoryName, tags: z.array(TagName), more: z.boolean() }),
  }),
  /** Repositories in lexical order, after `last`, at most `n`. */
  catalog: defineRpc({
    service: 'manifest',
    verb: 'catalog',
    request: Page,
    response: z.object({ repositories: z.array(RepositoryName), more: z.boolean() }),
  }),
  /** Manifests whose `subject` is `digest` (the subject itself need not exist). */
  referrers: defineRpc({
    service: 'manifest',
    verb: 'referrers',
    request: z.object({
      repository: RepositoryName,
      digest: Digest,
      artifactType: z.string().optional(),
    }),
    response: z.object({ manifests: z.array(Descriptor) }),
  }),
  /** Deletes a repository: all its manifests and tags. NAME_UNKNOWN if it does not exist. */
  deleteRepository: defineRpc({
    service: 'manifest',
    verb: 'delete-repository',
    request: z.object({ repository: RepositoryName }),
    response: z.object({ deletedManifests: z.number().int().nonnegative() }),
  }),
} as const;
