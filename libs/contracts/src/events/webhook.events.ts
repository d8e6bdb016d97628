/**
 * Events of the webhook service. `webhook.changed.v1` carries a webhook's whole configuration
 * as it now is (null once deleted), so every region holds every webhook (last writer by HLC
 * wins, as auth records do); the signing secret travels only as stored, encrypted when the
 * regions share MERIDIAN_WEBHOOK_SECRET_KEY. `image.pulled.v1` is what the `pull` action fires
 * on: the gateway publishes it, fire-and-forget, when a manifest is served, on the pulls
 * subject (`pullSubject` in subjects.ts), not on the events subject `imagePulled.subject` names.
 */
import { Digest, RepositoryName, TagName } from '@meridian/oci';
import { z } from 'zod';
import { defineEvent } from '../define';
import { RegionId } from '../subjects';
import { EventEnvelope } from './envelope';

/**
 * What a webhook can be told. `replicated` and `replication.failed` are replication's health
 * in the webhook's region (an image pushed elsewhere became ready here, or an attempt to make
 * it so failed); `push` stays the signal that an image pulls here.
 */
export const WebhookAction = z.enum([
  'push',
  'delete',
  'pull',
  'quarantine',
  'scan',
  'quota',
  'replicated',
  'replication.failed',
]);
export type WebhookAction = z.infer<typeof WebhookAction>;

export const WebhookStatus = z.enum(['enabled', 'disabled']);
export type WebhookStatus = z.infer<typeof WebhookStatus>;

/** `acr`: Azure Container Registry's JSON; `cloudevents`: CloudEvents 1.0 structured JSON. */
export const WebhookPayloadFormat = z.enum(['acr', 'cloudevents']);
export type WebhookPayloadFormat = z.infer<typeof WebhookPayloadFormat>;

/** A webhook name, as ACR allows: 5 to 50 letters and digits. */
export const WebhookName = z
  .string()
  .regex(/^[a-zA-Z0-9]{5,50}$/, 'webhook names are 5 to 50 letters and digits');

/** `repo:tag` with `*` wildcards; `repo` alone means `repo:latest`; empty means everything. */
export const WebhookScope = z
  .string()
  .max(512)
  .regex(
    /^[a-z0-9._\-/*]*(?::[a-zA-Z0-9._\-*]*)?$/,
    'a scope is repository[:tag], with * wildcards',
  );

/** Extra headers sent with every request; names and values a receiver's HTTP parser accepts. */
export const WebhookHeaders = z
  .record(
    z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/, 'not an HTTP header name'),
    z
      .string()
      .max(4096)
      .regex(/^[^\r\n]*$/, 'header values are one line'),
  )
  .refine((headers) => Object.keys(headers).length <= 32, 'at most 32 custom headers');

/**
 * What the management API shows for every custom header's value (they often hold a
 * receiver's credential: write-only, like the secret). Sent back in a PUT or PATCH, it keeps
 * the value stored under that name.
 */
export const webhookHeaderPlaceholder = '[redacted]';

/**
 * Headers a webhook may not set: the ones that frame the request (a wrong length or host
 * would make the receiver read another request than the one signed), and the signature's
 * own, which Meridian computes.
 */
export const reservedWebhookHeaders: ReadonlySet<string> = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
  'x-meridian-signature',
  'x-meridian-timestamp',
]);

/** Custom headers as a caller may set them: no reserved name, whatever its case. */
export const WebhookCustomHeaders = WebhookHeaders.superRefine((headers, context) => {
  for (const name of Object.keys(headers)) {
    if (reservedWebhookHeaders.has(name.toLowerCase()))
      context.addIssue({
        code: 'custom',
        message: `${name} is set by Meridian, not by a custom header`,
        path: [name],
      });
  }
});

/** The stored configuration, as it replicates (`secret` as stored: see the file header). */
export const WebhookRecord = z.object({
  name: WebhookName,
  region: RegionId,
  serviceUri: z.url(),
  customHeaders: WebhookHeaders,
  actions: z.array(WebhookAction).min(1),
  scope: WebhookScope,
  status: WebhookStatus,
  payloadFormat: WebhookPayloadFormat,
  storedSecret: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type WebhookRecord = z.infer<typeof WebhookRecord>;

export const webhookChanged = defineEvent({
  name: 'webhook.changed.v1',
  schema: EventEnvelope.extend({
    name: WebhookName,
    /** the configuration as it now is; null when deleted */
    record: WebhookRecord.nullable(),
  }),
});
export type WebhookChanged = z.infer<typeof webhookChanged.schema>;

export const imagePulled = defineEvent({
  name: 'image.pulled.v1',
  schema: EventEnvelope.extend({
    repository: RepositoryName,
    digest: Digest,
    mediaType: z.string(),
    size: z.number().int().nonnegative(),
    tag: TagName.optional(),
    region: RegionId,
  }),
});
export type ImagePulled = z.infer<typeof imagePulled.schema>;

export const webhookEvents = [webhookChanged, imagePulled] as const;
