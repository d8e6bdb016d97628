/**
 * The rules of replication: what each event of a peer region (or of this region) changes
 * here. Every rule is idempotent, so an event redelivered after a crash changes nothing:
 * blobs are copied only when the store lacks them, links and applies are idempotent in the
 * services that own them, and the outcome of a push is recorded once, keyed by the source
 * event id. The consumer acknowledges an event only after the rule for it has committed.
 */
import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  type ApplyOutcome,
  type BlobUploaded,
  type ManifestPushed,
  type ReplicationCompleted,
  type ReplicationFailed,
  authChanged,
  blobUploaded,
  isRegistryError,
  lockChanged,
  manifestDeleted,
  manifestPushed,
  quarantineChanged,
  quarantineSettingChanged,
  retentionSettingChanged,
  softDeleteSettingChanged,
  replicationCompleted,
  replicationFailed,
  repositoryDeleted,
  tagDeleted,
  tagUpdated,
  webhookChanged,
} from '@meridian/contracts';
import { Outbox } from '@meridian/database';
import { type Logger, loggerToken } from '@meridian/telemetry';
import { BlobCopier } from '../blobs/blob-copier';
import { clampEventReading, defaultMaxClockSkewMs } from './clock-skew';
import { type ManifestApply, RegionServices } from './region-services';
import { type PushedImage, ReplicationRepository } from './replication.repository';
import {
  type ReplicationSettings,
  nowToken,
  replicationSettingsToken,
} from './replication.settings';

@Injectable()
export class ReplicationService {
  constructor(
    @Inject(replicationSettingsToken) private readonly settings: ReplicationSettings,
    private readonly repository: ReplicationRepository,
    private readonly services: RegionServices,
    private readonly copier: BlobCopier,
    private readonly outbox: Outbox,
    @Optional() @Inject(nowToken) now?: () => number,
    @Optional() @Inject(loggerToken) private readonly logger?: Logger,
  ) {
    this.now = now ?? Date.now;
  }

  private readonly now: () => number;

  /**
   * Applies one event of `peer`'s stream to this region, its clock reading clamped when it
   * is too far ahead of this region's clock (clock-skew.ts). Throws to have it retried.
   */
  async applyPeerEvent(peer: string, name: string, received: unknown): Promise<void> {
    const payload = this.withinSkew(peer, name, received);
    if (name === manifestPushed.name) {
      await this.replicatePush(peer, manifestPushed.schema.parse(payload));
      return;
    }
    if (name === blobUploaded.name)
      return this.replicateBlob(peer, blobUploaded.schema.parse(payload));
    if (name === authChanged.name) {
      await this.services.applyAuthChange(authChanged.schema.parse(payload));
      return;
    }
    if (name === webhookChanged.name) {
      await this.services.applyWebhookChange(webhookChanged.schema.parse(payload));
      return;
    }
    const change = manifestChange(name, payload);
    if (change) {
      await this.services.applyManifestEvent(change);
      return;
    }
    // outcomes are recorded; any other event needs nothing here
    await this.recordOutcomeEvent(name, payload);
  }

  private withinSkew(peer: string, name: string, payload: unknown): unknown {
    const maxSkewMs = this.settings.maxClockSkewMs ?? defaultMaxClockSkewMs;
    const clamped = clampEventReading(payload, this.now(), maxSkewMs);
    if (clamped.clampedFrom !== undefined)
      this.logger?.warn(
        { peer, event: name, reading: clamped.clampedFrom, maxSkewMs },
        'peer clock reading ahead of the allowed skew clamped',
      );
    return clamped.payload;
  }

  /**
   * Applies a write anti-entropy found this region lacks, as the peer's event of it would
   * have: a push copies its blobs from the peer's store, links them, applies and is announced
   * ready here like a replicated push; a tag, delete, lock or setting goes to `manifest.apply`.
   * The write's own clock reading settles it, so `superseded` when a newer write holds here.
   */
  async repair(
    peer: string,
    name: string,
    payload: ManifestPushed | ManifestApply['event'],
  ): Promise<ApplyOutcome> {
    if (name === manifestPushed.name)
      return this.replicatePush(peer, manifestPushed.schema.parse(payload));
    const change = manifestChange(name, payload);
    if (change === undefined) throw new Error(`${name} is not a repairable write`);
    return this.services.applyManifestEvent(change);
  }

  /**
   * Applies one event of this region's own stream. A push here is pending in every peer until
   * they say otherwise; that it is ready here, the manifest service announced itself in the
   * push's transaction (`replication.completed.v1`, lag 0), which lands here like any outcome.
   */
  async applyOwnEvent(name: string, payload: unknown): Promise<void> {
    if (name !== manifestPushed.name) return this.recordOutcomeEvent(name, payload);
    const push = manifestPushed.schema.parse(payload);
    const at = new Date(this.now());
    for (const peer of this.settings.peers)
      await this.repository.recordPending(pushedImage(push), peer, at);
  }

  /**
   * Notes a failed attempt at a peer's event as that peer's last error and, once a push has
   * failed `failedAfterAttempts` times, announces `replication.failed.v1` (once; the
   * consumer keeps retrying, so a `replication.completed.v1` may follow).
   */
  async recordFailure(
    peer: string,
    name: string,
    payload: unknown,
    attempts: number,
    error: string,
  ): Promise<void> {
    await this.repository.recordPeerError(peer, `${name}: ${error}`, new Date(this.now()));
    if (name !== manifestPushed.name || attempts < this.settings.failedAfterAttempts) return;
    const push = manifestPushed.schema.safeParse(payload);
    if (!push.success) return;
    await this.repository.reportFailure(this.failed(push.data, attempts, error));
  }

