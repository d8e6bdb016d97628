/**
 * What the replication rules need to know about the deployment: which region this is, its
 * peers, and when an event that keeps failing is reported as `replication.failed.v1`.
 */
import type { RegionId } from '@meridian/contracts';

export interface ReplicationSettings {
  region: RegionId;
  peers: readonly RegionId[];
  failedAfterAttempts: number;
}

export const replicationSettingsToken = Symbol('ReplicationSettings');

/** The wall clock (ms); tests provide their own. */
export const nowToken = Symbol('now');
