/**
 * Starts replication once the service is up: makes sure the peer events stream and the
 * durable consumers exist, then runs one consumer per peer (applying its events here) and
 * one on this region's own stream (recording its pushes and outcomes). At shutdown the
 * consumers stop taking events and finish the ones in hand before the connection drains.
 */
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { eventStreamName } from '@meridian/contracts';
import { Nats, ensureEventStream } from '@meridian/messaging';
import { type Logger, loggerToken } from '@meridian/telemetry';
import { LookupsService } from '../lookups/lookups.service';
import { ReplicationService } from '../replication/replication.service';
import {
  type ReplicationSettings,
  replicationSettingsToken,
} from '../replication/replication.settings';
import {
  type ConsumedEvent,
  DurableEventConsumer,
  type EventHandler,
} from './durable-event.consumer';
import {
  ensureReplicationConsumers,
  localConsumerName,
  peerConsumerName,
  peerEventsStreamName,
} from './event-streams';

/** events applied at once per consumer, from the configuration */
export const replicationConcurrencyToken = Symbol('ReplicationConcurrency');

@Injectable()
export class ReplicationConsumers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumers: DurableEventConsumer[] = [];

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
    await ensureEventStream(await this.messaging.jetStreamManager(), this.messaging.region);
    await ensureReplicationConsumers(await this.messaging.jetStreamManager(), region, peers);
    this.consumers.push(
      this.consumer(eventStreamName(region), localConsumerName, {
        apply: ({ name, payload }) => this.replication.applyOwnEvent(name, payload),
        failed: async () => undefined,
      }),
      ...peers.map((peer) =>
        this.consumer(peerEventsStreamName(region), peerConsumerName(peer), {
          apply: ({ name, payload }) => this.replication.applyPeerEvent(peer, name, payload),
          failed: (event, error) => this.recordFailure(peer, event, error),
        }),
      ),
    );
    for (const consumer of this.consumers) consumer.start();
    this.logger.info({ peers }, 'replication started');
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.stop()));
    await this.lookups.settled();
  }

  private consumer(stream: string, durable: string, handler: EventHandler): DurableEventConsumer {
    return new DurableEventConsumer(this.messaging.jetStream(), handler, {
      stream,
      durable,
      concurrency: this.concurrency,
      failedAfterAttempts: this.settings.failedAfterAttempts,
      logger: this.logger,
    });
  }

  private async recordFailure(peer: string, event: ConsumedEvent, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    try {
      await this.replication.recordFailure(peer, event.name, event.payload, event.attempt, message);
    } catch (err) {
      this.logger.error({ err, peer, event: event.name }, 'failed to record a replication failure');
    }
  }
}
