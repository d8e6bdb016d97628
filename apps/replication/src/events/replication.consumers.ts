/**
 * Starts replication once the service is up: makes sure the peer events stream and the
 * durable consumers exist, then runs one consumer per peer (applying its events here) and
 * one on this region's own stream (recording its pushes and outcomes). Each works on up to
 * MERIDIAN_REPLICATION_CONCURRENCY events at once, one repository's changes in stream order,
 * and retries a failed event forever (retry-delay.ts): nothing a peer acknowledged is ever
 * dropped; a peer's failed attempts are recorded as the event's replication status. At
 * shutdown the consumers stop taking events and finish the ones in hand before the
 * connection drains. How events are pulled, kept alive, acknowledged and traced is
 * libs/messaging's durable consumer.
 *
 * The peers change at runtime (PeerSet): a region that joins gets its source in the peer
 * events stream and its consumer started, one that leaves loses its source and its consumer
 * is stopped (the events it had in hand are finished first); a changed domain re-points the
 * source. Changes are applied one after the other, never beside a start or a stop.
 */
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type RegionId, blobUploaded, eventNameOfSubject } from '@meridian/contracts';
import {
  DurableConsumer,
  type DurableConsumerSpec,
  type DurableEvent,
  type DurableEventHandler,
  JetStreamDurableSource,
  Nats,
  ensureDurableConsumer,
  ensureEventStream,
} from '@meridian/messaging';
import { type Logger, loggerToken } from '@meridian/telemetry';
import { LookupsService } from '../lookups/lookups.service';
import { type PeerChange, PeerSet } from '../replications/peer-set';
import { ReplicationService } from '../replication/replication.service';
import {
  type ReplicationSettings,
  replicationSettingsToken,
} from '../replication/replication.settings';
import {
  ensurePeerEventsStream,
  ensureReplicationConsumers,
  localConsumerSpec,
  peerConsumerSpec,
} from './event-streams';
import { retryDelayMs } from './retry-delay';

/** events applied at once per consumer, from the configuration */
export const replicationConcurrencyToken = Symbol('ReplicationConcurrency');

@Injectable()
export class ReplicationConsumers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private local?: DurableConsumer;
  private readonly peerConsumers = new Map<RegionId, DurableConsumer>();
  private stopped = false;

  constructor(
    @Inject(replicationSettingsToken) private readonly settings: ReplicationSettings,
    @Inject(replicationConcurrencyToken) private readonly concurrency: number,
    private readonly messaging: Nats,
    private readonly replication: ReplicationService,
    private readonly lookups: LookupsService,
    private readonly peerSet: PeerSet,
    @Inject(loggerToken) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { region } = this.settings;
    const peers = this.peerSet.regions;
    await ensureEventStream(
      await this.messaging.jetStreamManager(),
      this.messaging.region,
      this.messaging.eventStreamOptions,
    );
    await ensureReplicationConsumers(
      await this.messaging.jetStreamManager(),
      region,
      peers,
      this.messaging.eventStreamOptions.maxAgeMs,
      (peer) => this.peerSet.natsDomain(peer),
    );
    this.local = this.consumer(localConsumerSpec(region), {
      handle: ({ name, payload }) => this.replication.applyOwnEvent(name, payload),
    });
    await this.local.start();
    for (const peer of peers) await this.startPeer(peer);
    this.peerSet.onChange((change) => this.change(change));
    this.logger.info({ peers }, 'replication started');
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await Promise.all(
      [this.local, ...this.peerConsumers.values()].map((consumer) => consumer?.stop()),
    );
    await this.lookups.settled();
  }

  /** The peer events stream's sources and the peer consumers made the set's. */
  private async change({ added, removed, changed }: PeerChange): Promise<void> {
    if (this.stopped) return;
    for (const peer of removed) await this.stopPeer(peer);
    const jsm = await this.messaging.jetStreamManager();
    await ensurePeerEventsStream(
      jsm,
      this.settings.region,
      this.peerSet.regions,
      this.messaging.eventStreamOptions.maxAgeMs,
      (peer) => this.peerSet.natsDomain(peer),
    );
    for (const peer of [...added, ...changed]) {
      if (this.peerConsumers.has(peer)) continue;
      await ensureDurableConsumer(jsm, peerConsumerSpec(this.settings.region, peer));
      await this.startPeer(peer);
    }
    this.logger.info({ peers: this.peerSet.regions, added, removed }, 'replication peers changed');
  }

  private async startPeer(peer: RegionId): Promise<void> {
    const consumer = this.consumer(peerConsumerSpec(this.settings.region, peer), {
      handle: ({ name, payload }) => this.replication.applyPeerEvent(peer, name, payload),
      failed: (event, error) => this.recordFailure(peer, event, error),
    });
    this.peerConsumers.set(peer, consumer);
    await consumer.start();
  }

  private async stopPeer(peer: RegionId): Promise<void> {
    const consumer = this.peerConsumers.get(peer);
    this.peerConsumers.delete(peer);
    await consumer?.stop();
  }

  private consumer(spec: DurableConsumerSpec, handler: DurableEventHandler): DurableConsumer {
    const { failedAfterAttempts } = this.settings;
    return new DurableConsumer(
      new JetStreamDurableSource(this.messaging),
      {
        ...spec,
        eventNameOf: eventNameOfSubject,
        concurrency: this.concurrency,
        orderingKey,
        retryDelayMs: (attempt) => retryDelayMs(attempt, failedAfterAttempts),
        logger: this.logger,
      },
      handler,
    );
  }

  private async recordFailure(peer: RegionId, event: DurableEvent, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    try {
      await this.replication.recordFailure(peer, event.name, event.payload, event.attempt, message);
    } catch (err) {
      this.logger.error({ err, peer, event: event.name }, 'failed to record a replication failure');
    }
  }
}

/**
 * Events with one key apply in stream order: a repository's manifests, tags and deletes
 * (a tag after the push that created its manifest). A blob upload depends on nothing, so
 * the layers of one push copy side by side.
 */
export function orderingKey(event: DurableEvent): string {
  const payload = event.payload as { repository?: unknown; digest?: unknown } | undefined;
  if (event.name === blobUploaded.name && typeof payload?.digest === 'string')
    return `blob:${payload.digest}`;
  return typeof payload?.repository === 'string' ? `repository:${payload.repository}` : event.name;
}
