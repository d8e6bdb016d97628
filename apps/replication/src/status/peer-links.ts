/**
 * The state of each link to a peer region, as `replication.regions` reports it: whether the
 * peer's NATS answers across the link now, and how many of its events wait here. An
 * interface of its own so the status rules are tested without NATS; `NatsPeerLinks` asks
 * the peer's JetStream API (one cheap INFO request, 1 s timeout) and this region's consumer.
 */
import { Inject, Injectable, Optional } from '@nestjs/common';
import { eventSubjectWildcard } from '@meridian/contracts';
import { Nats } from '@meridian/messaging';
import type { StoredMsg } from '@nats-io/jetstream';
import { peerConsumerName, peerEventsStreamName } from '../events/event-streams';
import { PeerSet } from '../replications/peer-set';
import {
  type ReplicationSettings,
  replicationSettingsToken,
} from '../replication/replication.settings';

export interface PeerBacklog {
  /** events of the peer stored here and not yet applied */
  pending: number;
  /** when the oldest of them happened in the peer (not when it crossed the link) */
  oldestOccurredAt?: Date;
}

export abstract class PeerLinks {
  abstract isConnected(peer: string): Promise<boolean>;
  abstract backlog(peer: string): Promise<PeerBacklog>;
}

const connectTimeoutMs = 1_000;
/** how far past the ack floor to look for the peer's oldest event (other peers interleave) */
const oldestScanLimit = 32;

@Injectable()
export class NatsPeerLinks extends PeerLinks {
  constructor(
    private readonly nats: Nats,
    @Inject(replicationSettingsToken) private readonly settings: ReplicationSettings,
    @Optional() private readonly peers?: PeerSet,
  ) {
    super();
  }

  async isConnected(peer: string): Promise<boolean> {
    try {
      await this.nats.connection.request(
        `$JS.${this.peers?.natsDomain(peer) ?? peer}.API.INFO`,
        undefined,
        {
          timeout: connectTimeoutMs,
        },
      );
      return true;
    } catch {
      return false;
    }
  }

  async backlog(peer: string): Promise<PeerBacklog> {
    const jsm = await this.nats.jetStreamManager();
    const stream = peerEventsStreamName(this.settings.region);
    const info = await jsm.consumers.info(stream, peerConsumerName(peer));
    const pending = info.num_pending + info.num_ack_pending;
    if (pending === 0) return { pending };
    const prefix = eventSubjectWildcard(peer).slice(0, -1);
    for (
      let seq = info.ack_floor.stream_seq + 1;
      seq <= info.ack_floor.stream_seq + oldestScanLimit;
      seq++
    ) {
      const message = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
      if (message?.subject.startsWith(prefix))
        return { pending, oldestOccurredAt: occurredAt(message) ?? message.time };
    }
    return { pending };
  }
}

/** The event's own `occurredAt`, for an event that crossed the link late. */
function occurredAt(message: StoredMsg): Date | undefined {
  try {
    const value = message.json<{ occurredAt?: unknown }>().occurredAt;
    const at = typeof value === 'string' ? new Date(value) : undefined;
    return at && !Number.isNaN(at.getTime()) ? at : undefined;
  } catch {
    return undefined;
  }
}