  private async replicateBlob(peer: string, blob: BlobUploaded): Promise<void> {
    try {
      await this.copier.ensure(peer, blob);
    } catch (error) {
      // deleted in its region since (and maybe removed from its store): nothing to copy
      if (await this.goneFromPeer(peer, blob)) return;
      throw error;
    }
    await this.services.linkBlob(blob.repository, blob.digest, blob.size);
  }

  private async goneFromPeer(peer: string, blob: BlobUploaded): Promise<boolean> {
    try {
      await this.services.statBlob(peer, blob.repository, blob.digest);
      return false;
    } catch (error) {
      return isRegistryError(error) && ['BLOB_UNKNOWN', 'NAME_UNKNOWN'].includes(error.code);
    }
  }

  private async replicatePush(peer: string, push: ManifestPushed): Promise<ApplyOutcome> {
    if (await this.repository.isApplied(push.eventId)) return 'superseded';
    const at = new Date(this.now());
    await this.repository.recordPending(pushedImage(push), this.settings.region, at);
    const { blobs } = push.references;
    // every copy runs to its end before a failure is reported: a retry finds no copy half done
    const copyError = await firstError(blobs.map((blob) => this.copier.ensure(peer, blob)));
    if (copyError !== undefined) {
      // a push a later delete superseded needs no blobs (its origin may have removed them)
      const outcome = await this.applyPush(push).catch(() => undefined);
      if (outcome === undefined) throw copyError;
      return this.settlePush(push, outcome);
    }
    await Promise.all(
      blobs.map((blob) => this.services.linkBlob(push.repository, blob.digest, blob.size)),
    );
    return this.settlePush(push, await this.applyPush(push));
  }

  private applyPush(push: ManifestPushed): Promise<ApplyOutcome> {
    return this.services.applyManifestEvent({ kind: 'manifest.pushed', event: push });
  }

  /** Ready here, announced once; or, when a later delete won, only remembered as applied. */
  private async settlePush(push: ManifestPushed, outcome: ApplyOutcome): Promise<ApplyOutcome> {
    if (outcome === 'superseded') {
      await this.repository.markApplied(push.eventId, push.originRegion, manifestPushed.name);
      return outcome;
    }
    await this.repository.completePush(push, this.completed(push));
    return outcome;
  }

  private async recordOutcomeEvent(name: string, payload: unknown): Promise<void> {
    if (name === replicationCompleted.name)
      await this.repository.recordOutcome(replicationCompleted.schema.parse(payload));
    else if (name === replicationFailed.name)
      await this.repository.recordOutcome(replicationFailed.schema.parse(payload));
  }

  private completed(push: ManifestPushed): ReplicationCompleted {
    const lagMs = this.now() - Date.parse(push.occurredAt);
    return { ...this.outcome(push), lagMs: Math.max(0, Math.round(lagMs)) };
  }

  private failed(push: ManifestPushed, attempts: number, error: string): ReplicationFailed {
    return { ...this.outcome(push), error, attempts };
  }

  /** The push's actor and request travel on: webhooks tell who pushed, as ACR's do. */
  private outcome(push: ManifestPushed) {
    return {
      ...this.outbox.envelope({ actor: push.actor, request: push.request }),
      repository: push.repository,
      digest: push.digest,
      mediaType: push.mediaType,
      size: push.size,
      ...(push.tag === undefined ? {} : { tag: push.tag }),
      region: this.settings.region,
      sourceRegion: push.originRegion,
      sourceEventId: push.eventId,
      pushedAt: push.occurredAt,
    };
  }
}

/**
 * A peer's tag, delete, lock or quarantine change, as `manifest.apply` takes it; undefined for other
 * events.
 */
function manifestChange(name: string, payload: unknown): ManifestApply | undefined {
  switch (name) {
    case manifestDeleted.name:
      return { kind: 'manifest.deleted', event: manifestDeleted.schema.parse(payload) };
    case tagUpdated.name:
      return { kind: 'tag.updated', event: tagUpdated.schema.parse(payload) };
    case tagDeleted.name:
      return { kind: 'tag.deleted', event: tagDeleted.schema.parse(payload) };
    case repositoryDeleted.name:
      return { kind: 'repository.deleted', event: repositoryDeleted.schema.parse(payload) };
    case lockChanged.name:
      return { kind: 'lock.changed', event: lockChanged.schema.parse(payload) };
    case quarantineChanged.name:
      return { kind: 'quarantine.changed', event: quarantineChanged.schema.parse(payload) };
    case quarantineSettingChanged.name:
      return {
        kind: 'quarantine-setting.changed',
        event: quarantineSettingChanged.schema.parse(payload),
      };
    case retentionSettingChanged.name:
      return {
        kind: 'retention-setting.changed',
        event: retentionSettingChanged.schema.parse(payload),
      };
    case softDeleteSettingChanged.name:
      return {
        kind: 'soft-delete-setting.changed',
        event: softDeleteSettingChanged.schema.parse(payload),
      };
    default:
      return undefined;
  }
}

/** Waits for all of `work`; the first failure, if any. */
async function firstError(work: Promise<unknown>[]): Promise<unknown> {
  const failed = (await Promise.allSettled(work)).find((outcome) => outcome.status === 'rejected');
  return failed?.reason;
}

function pushedImage(push: ManifestPushed): PushedImage {
  return {
    repository: push.repository,
    digest: push.digest,
    sourceRegion: push.originRegion,
    pushedAt: push.occurredAt,
  };
}
