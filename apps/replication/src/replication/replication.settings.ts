/**
 * What the replication rules need to know about the deployment: which region this is, its
 * peers, and when an event that keeps failing is reported as `replication.failed.v1`.
 */
import type { RegionId } from '@meridian/contracts';

export interface ReplicationSettings {
  region: RegionId;
  peers: readonly RegionId[];
  failedAfterAttempts: number;
  /** a peer's clock reading further ahead of this region's wall clock is clamped (clock-skew.ts) */
  maxClockSkewMs?: number;
}

export const replicationSettingsToken = Symbol('ReplicationSettings');

/** The wall clock (ms); tests provide their own. */
export const nowToken = Symbol('now');
