/**
 * What a webhook is told, before it is put in a payload format: the action, the image it is
 * about and the request that caused it. Built from the region's events (see
 * notifications.service.ts); rendered by render-payload.ts.
 */
import type { RequestInfo, WebhookAction } from '@meridian/contracts';

export type NotifiedAction = WebhookAction | 'ping';

export interface NotifiedTarget {
  repository: string;
  digest?: string;
  mediaType?: string;
  size?: number;
  tag?: string;
}

export interface WebhookEvent {
  /** the source event's id: the payload's `id` and the idempotency key */
  id: string;
  /** when it happened, ISO 8601 */
  timestamp: string;
  action: NotifiedAction;
  /** the region whose webhooks are told */
  region: string;
  target?: NotifiedTarget;
  /** the tags the event is about (scope matching) */
  tags: string[];
  request?: RequestInfo;
  /** action-specific facts: a scan's findings, a quarantine state */
  details?: Record<string, unknown>;
}
