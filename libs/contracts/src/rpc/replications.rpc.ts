/**
 * Replications (ACR's `az acr replication`): the regions of this registry, kept as registry
 * state by the replication service of every region and changed at runtime. A replication
 * names a region, the NATS JetStream domain its events stream is reached through across the
 * leaf link, and the store its blobs are copied from. Adding one makes every region consume
 * it (and it every region) and backfill what the others hold; removing one makes it
 * standalone again, its data kept.
 *
 * Between regions a replication travels as a `ReplicationRecord`: the non-secret fields, the
 * S3 secret as the region that took the change sealed it (MERIDIAN_CREDENTIALS_SECRET_KEY,
 * shared by the regions like the webhook key), its clock reading and a tombstone flag. The
 * newest reading wins in every region, so the set converges whatever order changes arrive in.
 */
import { z } from 'zod';
import { defineRpc } from '../define';
import { Hlc } from '../hlc';
import { RegionId } from '../subjects';

/** A JetStream domain name, as nats-server takes it. */
export const NatsDomain = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected letters, digits, _ and - (at most 64)');

const BucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'invalid bucket name');

/** The store of a replication as the API takes it (the secret only here). */
export const ReplicationStorageInput = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('filesystem'),
    /** an absolute directory, as the replication services of every region see it */
    path: z.string().startsWith('/', 'expected an absolute path').max(4096),
  }),
  z.strictObject({
    type: z.literal('s3'),
    endpoint: z.url({ protocol: /^https?$/ }),
    bucket: BucketName,
    region: z.string().min(1).max(64).optional(),
    accessKeyId: z.string().min(1).max(256),
    secretAccessKey: z.string().min(1).max(1024),
    forcePathStyle: z.boolean().optional(),
  }),
]);
export type ReplicationStorageInput = z.infer<typeof ReplicationStorageInput>;

/** The store of a replication as it is shown and replicated: never its secret. */
export const ReplicationStorageView = z.discriminatedUnion('type', [
  z.object({ type: z.literal('filesystem'), path: z.string() }),
  z.object({
    type: z.literal('s3'),
    endpoint: z.string().optional(),
    bucket: z.string(),
    region: z.string(),
    accessKeyId: z.string(),
    forcePathStyle: z.boolean(),
  }),
]);
export type ReplicationStorageView = z.infer<typeof ReplicationStorageView>;

export const ReplicationInput = z.strictObject({
  /** the region id when not given */
  natsDomain: NatsDomain.optional(),
  storage: ReplicationStorageInput,
});
export type ReplicationInput = z.infer<typeof ReplicationInput>;

/**
 * `provisioning`: the region has not yet finished one backfill pass with every other region
 * since it joined; `degraded`: its NATS domain, its store or its replication service does not
 * answer, or its events wait here longer than MERIDIAN_REPLICATION_DEGRADED_LAG_SECONDS;
 * `ready` otherwise. The region called is always `ready`.
 */
export const ReplicationStatus = z.enum(['provisioning', 'ready', 'degraded']);
export type ReplicationStatus = z.infer<typeof ReplicationStatus>;

export const ReplicationView = z.object({
  region: RegionId,
  natsDomain: NatsDomain,
  storage: ReplicationStorageView,
  status: ReplicationStatus,
  statusReason: z.string().optional(),
  /** while provisioning: the region's backfill passes with the others, summed */
  provisioning: z
    .object({
      compared: z.number().int().nonnegative(),
      total: z.number().int().nonnegative().optional(),
      repaired: z.number().int().nonnegative(),
    })
    .optional(),
  /** how long the oldest of its events not applied here has waited */
  lagMs: z.number().int().nonnegative().optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** the region called */
  local: z.boolean(),
});
export type ReplicationView = z.infer<typeof ReplicationView>;

/** A replication as regions exchange it. */
export const ReplicationRecord = z.object({
  region: RegionId,
  natsDomain: NatsDomain,
  storage: ReplicationStorageView,
  /** the S3 secret access key, sealed */
  sealedSecret: z.string().optional(),
  clock: Hlc,
  deleted: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type ReplicationRecord = z.infer<typeof ReplicationRecord>;

/** A peer's store as the gateway opens it to serve a blob this region lacks: the secret opened. */
export const PeerStoreAccess = z.object({
  region: RegionId,
  storage: z.discriminatedUnion('type', [
    z.object({ type: z.literal('filesystem'), path: z.string() }),
    z.object({
      type: z.literal('s3'),
      endpoint: z.string().optional(),
      bucket: z.string(),
      region: z.string(),
      accessKeyId: z.string(),
      secretAccessKey: z.string(),
      forcePathStyle: z.boolean(),
    }),
  ]),
});
export type PeerStoreAccess = z.infer<typeof PeerStoreAccess>;

export const replicationsRpc = {
  /** REQUEST_INVALID for the region called (it is the home region). */
  put: defineRpc({
    service: 'replication',
    verb: 'replication-put',
    request: z.object({ region: RegionId, replication: ReplicationInput }),
    response: z.object({ created: z.boolean(), replication: ReplicationView }),
  }),
  /** RESOURCE_UNKNOWN for no such replication. */
  get: defineRpc({
    service: 'replication',
    verb: 'replication-get',
    request: z.object({ region: RegionId }),
    response: ReplicationView,
  }),
  list: defineRpc({
    service: 'replication',
    verb: 'replication-list',
    request: z.object({}),
    response: z.object({ replications: z.array(ReplicationView) }),
  }),
  /** RESOURCE_UNKNOWN for no such replication; REQUEST_INVALID for the region called. */
  delete: defineRpc({
    service: 'replication',
    verb: 'replication-delete',
    request: z.object({ region: RegionId }),
    response: z.object({}),
  }),
  /** Another region's whole set, merged here newest-wins; `changed` when anything applied. */
  merge: defineRpc({
    service: 'replication',
    verb: 'replications-merge',
    request: z.object({ records: z.array(ReplicationRecord).max(1_000) }),
    response: z.object({ changed: z.boolean() }),
  }),
  /**
   * This region's peers now and how to read their stores (secrets opened: only this region's
   * gateway calls it), for the gateway's catch-up and usage; a peer whose secret cannot be
   * opened here is left out.
   */
  peerStores: defineRpc({
    service: 'replication',
    verb: 'peer-stores',
    request: z.object({}),
    response: z.object({ peers: z.array(PeerStoreAccess) }),
  }),
  /** This region's whole set, tombstones included, for a region that missed a change. */
  state: defineRpc({
    service: 'replication',
    verb: 'replications-state',
    request: z.object({}),
    response: z.object({ records: z.array(ReplicationRecord) }),
  }),
} as const;
