import { z } from 'zod';
import { Actor, RequestInfo } from '../common';
import { Hlc } from '../hlc';
import { RegionId } from '../subjects';

/**
 * Fields every event carries. `eventId` is also the JetStream `Nats-Msg-Id`, so a
 * republished event is dropped by the stream and a redelivered one is recognised by
 * consumers.
 */
export const EventEnvelope = z.object({
  eventId: z.uuid(),
  originRegion: RegionId,
  hlc: Hlc,
  occurredAt: z.iso.datetime(),
  actor: Actor.optional(),
  request: RequestInfo.optional(),
});
export type EventEnvelope = z.infer<typeof EventEnvelope>;
