/**
 * RPCs of the manifest service: repositories, manifests, tags, referrers.
 * Manifest bodies (at most 4 MiB) travel base64-encoded; Meridian's nats-servers run with
 * an 8 MiB max_payload for that.
 */
import { Digest, RepositoryName, TagName } from '@meridian/oci';
import { z } from 'zod';
import { Descriptor, Page } from '../common';
import { defineRpc } from '../define';
import { ApplyOutcome } from '../hlc';
import { RepositoryPattern } from './auth.rpc';
import { ReplicatedSetting, RepositoryState, RepositorySummary } from './repository-state';
import {
  lockChanged,
  manifestDeleted,
  manifestPushed,
  repositoryDeleted,
  retentionSettingChanged,
  softDeleteSettingChanged,
  tagDeleted,
  tagUpdated,
} from '../events/registry.events';
import { quarantineChanged, quarantineSettingChanged } from '../events/scan.events';

/** A tag or a digest, as it appears in `/v2/<name>/manifests/<reference>`. */
export const Reference = z.union([TagName, Digest]);

export const ManifestInfo = z.object({
  digest: Digest,
  mediaType: z.string(),
  size: z.number().int().nonnegative(),
});
export type ManifestInfo = z.infer<typeof ManifestInfo>;

/** ACR's retention policy for untagged manifests; off with 7 days until set. */
export const RetentionPolicy = z.strictObject({
  enabled: z.boolean(),
  days: z.number().int().min(0).max(365),
});
export type RetentionPolicy = z.infer<typeof RetentionPolicy>;

export const maxManifestBytes = 4 * 1024 * 1024;

