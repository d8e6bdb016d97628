/**
 * The durable JetStream consumer `webhook-pulls` on this region's pulls stream
 * (`MERIDIAN_<REGION>_PULLS`, created here: a day at most, bounded in bytes, never sourced by
 * another region), where the gateway announces each manifest it serves. Its `image.pulled.v1`
 * fire this region's `pull` webhooks, through the same scope, filter and delivery machinery
 * as the events (durable-stream-consumer.ts).
 */
import { Inject, Injectable } from '@nestjs/common';
import { pullNameOfSubject, pullStreamName, pullSubjectWildcard } from '@meridian/contracts';
import { Messaging } from '@meridian/messaging';
import { type Logger, loggerToken } from '@meridian/telemetry';
import { DurableStreamConsumer } from './durable-stream-consumer';
import { NotificationsService, regionToken } from './notifications.service';

export const pullsConsumerName = 'webhook-pulls';

@Injectable()
export class RegionPullsConsumer extends DurableStreamConsumer {
  constructor(
    @Inject(regionToken) region: string,
    messaging: Messaging,
    notifications: NotificationsService,
    @Inject(loggerToken) logger: Logger,
  ) {
    super(
      {
        stream: pullStreamName(region),
        durable: pullsConsumerName,
        filterSubject: pullSubjectWildcard(region),
        eventNameOf: pullNameOfSubject,
      },
      messaging,
      notifications,
      logger,
    );
  }

  protected ensureStream(): Promise<void> {
    return this.messaging.ensurePullStream();
  }
}
