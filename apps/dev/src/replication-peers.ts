/**
 * Which regions replicate with which (MERIDIAN_REPLICATIONS). Every region's nats-server is
 * linked all the same (region-links.ts), so each region's JetStream domain and RPCs are
 * reachable from the others; only the members of MERIDIAN_REPLICATIONS are each other's
 * peers (MERIDIAN_PEERS and the peers' stores). A region outside it runs stand-alone: no
 * peers, and no member has it as one, until a replication to it is created at runtime
 * (`PUT /api/v1/replications/<region>`).
 */
import type { RegionLayout } from './region-layout';

/** The peers of each region, in layout order: the other members for a member, none otherwise. */
export function replicationPeers(
  layouts: readonly RegionLayout[],
  replications: readonly string[],
): RegionLayout[][] {
  const members = new Set(replications);
  return layouts.map((layout) =>
    members.has(layout.region)
      ? layouts.filter((peer) => peer !== layout && members.has(peer.region))
      : [],
  );
}
