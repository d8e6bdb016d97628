/**
 * What each event of this region's stream tells this region's webhooks, and the deliveries it
 * makes: one per matching webhook (enabled, with the action, in scope), recorded before the
 * event is acknowledged.
 *
 * `push` fires on `replication.completed.v1` for this region, so never before the image can
 * be pulled here; while the image is quarantined here the notification is held and sent when
 * `quarantine.changed.v1` says it passed (dropped when it failed). When the quarantine state
 * cannot be read, the event fails and JetStream offers it again later.
 *
 * `quota` fires on `usage.threshold.v1` of this region's store or one of its repositories.
 *
 * `replicated` fires on this region's `replication.completed.v1` for an image pushed to another
 * region, `replication.failed` on its `replication.failed.v1` (once per push, when replication
 * starts retrying slower): replication's health as this region sees it, quarantine or not.
 * Both come from an event that may also fire `push`, and a webhook is told an event once
 * (`deliveries_event_idx`), so their event id is derived from the source event's.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  type QuarantineChanged,
  type ReplicationCompleted,
  type ReplicationFailed,
  type WebhookAction,
  type WebhookRecord,
  imagePulled,
  manifestDeleted,
  quarantineChanged,
  replicationCompleted,
  replicationFailed,
  repositoryDeleted,
  scanCompleted,
  tagDeleted,
  usageThreshold,
} from '@meridian/contracts';
import { InjectSql, type Sql } from '@meridian/database';
import { DeliveriesRepository, type NewDelivery } from '../deliveries/deliveries.repository';
import { scopeMatches } from '../webhooks/scope-matches';
import { EnabledWebhooks } from '../webhooks/enabled-webhooks';
import { QuarantineLookup } from './quarantine-lookup';
import { renderPayload } from './render-payload';
import type { WebhookEvent } from './webhook-event';

export const regionToken = Symbol('Region');

@Injectable()
export class NotificationsService {
  constructor(
    @Inject(regionToken) private readonly region: string,
    @InjectSql() private readonly sql: Sql,
    private readonly webhooks: EnabledWebhooks,
    private readonly deliveries: DeliveriesRepository,
    private readonly quarantine: QuarantineLookup,
  ) {}

  /** Records the deliveries an event of this region's stream makes; throws to have it offered again. */
  async handle(name: string, payload: unknown): Promise<void> {
    switch (name) {
      case replicationCompleted.name: {
        const ready = replicationCompleted.schema.parse(payload);
        await this.imageReady(ready);
        return this.replicationOutcome(ready, 'replicated', { lagMs: ready.lagMs });
      }
      case replicationFailed.name: {
        const failed = replicationFailed.schema.parse(payload);
        return this.replicationOutcome(failed, 'replication.failed', {
          error: failed.error,
          attempts: failed.attempts,
        });
      }
      case quarantineChanged.name:
        return this.quarantineChanged(quarantineChanged.schema.parse(payload));
      case scanCompleted.name: {
        const scan = scanCompleted.schema.parse(payload);
        return this.notify({
          ...this.base(scan, 'scan'),
          target: {
            repository: scan.repository,
            digest: scan.digest,
            mediaType: scan.mediaType,
            tag: scan.tag,
          },
          tags: scan.tag ? [scan.tag] : [],
          details: {
            scan: {
              findings: scan.findings,
              newFindings: scan.newFindings,
              reportDigest: scan.reportDigest,
              sbomDigest: scan.sbomDigest,
            },
          },
        });
      }
      case imagePulled.name: {
        const pull = imagePulled.schema.parse(payload);
        if (pull.region !== this.region) return;
        return this.notify({
          ...this.base(pull, 'pull'),
          target: {
            repository: pull.repository,
            digest: pull.digest,
            mediaType: pull.mediaType,
            size: pull.size,
            tag: pull.tag,
          },
          tags: pull.tag ? [pull.tag] : [],
        });
      }
      case manifestDeleted.name: {
        const deleted = manifestDeleted.schema.parse(payload);
        return this.notify({
          ...this.base(deleted, 'delete'),
          target: { repository: deleted.repository, digest: deleted.digest },
          tags: deleted.tags,
        });
      }
      case tagDeleted.name: {
        const deleted = tagDeleted.schema.parse(payload);
        return this.notify({
          ...this.base(deleted, 'delete'),
          target: { repository: deleted.repository, digest: deleted.digest, tag: deleted.tag },
          tags: [deleted.tag],
        });
      }
      case repositoryDeleted.name: {
        const deleted = repositoryDeleted.schema.parse(payload);
        return this.notify({
          ...this.base(deleted, 'delete'),
          target: { repository: deleted.repository },
          tags: [],
        });
      }
      case usageThreshold.name: {
        const reached = usageThreshold.schema.parse(payload);
        if (reached.originRegion !== this.region) return;
        return this.notify({
          ...this.base(reached, 'quota'),
          // a repository's quota is scoped like its images; the store's reaches every webhook
          ...(reached.repository === undefined
            ? {}
            : { target: { repository: reached.repository } }),
          tags: [],
          details: {
            quota: {
              scope: reached.quota,
              threshold: reached.threshold,
              usedBytes: reached.usedBytes,
              quotaBytes: reached.quotaBytes,
            },
          },
        });
      }
      default:
        return;
    }
  }

  /** A `ping` to one webhook, whatever its actions: the delivery's id and the event's. */
  async ping(webhook: WebhookRecord): Promise<{ id: string; eventId: string }> {
    const event: WebhookEvent = {
      id: randomUUID(),
      timestamp: new Date().toISOString(),
      action: 'ping',
      region: webhook.region,
      tags: [],
    };
    const delivery = deliveryOf(webhook, event);
    await this.deliveries.record([delivery]);
    return { id: delivery.id, eventId: event.id };
  }

  private async imageReady(ready: ReplicationCompleted): Promise<void> {
    if (ready.region !== this.region) return;
    const event: WebhookEvent = {
      ...this.base(ready, 'push'),
      target: {
        repository: ready.repository,
        digest: ready.digest,
        mediaType: ready.mediaType,
        size: ready.size,
        tag: ready.tag,
      },
      tags: ready.tag ? [ready.tag] : [],
    };
    const state = await this.quarantine.state(ready.repository, ready.digest);
    if (state === 'quarantined') return this.hold(ready.repository, ready.digest, event);
    if (state === 'none' || state === 'passed') return this.notify(event);
    // failed or deleted since: nobody may pull it, nothing to announce
  }

  private async replicationOutcome(
    outcome: ReplicationCompleted | ReplicationFailed,
    action: 'replicated' | 'replication.failed',
    facts: Record<string, unknown>,
  ): Promise<void> {
    if (outcome.region !== this.region || outcome.sourceRegion === this.region) return;
    await this.notify({
      ...this.base(outcome, action),
      id: derivedEventId(outcome.eventId, action),
      target: {
        repository: outcome.repository,
        digest: outcome.digest,
        mediaType: outcome.mediaType,
        size: outcome.size,
        tag: outcome.tag,
      },
      tags: outcome.tag ? [outcome.tag] : [],
      details: { replication: { sourceRegion: outcome.sourceRegion, ...facts } },
    });
  }

  private async quarantineChanged(change: QuarantineChanged): Promise<void> {
    await this.notify({
      ...this.base(change, 'quarantine'),
      target: {
        repository: change.repository,
        digest: change.digest,
        mediaType: change.mediaType,
        size: change.size,
        tag: change.tag,
      },
      tags: change.tag ? [change.tag] : [],
      details: {
        quarantine: { state: change.state, ...(change.details ? { details: change.details } : {}) },
      },
    });
    if (change.state === 'quarantined') return;
    const held = await this.sql<Array<{ event: WebhookEvent }>>`
      select event from webhook.held_pushes
      where repository = ${change.repository} and digest = ${change.digest}`;
    if (change.state === 'passed') for (const { event } of held) await this.notify(event);
    await this.sql`
      delete from webhook.held_pushes
      where repository = ${change.repository} and digest = ${change.digest}`;
  }

  private async hold(repository: string, digest: string, event: WebhookEvent): Promise<void> {
    await this.sql`
      insert into webhook.held_pushes (repository, digest, event_id, event)
      values (${repository}, ${digest}, ${event.id}, ${this.sql.json(event as never)})
      on conflict do nothing`;
  }

  private async notify(event: WebhookEvent): Promise<void> {
    const matching = (await this.webhooks.in(this.region)).filter(
      (webhook) =>
        webhook.actions.includes(event.action as WebhookAction) &&
        (event.target === undefined ||
          scopeMatches(webhook.scope, { repository: event.target.repository, tags: event.tags })),
    );
    await this.deliveries.record(matching.map((webhook) => deliveryOf(webhook, event)));
  }

  private base(
    source: { eventId: string; occurredAt: string; request?: WebhookEvent['request'] },
    action: WebhookEvent['action'],
  ): Omit<WebhookEvent, 'tags'> {
    return {
      id: source.eventId,
      timestamp: source.occurredAt,
      action,
      region: this.region,
      ...(source.request ? { request: source.request } : {}),
    };
  }
}

/**
 * The id of the `action` notification of an event that also fires another action: the same
 * for the same event (a redelivered event records nothing twice), never the event's own.
 */
export function derivedEventId(eventId: string, action: string): string {
  const hex = createHash('sha256').update(`${eventId}/${action}`).digest('hex');
  // the layout of a UUID, version 8 (custom), RFC 9562 variant
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    `8${hex.slice(13, 16)}`,
    `${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}`,
    hex.slice(20, 32),
  ].join('-');
}

function deliveryOf(webhook: WebhookRecord, event: WebhookEvent): NewDelivery {
  const { contentType, body } = renderPayload(event, webhook.payloadFormat);
  return {
    id: randomUUID(),
    webhook: webhook.name,
    eventId: event.id,
    action: event.action,
    contentType,
    body,
  };
}
