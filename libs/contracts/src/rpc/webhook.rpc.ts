/**
 * RPCs of the webhook service. The gateway's `/api/v1/webhooks` routes call the management
 * RPCs (the caller travels as the RPC context's actor); replication applies other regions'
 * `webhook.changed.v1` with `apply`. A webhook's secret is returned once, by the `put` that
 * created it when none was given, and never again.
 */
import { z } from 'zod';
import { defineRpc } from '../define';
import { ApplyOutcome } from '../hlc';
import {
  WebhookAction,
  WebhookCustomHeaders,
  WebhookHeaders,
  WebhookName,
  WebhookPayloadFormat,
  WebhookScope,
  WebhookStatus,
  webhookChanged,
} from '../events/webhook.events';
import { RegionId } from '../subjects';

/**
 * A webhook as the management API shows it: everything but the secret, and the custom
 * headers' names with every value `webhookHeaderPlaceholder`.
 */
export const WebhookView = z.object({
  name: WebhookName,
  region: RegionId,
  serviceUri: z.url(),
  customHeaders: WebhookHeaders,
  actions: z.array(WebhookAction),
  scope: WebhookScope,
  status: WebhookStatus,
  payloadFormat: WebhookPayloadFormat,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type WebhookView = z.infer<typeof WebhookView>;

/**
 * What a caller may set; `put` fills in defaults for what it leaves out. A custom header
 * whose value is `webhookHeaderPlaceholder` keeps the value stored under its name.
 */
export const WebhookSettings = z.object({
  serviceUri: z.url({ protocol: /^https?$/ }),
  customHeaders: WebhookCustomHeaders.optional(),
  actions: z.array(WebhookAction).min(1).max(WebhookAction.options.length),
  scope: WebhookScope.optional(),
  status: WebhookStatus.optional(),
  payloadFormat: WebhookPayloadFormat.optional(),
  /** the webhook's region; the gateway's region when left out */
  region: RegionId.optional(),
  /** the signing secret (16 to 256 characters); generated and returned once when left out */
  secret: z.string().min(16).max(256).optional(),
});
export type WebhookSettings = z.infer<typeof WebhookSettings>;

export const DeliveryState = z.enum(['pending', 'succeeded', 'dead']);
export type DeliveryState = z.infer<typeof DeliveryState>;

/** One HTTP attempt of a delivery, as the log keeps it. */
export const DeliveryAttempt = z.object({
  attempt: z.number().int().positive(),
  startedAt: z.iso.datetime(),
  durationMs: z.number().int().nonnegative(),
  request: z.object({
    method: z.string(),
    uri: z.string(),
    headers: z.record(z.string(), z.string()),
    body: z.string(),
  }),
  response: z
    .object({
      status: z.number().int(),
      headers: z.record(z.string(), z.string()),
      /** the first KiB */
      body: z.string(),
    })
    .optional(),
  error: z.string().optional(),
});
export type DeliveryAttempt = z.infer<typeof DeliveryAttempt>;

/** One event sent to one webhook, with every attempt (newest first). */
export const DeliveryView = z.object({
  id: z.uuid(),
  webhook: WebhookName,
  /** the event's id: the payload's `id` and the idempotency key */
  eventId: z.uuid(),
  action: z.union([WebhookAction, z.literal('ping')]),
  state: DeliveryState,
  attempts: z.number().int().nonnegative(),
  createdAt: z.iso.datetime(),
  nextAttemptAt: z.iso.datetime().optional(),
  lastError: z.string().optional(),
  /** the delivery this one sends again */
  redeliveryOf: z.uuid().optional(),
  log: z.array(DeliveryAttempt),
});
export type DeliveryView = z.infer<typeof DeliveryView>;

const byName = z.object({ name: WebhookName });
/**
 * Deliveries live in the webhook's region: another region's service passes these on to it,
 * once (`forwarded`), so regions that briefly disagree about the webhook cannot bounce them.
 */
const inWebhookRegion = byName.extend({ forwarded: z.boolean().optional() });

function webhook<Req extends z.ZodType, Res extends z.ZodType>(
  verb: string,
  request: Req,
  response: Res,
) {
  return defineRpc({ service: 'webhook', verb, request, response });
}

export const webhookRpc = {
  /** Creates or replaces a webhook. REQUEST_INVALID when its URI points where webhooks may not go. */
  put: webhook(
    'put',
    byName.extend({ settings: WebhookSettings, defaultRegion: RegionId }),
    z.object({ webhook: WebhookView, created: z.boolean(), secret: z.string().optional() }),
  ),
  get: webhook('get', byName, WebhookView),
  list: webhook('list', z.object({}), z.object({ webhooks: z.array(WebhookView) })),
  /** Changes the fields given; RESOURCE_UNKNOWN when there is no such webhook. */
  update: webhook('update', byName.extend({ settings: WebhookSettings.partial() }), WebhookView),
  delete: webhook('delete', byName, z.object({})),
  /** Queues a `ping` event to the webhook (whatever its actions and status) and returns its delivery. */
  ping: webhook('ping', inWebhookRegion, z.object({ id: z.uuid(), eventId: z.uuid() })),
  /** The delivery log, newest first: up to `n` after the delivery `last`. */
  events: webhook(
    'events',
    inWebhookRegion.extend({
      n: z.number().int().positive().max(100).default(20),
      last: z.uuid().optional(),
    }),
    z.object({ deliveries: z.array(DeliveryView), next: z.uuid().optional() }),
  ),
  /** Sends a delivery's event again, as a new delivery with a fresh retry budget. */
  redeliver: webhook(
    'redeliver',
    inWebhookRegion.extend({ id: z.uuid() }),
    z.object({ id: z.uuid(), eventId: z.uuid() }),
  ),
  /** Applies another region's `webhook.changed.v1` (idempotent; last writer by HLC wins). */
  apply: webhook(
    'apply',
    z.object({ event: webhookChanged.schema }),
    z.object({ outcome: ApplyOutcome }),
  ),
} as const;
