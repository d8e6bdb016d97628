/**
 * The durable JetStream consumer `webhook` on this region's event stream: pushes (once ready
 * here), deletes, quarantine changes and scans (see notifying-consumer.ts for how each event
 * is taken).
 */
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { eventNameOfSubject, eventStreamName, eventSubjectWildcard } from '@meridian/contracts';
import { type DurableConsumer, Nats, ensureEventStream } from '@meridian/messaging';
import { type Logger, loggerToken } from '@meridian/telemetry';
import { NotificationsService, regionToken } from './notifications.service';
import { notifyingConsumer } from './notifying-consumer';

export const consumerName = 'webhook';

@Injectable()
export class RegionEventsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: DurableConsumer;

  constructor(
    @Inject(regionToken) region: string,
    private readonly messaging: Nats,
    notifications: NotificationsService,
    @Inject(loggerToken) logger: Logger,
  ) {
    this.consumer = notifyingConsumer(
      {
        stream: eventStreamName(region),
        durable: consumerName,
        filterSubject: eventSubjectWildcard(region),
        eventNameOf: eventNameOfSubject,
      },
      messaging,
      notifications,
      logger,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await ensureEventStream(
      await this.messaging.jetStreamManager(),
      this.messaging.region,
      this.messaging.eventStreamOptions,
    );
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
