/**
 * One attempt at one delivery: the webhook's current URI, headers and secret, a fresh
 * timestamp and signature, the address check, the request, and what follows from the
 * answer — success on 2xx; otherwise another attempt after a backoff, or the dead letter
 * once the attempts or the age are spent. Nothing here throws: every failure is an outcome.
 * The attempt's log shows the request without the signature and without the credentials of
 * custom headers (redact-headers.ts). Each attempt is a span of the trace its delivery was
 * recorded in: the trace of the event, and of the push or change behind it.
 */
import { Inject, Injectable } from '@nestjs/common';
import { type DeliveryAttempt, reservedWebhookHeaders } from '@meridian/contracts';
import { SpanKind, extractTraceContext, inSpan } from '@meridian/telemetry';
import { AddressPolicy, SecretBox, resolveTarget } from '@meridian/outbound';
import { sendRequest } from '../outbound/send-request';
import { signPayload, signatureHeader, timestampHeader } from '../outbound/sign-payload';
import { WebhooksRepository } from '../webhooks/webhooks.repository';
import {
  type AttemptOutcome,
  DeliveriesRepository,
  type DueDelivery,
} from './deliveries.repository';
import { type DeliverySettings, deliverySettingsToken } from './delivery.settings';
import { redactCustomHeaders } from './redact-headers';
import { nextAttemptAt } from './retry-delay';

export const userAgent = 'Meridian-Webhook/1.0';

@Injectable()
export class AttemptDelivery {
  constructor(
    @Inject(deliverySettingsToken) private readonly settings: DeliverySettings,
    private readonly webhooks: WebhooksRepository,
    private readonly deliveries: DeliveriesRepository,
    private readonly policy: AddressPolicy,
    private readonly secrets: SecretBox,
  ) {}

  run(delivery: DueDelivery): Promise<void> {
    const carrier = delivery.traceContext;
    return inSpan(
      'webhook deliver',
      {
        kind: SpanKind.CLIENT,
        parent: carrier ? extractTraceContext({ get: (key) => carrier[key] }) : undefined,
        attributes: {
          'meridian.webhook.name': delivery.webhook,
          'meridian.webhook.action': delivery.action,
          'meridian.webhook.delivery_id': delivery.id,
          'meridian.webhook.attempt': delivery.attempts + 1,
        },
      },
      () => this.attempt(delivery),
    );
  }

  private async attempt(delivery: DueDelivery): Promise<void> {
    const webhook = await this.webhooks.find(delivery.webhook);
    if (!webhook) return this.deliveries.abandon(delivery.id, 'the webhook was deleted');
    if (webhook.status === 'disabled' && delivery.action !== 'ping')
      return this.deliveries.abandon(delivery.id, 'the webhook is disabled');
    const attempt = delivery.attempts + 1;
    const startedAt = new Date();
    const timestamp = Math.floor(startedAt.getTime() / 1000);
    const headers: Record<string, string> = {
      ...allowedHeaders(webhook.customHeaders),
      'content-type': delivery.contentType,
      'user-agent': userAgent,
      'idempotency-key': delivery.eventId,
      'x-meridian-event-id': delivery.eventId,
      'x-meridian-delivery-id': delivery.id,
      'x-meridian-delivery-attempt': String(attempt),
      [timestampHeader]: String(timestamp),
    };
    // the log keeps no credential a custom header carries; the request sent does
    const loggedHeaders = redactCustomHeaders(headers, webhook.customHeaders);
    const logged: DeliveryAttempt = {
      attempt,
      startedAt: startedAt.toISOString(),
      durationMs: 0,
      request: {
        method: 'POST',
        uri: webhook.serviceUri,
        headers: loggedHeaders,
        body: delivery.body,
      },
    };
    try {
      headers[signatureHeader] = signPayload(
        this.secrets.open(webhook.storedSecret),
        timestamp,
        delivery.body,
      );
      // the log shows that the request was signed, not the signature
      logged.request.headers = { ...loggedHeaders, [signatureHeader]: 'sha256=…' };
      const target = await resolveTarget(webhook.serviceUri, this.policy);
      const answer = await sendRequest({
        target,
        headers,
        body: delivery.body,
        timeoutMs: this.settings.timeoutMs,
      });
      logged.response = answer;
    } catch (error) {
      logged.error = error instanceof Error ? error.message : String(error);
    }
    logged.durationMs = Date.now() - startedAt.getTime();
    await this.deliveries.finishAttempt(this.outcome(delivery, logged));
  }

  private outcome(delivery: DueDelivery, attempt: DeliveryAttempt): AttemptOutcome {
    const status = attempt.response?.status;
    if (status !== undefined && status >= 200 && status <= 299)
      return { deliveryId: delivery.id, attempt, state: 'succeeded' };
    const next = nextAttemptAt(attempt.attempt, delivery.createdAt, new Date(), {
      baseMs: this.settings.retryBaseMs,
      maxDelayMs: this.settings.retryMaxMs,
      maxAttempts: this.settings.maxAttempts,
      maxAgeMs: this.settings.maxAgeMs,
    });
    return next
      ? { deliveryId: delivery.id, attempt, state: 'pending', nextAttemptAt: next }
      : { deliveryId: delivery.id, attempt, state: 'dead' };
  }
}

/**
 * The custom headers without reserved names: a webhook saved before they were refused (or
 * replicated from a region that still allowed them) frames and signs its requests like any.
 */
function allowedHeaders(customHeaders: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(customHeaders).filter(
      ([name]) => !reservedWebhookHeaders.has(name.toLowerCase()),
    ),
  );
}
