/**
 * The replication repository in memory, with the same rules as the SQL one (applied once,
 * ready never undone, failed replaces pending, one failure report per source event), and
 * the outcome events it would have written to the outbox.
 */
import type {
  ManifestPushed,
  RegionId,
  ReplicationCompleted,
  ReplicationFailed,
} from '@meridian/contracts';
import {
  type ImageStatusRow,
  type PeerError,
  type PushedImage,
  ReplicationRepository,
} from '../../src/replication/replication.repository';

export class FakeReplicationRepository extends ReplicationRepository {
  readonly applied = new Set<string>();
  readonly outbox: (ReplicationCompleted | ReplicationFailed)[] = [];
  private readonly reported = new Set<string>();
  private readonly status = new Map<string, ImageStatusRow>();
  private readonly errors = new Map<RegionId, PeerError>();

  async isApplied(eventId: string): Promise<boolean> {
    return this.applied.has(eventId);
  }

  async markApplied(eventId: string): Promise<boolean> {
    if (this.applied.has(eventId)) return false;
    this.applied.add(eventId);
    return true;
  }

  async recordPending(image: PushedImage, region: RegionId, at: Date): Promise<void> {
    const key = statusKey(image.repository, image.digest, region);
    if (this.status.has(key)) return;
    this.status.set(key, {
      repository: image.repository,
      digest: image.digest,
      region,
      state: 'pending',
      since: at,
      pushedAt: new Date(image.pushedAt),
      sourceRegion: image.sourceRegion,
    });
  }

  async completePush(push: ManifestPushed, completed: ReplicationCompleted): Promise<boolean> {
    if (!(await this.markApplied(push.eventId))) return false;
    await this.recordOutcome(completed);
    this.outbox.push(completed);
    return true;
  }

  async recordOutcome(event: ReplicationCompleted | ReplicationFailed): Promise<void> {
    const key = statusKey(event.repository, event.digest, event.region);
    const current = this.status.get(key);
    if (current?.state === 'ready') return;
    const ready = 'lagMs' in event;
    const state = ready ? 'ready' : 'failed';
    this.status.set(key, {
      repository: event.repository,
      digest: event.digest,
      region: event.region,
      state,
      since: current?.state === state ? current.since : new Date(event.occurredAt),
      pushedAt: new Date(event.pushedAt),
      sourceRegion: event.sourceRegion,
      ...(ready ? { lagMs: event.lagMs } : { lastError: event.error }),
    });
  }

  async reportFailure(failed: ReplicationFailed): Promise<boolean> {
    if (this.reported.has(failed.sourceEventId)) return false;
    this.reported.add(failed.sourceEventId);
    await this.recordOutcome(failed);
    this.outbox.push(failed);
    return true;
  }

  async recordPeerError(peer: RegionId, error: string, at: Date): Promise<void> {
    this.errors.set(peer, { error, at });
  }

  async peerErrors(): Promise<Map<RegionId, PeerError>> {
    return new Map(this.errors);
  }

  async statusOf(repository: string, digest: string): Promise<ImageStatusRow[]> {
    return [...this.status.values()].filter(
      (row) => row.repository === repository && row.digest === digest,
    );
  }
}

function statusKey(repository: string, digest: string, region: string): string {
  return `${repository}@${digest}@${region}`;
}
