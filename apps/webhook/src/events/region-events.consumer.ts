/**
 * The durable JetStream consumer `webhook` on this region's event stream: pushes (once ready
 * here), deletes, quarantine changes and scans (see durable-stream-consumer.ts for how each
 * event is taken).
 */
import { Inject, Injectable } from '@nestjs/common';
import { eventNameOfSubject, eventStreamName, eventSubjectWildcard } from '@meridian/contracts';
import { Nats, ensureEventStream } from '@meridian/messaging';
import { type Logger, loggerToken } from '@meridian/telemetry';
import { DurableStreamConsumer } from './durable-stream-consumer';
import { NotificationsService, regionToken } from './notifications.service';

export const consumerName = 'webhook';

@Injectable()
export class RegionEventsConsumer extends DurableStreamConsumer {
  constructor(
    @Inject(regionToken) region: string,
    messaging: Nats,
    notifications: NotificationsService,
    @Inject(loggerToken) logger: Logger,
  ) {
    super(
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

  protected async ensureStream(): Promise<void> {
    return ensureEventStream(await this.messaging.jetStreamManager(), this.messaging.region);
  }
}
