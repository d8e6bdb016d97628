/**
 * RPCs of the replication service: per-image status across regions, the state of each
 * peer link, and the lookups that let a region serve what a peer acknowledged but this
 * region has not replicated yet (each lookup also moves that image to the front).
 */
import { Digest, RepositoryName } from '@meridian/oci';
import { z } from 'zod';
import { defineRpc } from '../define';
import { RegionId } from '../subjects';
import { ManifestInfo, Reference } from './manifest.rpc';

export const ReplicationState = z.enum(['ready', 'pending', 'failed']);
export type ReplicationState = z.infer<typeof ReplicationState>;

export const RegionStatus = z.object({
  region: RegionId,
  state: ReplicationState,
  /** since when the region is in this state (ISO 8601) */
  since: z.iso.datetime(),
  /** push in the source region to ready here; absent while not ready */
  lagMs: z.number().int().nonnegative().optional(),
  lastError: z.string().optional(),
});
export type RegionStatus = z.infer<typeof RegionStatus>;

/** Anti-entropy's progress with one peer: the running pass, or the last one. */
export const AntiEntropyStatus = z.object({
  state: z.enum(['running', 'idle']),
  /** `backfill` at full (bounded) rate after a start, `continuous` at the low rate after */
  mode: z.enum(['backfill', 'continuous']),
  passStartedAt: z.iso.datetime().optional(),
  /** when the last complete pass ended */
  lastPassAt: z.iso.datetime().optional(),
  /**
   * when the first complete backfill pass since the service started (or the peer joined)
   * ended; absent until then: a replication is `provisioning` until it has one with every peer
   */
  backfilledAt: z.iso.datetime().optional(),
  /** repositories compared in the running (or last) pass */
  repositoriesCompared: z.number().int().nonnegative(),
  /** of them, those whose summaries differed */
  repositoriesDiffering: z.number().int().nonnegative(),
  /** repairs applied in the running (or last) pass */
  repaired: z.number().int().nonnegative(),
  /** the peer's writes left for later: their clock readings are ahead of the allowed skew */
  aheadOfClock: z.number().int().nonnegative(),
  /** repairs applied since the replication service started, by kind */
  repairs: z.record(z.string(), z.number().int().nonnegative()),
  /** why the last pass stopped early */
  lastError: z.string().optional(),
});
export type AntiEntropyStatus = z.infer<typeof AntiEntropyStatus>;

export const PeerStatus = z.object({
  region: RegionId,
  /** can this region reach the peer's NATS right now */
  connected: z.boolean(),
  /** events of the peer not yet applied here */
  eventsPending: z.number().int().nonnegative(),
  /** age of the oldest of them, ms */
  oldestPendingAgeMs: z.number().int().nonnegative().optional(),
  /** blob bytes copied from the peer per second, over the last minute */
  copyBytesPerSecond: z.number().nonnegative(),
  lastError: z.string().optional(),
  lastErrorAt: z.iso.datetime().optional(),
  /** absent until anti-entropy's first pass with the peer started */
  antiEntropy: AntiEntropyStatus.optional(),
});
export type PeerStatus = z.infer<typeof PeerStatus>;

/** One reading of a peer link, taken by the replication service once per sample interval. */
export const LagSample = z.object({
  /** when it was taken (ISO 8601), at the start of its interval */
  time: z.iso.datetime(),
  /** age of the oldest event of the peer not yet applied here; 0 with nothing pending */
  lagMs: z.number().int().nonnegative(),
  /** events of the peer not yet applied here */
  pending: z.number().int().nonnegative(),
  connected: z.boolean(),
});
export type LagSample = z.infer<typeof LagSample>;

/** how far back the lag history reaches: what the replication service keeps */
export const lagHistoryMaxMinutes = 24 * 60;

