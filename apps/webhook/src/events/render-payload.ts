/**
 * The two payload formats. `acr` is Azure Container Registry's webhook JSON, plus `region`
 * (and, for scan, quarantine, quota and replication, the facts in `details`), so receivers written for ACR work
 * unchanged. `cloudevents` is CloudEvents 1.0 in structured mode: the envelope's attributes
 * and the ACR body as `data`.
 */
import type { WebhookPayloadFormat } from '@meridian/contracts';
import type { NotifiedAction, WebhookEvent } from './webhook-event';

export interface RenderedPayload {
  contentType: string;
  body: string;
}

export const cloudEventTypes: Record<NotifiedAction, string> = {
  push: 'meridian.image.pushed',
  delete: 'meridian.image.deleted',
  pull: 'meridian.image.pulled',
  quarantine: 'meridian.image.quarantined',
  scan: 'meridian.image.scanned',
  quota: 'meridian.usage.threshold',
  replicated: 'meridian.image.replicated',
  'replication.failed': 'meridian.replication.failed',
  ping: 'meridian.webhook.ping',
};

export function renderPayload(event: WebhookEvent, format: WebhookPayloadFormat): RenderedPayload {
  switch (format) {
    case 'acr':
      return { contentType: 'application/json', body: JSON.stringify(acrBody(event)) };
    case 'cloudevents':
      return {
        contentType: 'application/cloudevents+json; charset=utf-8',
        body: JSON.stringify(cloudEvent(event)),
      };
  }
}

export function acrBody(event: WebhookEvent): Record<string, unknown> {
  return {
    id: event.id,
    timestamp: event.timestamp,
    action: event.action,
    ...(event.target ? { target: acrTarget(event) } : {}),
    ...(event.request ? { request: acrRequest(event) } : {}),
    region: event.region,
    ...(event.details ? event.details : {}),
  };
}

function acrTarget(event: WebhookEvent): Record<string, unknown> {
  const target = event.target!;
  return {
    ...(target.mediaType ? { mediaType: target.mediaType } : {}),
    ...(target.size !== undefined ? { size: target.size, length: target.size } : {}),
    ...(target.digest ? { digest: target.digest } : {}),
    repository: target.repository,
    ...(target.tag ? { tag: target.tag } : {}),
  };
}

function acrRequest(event: WebhookEvent): Record<string, unknown> {
  const { id, host, method, useragent } = event.request!;
  return { id, host, method, useragent };
}

function cloudEvent(event: WebhookEvent): Record<string, unknown> {
  const { id, timestamp, action: _action, ...data } = acrBody(event);
  return {
    specversion: '1.0',
    id,
    source: `/meridian/${event.region}`,
    type: cloudEventTypes[event.action],
    time: timestamp,
    ...(event.target ? { subject: subjectOf(event) } : {}),
    datacontenttype: 'application/json',
    data: { action: event.action, ...data },
  };
}

/** `repository:tag`, else `repository@digest`, else the repository. */
function subjectOf(event: WebhookEvent): string {
  const { repository, tag, digest } = event.target!;
  if (tag) return `${repository}:${tag}`;
  return digest ? `${repository}@${digest}` : repository;
}
