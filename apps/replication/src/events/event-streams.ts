/**
 * The JetStream objects replication reads from, created or brought up to date at start:
 *
 *   MERIDIAN_<REGION>_PEER_EVENTS   a stream in this region's JetStream domain that SOURCES
 *                                   every peer's MERIDIAN_<PEER>_EVENTS through the peer's
 *                                   domain API (`$JS.<peer>.API`) over the leafnode link;
 *                                   while a link is down nothing arrives, and what the peer
 *                                   stored meanwhile follows once it is back.
 *   replication-<peer>              durable pull consumer on it, filter meridian.<peer>.evt.>
 *   replication-local               durable pull consumer on this region's own events stream,
 *                                   for its pushes and the outcomes written here
 *
 * A peer that joins the replications gets its source and consumer at once, a peer that
 * leaves loses its source (its consumer is only stopped: should it come back, it resumes
 * where it stopped); the consumers remember their position, so a restart resumes too. A
 * peer's stream is reached through its JetStream domain (`natsDomain`, its region id unless
 * its replication names another).
 */
import {
  eventStreamName,
  eventSubjectWildcard,
  peerEventsStreamName,
  type RegionId,
} from '@meridian/contracts';
import {
  type DurableConsumerSpec,
  defaultEventRetentionMs,
  ensureDurableConsumer,
} from '@meridian/messaging';
import { type JetStreamManager, type StreamConfig, type StreamSource } from '@nats-io/jetstream';

const nanosPerMs = 1_000_000;

/** Up to this long a consumer may work on one event before the server redelivers it (the consumer signals progress meanwhile). */
export const ackWaitMs = 15_000;

export { peerEventsStreamName };

export function peerConsumerName(peer: string): string {
  return `replication-${peer}`;
}

export const localConsumerName = 'replication-local';

/** A peer's JetStream domain; by default its region id. */
export type NatsDomainOf = (peer: RegionId) => string;

/** Creates the peer events stream, or makes its sources exactly the peers'. */
export async function ensurePeerEventsStream(
  jsm: JetStreamManager,
  region: RegionId,
  peers: readonly RegionId[],
  maxAgeMs = defaultEventRetentionMs,
  natsDomainOf: NatsDomainOf = (peer) => peer,
): Promise<string> {
  const name = peerEventsStreamName(region);
  const sources: StreamSource[] = peers.map((peer) => ({
    name: eventStreamName(peer),
    external: { api: `$JS.${natsDomainOf(peer)}.API`, deliver: '' },
  }));
  const config: Partial<StreamConfig> & { name: string } = {
    name,
    subjects: [],
    sources,
    max_age: maxAgeMs * nanosPerMs,
  };
  try {
    const info = await jsm.streams.info(name);
    const current = (info.config.sources ?? []).map(sourceKey).sort();
    const wanted = sources.map(sourceKey).sort();
    if (current.join() !== wanted.join() || info.config.max_age !== config.max_age)
      await jsm.streams.update(name, { ...info.config, sources, max_age: config.max_age });
  } catch (error) {
    if (!/stream not found/i.test(String(error))) throw error;
    await jsm.streams.add(config).catch((addError: unknown) => {
      // another replica created it meanwhile
      if (!/already in use/i.test(String(addError))) throw addError;
    });
  }
  return name;
}

function sourceKey(source: StreamSource): string {
  return `${source.name} ${source.external?.api ?? ''}`;
}

/** The durable on this region's own stream: its pushes and the outcomes written here. */
export function localConsumerSpec(region: RegionId): DurableConsumerSpec {
  return consumerSpec(eventStreamName(region), localConsumerName, eventSubjectWildcard(region));
}

/** The durable on the peer events stream that takes `peer`'s events. */
export function peerConsumerSpec(region: RegionId, peer: RegionId): DurableConsumerSpec {
  return consumerSpec(
    peerEventsStreamName(region),
    peerConsumerName(peer),
    eventSubjectWildcard(peer),
  );
}

function consumerSpec(stream: string, durable: string, filter: string): DurableConsumerSpec {
  return {
    stream,
    durable,
    filterSubjects: [filter],
    deliverPolicy: 'all',
    ackWaitMs,
    maxAckPending: 1000,
  };
}

/** Every stream and consumer replication reads, for `region` and its peers. */
export async function ensureReplicationConsumers(
  jsm: JetStreamManager,
  region: RegionId,
  peers: readonly RegionId[],
  maxAgeMs?: number,
  natsDomainOf?: NatsDomainOf,
): Promise<void> {
  await ensureDurableConsumer(jsm, localConsumerSpec(region));
  if (peers.length === 0) return;
  await ensurePeerEventsStream(jsm, region, peers, maxAgeMs, natsDomainOf);
  for (const peer of peers) await ensureDurableConsumer(jsm, peerConsumerSpec(region, peer));
}