export const replicationRpc = {
  /** Where is this image ready? MANIFEST_UNKNOWN / NAME_UNKNOWN when no region knows it. */
  status: defineRpc({
    service: 'replication',
    verb: 'status',
    request: z.object({ repository: RepositoryName, reference: Reference }),
    response: z.object({
      repository: RepositoryName,
      digest: Digest,
      regions: z.array(RegionStatus),
    }),
  }),
  /** This region and each peer link. */
  regions: defineRpc({
    service: 'replication',
    verb: 'regions',
    request: z.object({}),
    response: z.object({ region: RegionId, peers: z.array(PeerStatus) }),
  }),
  /** Each peer link's lag, backlog and reachability as sampled over the last `minutes`, oldest first. */
  lagHistory: defineRpc({
    service: 'replication',
    verb: 'lag-history',
    request: z.object({
      minutes: z.number().int().min(1).max(lagHistoryMaxMinutes).default(60),
    }),
    response: z.object({
      region: RegionId,
      sampleIntervalSeconds: z.number().int().positive(),
      peers: z.array(z.object({ region: RegionId, samples: z.array(LagSample) })),
    }),
  }),
  /**
   * A manifest this region lacks, from a peer that has it; the image jumps the replication
   * queue. MANIFEST_UNKNOWN (or NAME_UNKNOWN) when no reachable peer has it either.
   */
  lookupManifest: defineRpc({
    service: 'replication',
    verb: 'lookup-manifest',
    request: z.object({
      repository: RepositoryName,
      reference: Reference,
      includeBody: z.boolean().default(true),
    }),
    response: ManifestInfo.extend({
      body: z.base64().optional(),
      region: RegionId,
      /** the peer's quarantine state: the gateway applies the same pull rule as for its own */
      quarantine: z.enum(['quarantined', 'passed', 'failed']).optional(),
    }),
  }),
  /**
   * A peer region whose store holds a blob of this repository that this region lacks; the
   * copy jumps the queue. The gateway streams the bytes from that peer's store. BLOB_UNKNOWN
   * when no reachable peer has it.
   */
  locateBlob: defineRpc({
    service: 'replication',
    verb: 'locate-blob',
    request: z.object({ repository: RepositoryName, digest: Digest }),
    response: z.object({ region: RegionId, size: z.number().int().nonnegative() }),
  }),
  /**
   * Blobs a manifest push here references that this region lacks: each one a peer's store
   * holds in the same repository is copied into this region's store and linked, before the
   * answer. `fetched` names those now present here; the others no reachable peer has (or this
   * region deleted them itself, and the client must push them again).
   */
  fetchBlobs: defineRpc({
    service: 'replication',
    verb: 'fetch-blobs',
    request: z.object({ repository: RepositoryName, digests: z.array(Digest).max(100_000) }),
    response: z.object({ fetched: z.array(Digest) }),
  }),
  /**
   * Child manifests an index pushed here references that this region lacks (a client
   * skipped them because a pull-through HEAD found them at a peer): each one the first peer
   * holding it has is stored here by digest, its blobs copied and linked first, before the
   * answer. `fetched` names those now present here; what this region deleted itself stays out.
   */
  fetchManifests: defineRpc({
    service: 'replication',
    verb: 'fetch-manifests',
    request: z.object({ repository: RepositoryName, digests: z.array(Digest).max(1_000) }),
    response: z.object({ fetched: z.array(Digest) }),
  }),
  /**
   * A blob this region's store holds wrong (corrupt bytes) or not at all although its records
   * say it does: the first peer whose copy hashes to the digest and size is copied over this
   * region's key, verified on the way (or, between buckets of one S3 service, copied server
   * side and read back), so a failed copy never leaves wrong bytes visible. `peers` says, when
   * none had an intact copy, what each peer had instead. The blob service's scrub asks.
   */
  repairBlob: defineRpc({
    service: 'replication',
    verb: 'repair-blob',
    request: z.object({ digest: Digest, size: z.number().int().nonnegative() }),
    response: z.discriminatedUnion('repaired', [
      z.object({ repaired: z.literal(true), region: RegionId }),
      z.object({
        repaired: z.literal(false),
        peers: z.array(
          z.object({
            region: RegionId,
            state: z.enum(['missing', 'corrupt', 'unreachable']),
            detail: z.string().optional(),
          }),
        ),
      }),
    ]),
  }),
} as const;
