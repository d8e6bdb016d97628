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
  ensureEventStream,
} from '@meridian/messaging';
import { type Logger, loggerToken } from '@meridian/telemetry';
import { LookupsService } from '../lookups/lookups.service';
import { ReplicationService } from '../replication/replication.service';
import {
  type ReplicationSettings,
  replicationSettingsToken,
} from '../replication/replication.settings';
import { ensureReplicationConsumers, localConsumerSpec, peerConsumerSpec } from './event-streams';
import { retryDelayMs } from './retry-delay';

/** events applied at once per consumer, from the configuration */
export const replicationConcurrencyToken = Symbol('ReplicationConcurrency');

@Injectable()
export class ReplicationConsumers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumers: DurableConsumer[] = [];

  constructor(
    @Inject(replicationSettingsToken) private readonly settings: ReplicationSettings,
    @Inject(replicationConcurrencyToken) private readonly concurrency: number,
    private readonly messaging: Nats,
    private readonly replication: ReplicationService,
    private readonly lookups: LookupsService,
    @Inject(loggerToken) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { region, peers } = this.settings;
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
    );
    this.consumers.push(
      this.consumer(localConsumerSpec(region), {
        handle: ({ name, payload }) => this.replication.applyOwnEvent(name, payload),
      }),
      ...peers.map((peer) =>
        this.consumer(peerConsumerSpec(region, peer), {
          handle: ({ name, payload }) => this.replication.applyPeerEvent(peer, name, payload),
          failed: (event, error) => this.recordFailure(peer, event, error),
        }),
      ),
    );
    for (const consumer of this.consumers) await consumer.start();
    this.logger.info({ peers }, 'replication started');
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.stop()));
    await this.lookups.settled();
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