export const RepositoryUsage = z.object({
  repository: RepositoryName,
  /** the distinct blobs (configs and layers) its manifests reference, each counted once */
  sizeBytes: z.number().int().nonnegative(),
  manifestCount: z.number().int().nonnegative(),
  tagCount: z.number().int().nonnegative(),
});
export type RepositoryUsage = z.infer<typeof RepositoryUsage>;

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
    response: ManifestInfo.extend({
      body: z.base64().optional(),
      /** absent when the manifest was never quarantined; the gateway blocks pulls by it */
      quarantine: z.enum(['quarantined', 'passed', 'failed']).optional(),
    }),
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
  /**
   * Repositories in lexical order, after `last`, at most `n`; with `repositories`, only those
   * the patterns match (`team-a/*`, `*`, exact names): what a repository-scoped caller may read.
   */
  catalog: defineRpc({
    service: 'manifest',
    verb: 'catalog',
    request: Page.extend({ repositories: z.array(RepositoryPattern).max(1000).optional() }),
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
  /**
   * Manifest and tag counts and sizes (the distinct blobs its manifests reference, each once)
   * per repository, from running totals; with `repository`, that one only (NAME_UNKNOWN if it
   * does not exist).
   */
  usage: defineRpc({
    service: 'manifest',
    verb: 'usage',
    request: z.object({ repository: RepositoryName.optional() }),
    response: z.object({ repositories: z.array(RepositoryUsage) }),
  }),
  /** Deletes a repository: all its manifests and tags. NAME_UNKNOWN if it does not exist. */
  deleteRepository: defineRpc({
    service: 'manifest',
    verb: 'delete-repository',
    request: z.object({ repository: RepositoryName }),
    response: z.object({ deletedManifests: z.number().int().nonnegative() }),
  }),
  /**
   * Applies another region's event to this region (replication). Idempotent, and settled by
   * the event's hybrid logical clock: a tag points to the write with the highest timestamp,
   * deletes leave tombstones so an older event never resurrects what they removed. Writes no
   * registry events (they would travel back). A write that a lock in force at its clock
   * reading refuses is `superseded`; a lock change takes back the writes newer than it that
   * it refuses. A push needs its blobs linked here and its
   * child manifests present first (MANIFEST_BLOB_UNKNOWN otherwise, so the caller retries).
   */
  apply: defineRpc({
    service: 'manifest',
    verb: 'apply',
    request: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('manifest.pushed'), event: manifestPushed.schema }),
      z.object({ kind: z.literal('manifest.deleted'), event: manifestDeleted.schema }),
      z.object({ kind: z.literal('tag.updated'), event: tagUpdated.schema }),
      z.object({ kind: z.literal('tag.deleted'), event: tagDeleted.schema }),
      z.object({ kind: z.literal('repository.deleted'), event: repositoryDeleted.schema }),
      z.object({ kind: z.literal('lock.changed'), event: lockChanged.schema }),
      z.object({ kind: z.literal('quarantine.changed'), event: quarantineChanged.schema }),
      z.object({
        kind: z.literal('quarantine-setting.changed'),
        event: quarantineSettingChanged.schema,
      }),
      z.object({
        kind: z.literal('retention-setting.changed'),
        event: retentionSettingChanged.schema,
      }),
      z.object({
        kind: z.literal('soft-delete-setting.changed'),
        event: softDeleteSettingChanged.schema,
      }),
    ]),
    response: z.object({ outcome: ApplyOutcome }),
  }),
  /**
   * Anti-entropy's cheap pass: one page of repositories (by name, after `after`), each with a
   * summary of its replicated state (repository-state.ts), and the registry's replicated
   * settings. A repository counts while anything of it is kept: manifests, tombstones, locks.
   */
  summaries: defineRpc({
    service: 'manifest',
    verb: 'summaries',
    request: z.object({
      after: RepositoryName.optional(),
      limit: z.number().int().min(1).max(1_000).default(100),
    }),
    response: z.object({
      repositories: z.array(RepositorySummary),
      more: z.boolean(),
      settings: z.array(ReplicatedSetting),
    }),
  }),
  /** The replicated state of one repository, for anti-entropy where the summaries differ. */
  repositoryState: defineRpc({
    service: 'manifest',
    verb: 'repository-state',
    request: z.object({ repository: RepositoryName }),
    response: RepositoryState,
  }),
  /**
   * The quarantine state of a manifest in this region: `none` when quarantine was off at its
   * push (or it was never quarantined). MANIFEST_UNKNOWN when absent. The webhook service asks
   * it before a `push` webhook fires, the gateway before it serves a pull.
   */
  quarantineState: defineRpc({
    service: 'manifest',
    verb: 'quarantine-state',
    request: z.object({ repository: RepositoryName, digest: Digest }),
    response: z.object({
      state: z.enum(['none', 'quarantined', 'passed', 'failed']),
      details: z.string().optional(),
    }),
  }),
  /**
   * Decides a quarantined image: `passed` makes it pullable, `failed` keeps it blocked. The
   * scan service decides images that are `quarantined` (`onlyIfQuarantined`, so it never
   * overrides an external decision); an external scanner (ACR's PATCH) may decide any image.
   * Emits `quarantine.changed.v1` when the state changes. MANIFEST_UNKNOWN when absent.
   */
  decideQuarantine: defineRpc({
    service: 'manifest',
    verb: 'decide-quarantine',
    request: z.object({
      repository: RepositoryName,
      digest: Digest,
      state: z.enum(['passed', 'failed']),
      details: z.string().max(4096).optional(),
      onlyIfQuarantined: z.boolean().default(false),
    }),
    response: z.object({
      state: z.enum(['none', 'quarantined', 'passed', 'failed']),
      changed: z.boolean(),
    }),
  }),
  /** The registry's quarantine setting: while on, every push is quarantined until decided. */
  quarantineSetting: defineRpc({
    service: 'manifest',
    verb: 'quarantine-setting',
    request: z.object({}),
    response: z.object({ enabled: z.boolean() }),
  }),
  /** Turns quarantine on or off (emits `quarantine-setting.changed.v1`, replicated). */
  setQuarantineSetting: defineRpc({
    service: 'manifest',
    verb: 'set-quarantine-setting',
    request: z.object({ enabled: z.boolean() }),
    response: z.object({ enabled: z.boolean() }),
  }),
  /**
   * The registry's retention policy for untagged manifests (ACR's): while enabled, a manifest
   * that has had no tag for longer than `days` is deleted by this region's sweeper.
   */
  retentionSetting: defineRpc({
    service: 'manifest',
    verb: 'retention-setting',
    request: z.object({}),
    response: RetentionPolicy,
  }),
  /** Sets the retention policy (emits `retention-setting.changed.v1`, replicated). */
  setRetentionSetting: defineRpc({
    service: 'manifest',
    verb: 'set-retention-setting',
    request: RetentionPolicy,
    response: RetentionPolicy,
  }),
} as const;
