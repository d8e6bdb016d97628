/**
 * Publishing events. An event is published to JetStream and waited for until the stream
 * stored it, in a PRODUCER span whose trace context travels in the message headers
 * (`traceparent`), so the consumers of the event continue the trace that caused it.
 */
import { SpanKind, inSpan, injectTraceContext, metrics } from '@meridian/telemetry';
import { Injectable } from '@nestjs/common';
import { headers } from '@nats-io/transport-node';
import { Nats } from './nats';

const encoder = new TextEncoder();

@Injectable()
export class EventPublisher {
  constructor(private readonly nats: Nats) {}

  /**
   * Publishes one event to JetStream and waits for the stream to store it. The event id is
   * the message id, so a republished event is dropped as a duplicate.
   */
  async publishEvent(subject: string, payload: unknown, eventId: string): Promise<void> {
    await inSpan(
      `${subject} publish`,
      {
        kind: SpanKind.PRODUCER,
        attributes: { 'messaging.system': 'nats', 'messaging.destination.name': subject },
      },
      async () => {
        const hdrs = headers();
        injectTraceContext(hdrs);
        try {
          await this.nats.jetStream().publish(subject, encodeJson(payload), {
            msgID: eventId,
            headers: hdrs,
          });
        } catch (err) {
          metrics().natsErrors.add(1, { operation: 'publish' });
          throw err;
        }
      },
    );
  }

  /**
   * Publishes with core NATS and returns at once: no wait for a stream to store it, so a lost
   * message is never known. For signals worth less than the latency of an acknowledgement
   * (a pull); the stream that captures the subject drops a repeated `msgId`. Throws only when
   * the connection is closed or the payload cannot be sent.
   */
  publishWithoutAck(subject: string, payload: unknown, msgId: string): void {
    const hdrs = headers();
    hdrs.set('Nats-Msg-Id', msgId);
    this.nats.connection.publish(subject, encodeJson(payload), { headers: hdrs });
  }
}

function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}
