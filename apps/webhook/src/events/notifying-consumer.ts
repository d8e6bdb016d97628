/**
 * How the webhook service consumes a stream: a durable that hands each message to
 * NotificationsService and is acknowledged only once the deliveries it makes are committed in
 * Postgres, so nothing is lost to a crash of this service or of NATS: unacknowledged, a message
 * is offered again (and recorded once, deliveries being keyed by webhook and event). Messages
 * are taken one at a time, in stream order: recording is quick, and the sending happens
 * elsewhere (delivery-runner.ts). The durable is created to start at the newest message: a
 * new installation does not announce history. The rest (pull, ack, backoff, restart, the
 * consumer span the deliveries' trace context comes from) is libs/messaging's durable consumer.
 */
import {
  DurableConsumer,
  JetStreamDurableSource,
  type Nats,
  exponentialBackoff,
} from '@meridian/messaging';
import type { Logger } from '@meridian/telemetry';
import type { NotificationsService } from './notifications.service';

const ackWaitMs = 30_000;

export interface NotifyingStream {
  stream: string;
  durable: string;
  filterSubject: string;
  /** the event name a subject carries (`image.pulled.v1`) */
  eventNameOf(subject: string): string | undefined;
}

export function notifyingConsumer(
  consumed: NotifyingStream,
  messaging: Nats,
  notifications: NotificationsService,
  logger: Logger,
): DurableConsumer {
  return new DurableConsumer(
    new JetStreamDurableSource(messaging),
    {
      stream: consumed.stream,
      durable: consumed.durable,
      filterSubjects: [consumed.filterSubject],
      deliverPolicy: 'new',
      ackWaitMs,
      eventNameOf: consumed.eventNameOf,
      retryDelayMs: exponentialBackoff(250, 30_000),
      logger,
    },
    { handle: ({ name, payload }) => notifications.handle(name, payload) },
  );
}
