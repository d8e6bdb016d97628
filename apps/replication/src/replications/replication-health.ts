/**
 * A replication's status as the region called sees it, from what it could find out about the
 * region: `degraded` with the first reason that holds (its NATS domain does not answer, its
 * store does not, it did not answer recently, its replication service did not report, its
 * events wait here longer than the threshold); else `provisioning` while the region has not
 * finished one backfill pass with every other member since its replication service started
 * (it reports that itself); else `ready`. The region called is always `ready`.
 */
import type { AntiEntropyStatus, ReplicationView } from '@meridian/contracts';

export interface RegionHealth {
  /** its JetStream domain answered across the link */
  domainAnswers: boolean;
  /** why its store did not answer a probe */
  storeError?: string;
  /** calls to it are being skipped: one went unanswered moments ago */
  breakerOpen: boolean;
  /** age of the oldest of its events not yet applied here */
  lagMs?: number;
  /** its anti-entropy with each of its peers, as it reports it; absent when it did not answer */
  report?: ReadonlyArray<{ region: string; antiEntropy?: AntiEntropyStatus }>;
  /** why it did not report */
  reportError?: string;
}

export type ReplicationHealth = Pick<ReplicationView, 'status' | 'statusReason' | 'provisioning'>;

export function replicationHealth(
  region: string,
  /** the other regions of the set, this one included, `region` not */
  others: readonly string[],
  health: RegionHealth,
  degradedLagMs: number,
): ReplicationHealth {
  const degraded = (statusReason: string): ReplicationHealth => ({
    status: 'degraded',
    statusReason,
  });
  if (!health.domainAnswers)
    return degraded(`the NATS domain of region ${region} does not answer across the link`);
  if (health.storeError !== undefined)
    return degraded(`the store of region ${region} does not answer: ${health.storeError}`);
  if (health.breakerOpen) return degraded(`region ${region} did not answer recently`);
  if (health.report === undefined)
    return degraded(
      `the replication service of region ${region} did not answer${
        health.reportError ? `: ${health.reportError}` : ''
      }`,
    );
  if (health.lagMs !== undefined && health.lagMs > degradedLagMs)
    return degraded(
      `events of region ${region} wait here ${Math.round(health.lagMs / 1000)} s, over ${Math.round(
        degradedLagMs / 1000,
      )} s`,
    );
  const byRegion = new Map(health.report.map((peer) => [peer.region, peer.antiEntropy]));
  const waiting = others.filter((other) => byRegion.get(other)?.backfilledAt === undefined);
  if (waiting.length === 0) return { status: 'ready' };
  let compared = 0;
  let repaired = 0;
  for (const other of others) {
    const progress = byRegion.get(other);
    compared += progress?.repositoriesCompared ?? 0;
    repaired += progress?.repaired ?? 0;
  }
  return {
    status: 'provisioning',
    statusReason: `backfilling from ${waiting.join(', ')}`,
    provisioning: { compared, repaired },
  };
}
