/**
 * The span for working on one JetStream message: a child of the span that published it
 * (its trace context is in the message headers), so a consumer's work joins the trace of
 * the request that caused the event.
 */
import { type HeaderReader, SpanKind, extractTraceContext, inSpan } from '@meridian/telemetry';

/** what the span reads of a message (a `JsMsg` is one) */
export interface ConsumedMessage {
  readonly subject: string;
  readonly headers?: HeaderReader;
  readonly info: { readonly deliveryCount: number };
}

export function consumeInSpan<T>(
  msg: ConsumedMessage,
  consumer: string,
  work: () => Promise<T>,
): Promise<T> {
  return inSpan(
    `${msg.subject} process`,
    {
      kind: SpanKind.CONSUMER,
      parent: extractTraceContext(msg.headers),
      attributes: {
        'messaging.system': 'nats',
        'messaging.destination.name': msg.subject,
        'messaging.consumer.group.name': consumer,
        'messaging.message.delivery_count': msg.info.deliveryCount,
      },
    },
    work,
  );
}
