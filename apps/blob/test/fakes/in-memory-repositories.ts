/**
 * In-memory versions of the blob service's repositories, sharing one `InMemoryBlobData`, so
 * the services' rules can be tested without Postgres. They keep the SQL versions' contracts:
 * expiry by idle time, optimistic advance, exactly one complete per session, an event only
 * when a repository gains or loses a blob.
 */
import type { BlobInfo, EventEnvelope, UploadSession, UploadState } from '@meridian/contracts';
import type { BlobsRepository, MountRequest, Mounted } from '../../src/blobs/blobs.repository';
import type {
  AdvanceResult,
  CompleteRequest,
  CompleteResult,
  DeferredLookup,
  ExpiredUpload,
  UploadsRepository,
} from '../../src/uploads/uploads.repository';
import type { UploadRoom, UsageRepository } from '../../src/usage/usage.repository';

export interface RecordedEvent {
  name: 'blob.uploaded.v1' | 'blob.deleted.v1';
  payload: Record<string, unknown>;
}

interface StoredSession {
  session: UploadSession;
  updatedAtMs: number;
}

export class InMemoryBlobData {
  readonly blobs = new Map<string, number>();
  /** `repository digest` */
  readonly links = new Set<string>();
  /** `repository digest` of links deleted here; a link made since outweighs it */
  readonly tombstones = new Set<string>();
  readonly uploads = new Map<string, StoredSession>();
  /** ended sessions the gateway opened, and when they ended */
  readonly endedUploads = new Map<string, number>();
  readonly events: RecordedEvent[] = [];
  readonly quotas = new Map<string, number>();
  nowMs = Date.parse('2026-01-01T00:00:00Z');

  constructor(readonly idleTimeoutSeconds = 86_400) {}

  /** A blob the region has, linked to the given repositories. */
  addBlob(blob: BlobInfo, ...repositories: string[]): void {
    this.blobs.set(blob.digest, blob.size);
    for (const repository of repositories) this.links.add(linkKey(repository, blob.digest));
  }

  sees(repository: string, digest: string): boolean {
    return this.links.has(linkKey(repository, digest));
  }

  isExpired(stored: StoredSession): boolean {
    return this.nowMs - stored.updatedAtMs >= this.idleTimeoutSeconds * 1000;
  }

  /** A session opened at `startedAt` and never used since has not expired. */
  isFresh(startedAt: string): boolean {
    return this.nowMs - Date.parse(startedAt) < this.idleTimeoutSeconds * 1000;
  }

  /** The session if it belongs to `repository` and has not expired. */
  liveSession(uploadId: string, repository: string): StoredSession | undefined {
    const stored = this.uploads.get(uploadId);
    return stored?.session.repository === repository && !this.isExpired(stored)
      ? stored
      : undefined;
  }
}

export class InMemoryBlobsRepository implements BlobsRepository {
  constructor(private readonly data: InMemoryBlobData) {}

  async find(repository: string, digest: string): Promise<BlobInfo | undefined> {
    const size = this.data.blobs.get(digest);
    return size !== undefined && this.data.sees(repository, digest) ? { digest, size } : undefined;
  }

  async findMany(repository: string, digests: string[]): Promise<BlobInfo[]> {
    const found = await Promise.all(digests.map((digest) => this.find(repository, digest)));
    return found.filter((blob) => blob !== undefined);
  }

  async mount(
    { repository, digest, from }: MountRequest,
    envelope: EventEnvelope,
  ): Promise<Mounted | undefined> {
    const source = [...this.data.links]
      .map((key) => key.split(' ') as [string, string])
      .find(
        ([linked, linkedDigest]) =>
          linkedDigest === digest && (from === undefined || linked === from),
      )?.[0];
    const size = this.data.blobs.get(digest);
    if (source === undefined || size === undefined) return undefined;
    const linked = !this.data.sees(repository, digest);
    if (linked) {
      this.data.links.add(linkKey(repository, digest));
      this.data.events.push({
        name: 'blob.uploaded.v1',
        payload: { ...envelope, repository, digest, size, mountedFrom: source },
      });
    }
    return { blob: { digest, size }, linked };
  }

  async link(
    repository: string,
    { digest, size }: BlobInfo,
    requireStored: () => Promise<void>,
  ): Promise<void> {
    await requireStored();
    if (!this.data.blobs.has(digest)) this.data.blobs.set(digest, size);
    this.data.links.add(linkKey(repository, digest));
  }

  async unlink(repository: string, digest: string, envelope: EventEnvelope): Promise<boolean> {
    if (!this.data.links.delete(linkKey(repository, digest))) return false;
    this.data.tombstones.add(linkKey(repository, digest));
    this.data.events.push({
      name: 'blob.deleted.v1',
      payload: { ...envelope, repository, digest },
    });
    return true;
  }

  async wasDeleted(repository: string, digest: string): Promise<boolean> {
    const key = linkKey(repository, digest);
    return this.data.tombstones.has(key) && !this.data.links.has(key);
  }
}

export class InMemoryUploadsRepository implements UploadsRepository {
  /** makes the next insert fail, as a database outage would */
  failNextInsert = false;

  constructor(private readonly data: InMemoryBlobData) {}

  async insert(uploadId: string, repository: string, state: UploadState): Promise<UploadSession> {
    if (this.failNextInsert) {
      this.failNextInsert = false;
      throw new Error('database unavailable');
    }
    const session = {
      uploadId,
      repository,
      offset: state.size,
      state,
      startedAt: new Date(this.data.nowMs).toISOString(),
    };
    this.data.uploads.set(uploadId, { session, updatedAtMs: this.data.nowMs });
    return session;
  }

  async insertDeferred(
    uploadId: string,
    repository: string,
    state: UploadState,
    startedAt: string,
  ): Promise<UploadSession | undefined> {
    if (this.data.endedUploads.has(uploadId) || this.data.uploads.has(uploadId)) return undefined;
    const session = { uploadId, repository, offset: state.size, state, startedAt };
    this.data.uploads.set(uploadId, { session, updatedAtMs: this.data.nowMs });
    return session;
  }

  async find(uploadId: string, repository: string): Promise<UploadSession | undefined> {
    return this.data.liveSession(uploadId, repository)?.session;
  }

  async findDeferred(
    uploadId: string,
    repository: string,
    startedAt: string,
  ): Promise<DeferredLookup> {
    if (this.data.endedUploads.has(uploadId)) return { kind: 'unknown' };
    const stored = this.data.liveSession(uploadId, repository);
    if (stored) return { kind: 'open', session: stored.session };
    return this.data.isFresh(startedAt) ? { kind: 'empty' } : { kind: 'unknown' };
  }

  async advance(
    uploadId: string,
    repository: string,
    fromOffset: number,
    state: UploadState,
  ): Promise<AdvanceResult> {
    const stored = this.data.liveSession(uploadId, repository);
    if (!stored) return { kind: 'unknown' };
    if (stored.session.offset !== fromOffset)
      return { kind: 'moved', offset: stored.session.offset };
    const session = { ...stored.session, offset: state.size, state };
    this.data.uploads.set(uploadId, { session, updatedAtMs: this.data.nowMs });
    return { kind: 'advanced', session };
  }

  async complete(
    { uploadId, repository, digest, size, placeBytes, deferred }: CompleteRequest,
    envelope: EventEnvelope,
  ): Promise<CompleteResult> {
    await placeBytes();
    const stored = this.data.uploads.get(uploadId);
    if (deferred) {
      if (stored?.session.repository === repository) this.data.uploads.delete(uploadId);
      if (this.data.endedUploads.has(uploadId)) return { kind: 'unknown' };
      this.data.endedUploads.set(uploadId, this.data.nowMs);
    } else {
      if (stored?.session.repository !== repository) return { kind: 'unknown' };
      this.data.uploads.delete(uploadId);
    }
    if (!this.data.blobs.has(digest)) this.data.blobs.set(digest, size);
    const linked = !this.data.sees(repository, digest);
    if (linked) {
      this.data.links.add(linkKey(repository, digest));
      this.data.events.push({
        name: 'blob.uploaded.v1',
        payload: { ...envelope, repository, digest, size },
      });
    }
    return { kind: 'completed', linked };
  }

  async remove(uploadId: string, repository: string): Promise<UploadState | undefined> {
    const stored = this.data.liveSession(uploadId, repository);
    if (!stored) return undefined;
    this.data.uploads.delete(uploadId);
    return stored.session.state;
  }

  async removeDeferred(
    uploadId: string,
    repository: string,
    startedAt: string,
  ): Promise<{ state: UploadState | undefined } | undefined> {
    const state = this.data.liveSession(uploadId, repository)?.session.state;
    if (state) this.data.uploads.delete(uploadId);
    if (!state && !this.data.isFresh(startedAt)) return undefined;
    if (this.data.endedUploads.has(uploadId)) return undefined;
    this.data.endedUploads.set(uploadId, this.data.nowMs);
    return { state };
  }

  async forgetEnded(limit: number): Promise<number> {
    const old = [...this.data.endedUploads]
      .filter(([, endedAtMs]) => this.data.nowMs - endedAtMs >= this.data.idleTimeoutSeconds * 1000)
      .slice(0, limit);
    for (const [id] of old) this.data.endedUploads.delete(id);
    return old.length;
  }

  async removeExpired(
    limit: number,
    removeBytes: (upload: ExpiredUpload) => Promise<boolean>,
  ): Promise<{ removed: number; kept: number }> {
    const expired = [...this.data.uploads.values()]
      .filter((stored) => this.data.isExpired(stored))
      .sort((a, b) => a.updatedAtMs - b.updatedAtMs)
      .slice(0, limit);
    let removed = 0;
    for (const { session } of expired) {
      if (await removeBytes({ uploadId: session.uploadId, state: session.state })) {
        this.data.uploads.delete(session.uploadId);
        removed++;
      }
    }
    return { removed, kept: expired.length - removed };
  }
}

function linkKey(repository: string, digest: string): string {
  return `${repository} ${digest}`;
}

/** Usage computed from the data on each call: a fake may scan what the SQL version may not. */
export class InMemoryUsageRepository implements UsageRepository {
  constructor(private readonly data: InMemoryBlobData) {}

  async usage(): Promise<{
    bytes: number;
    blobs: number;
    repositories: Array<{ repository: string; bytes: number; blobs: number; quotaBytes?: number }>;
  }> {
    const sizes = [...this.data.blobs.values()];
    const names = new Set([...this.data.links].map((link) => link.split(' ')[0]!));
    for (const name of this.data.quotas.keys()) names.add(name);
    return {
      bytes: sizes.reduce((sum, size) => sum + size, 0),
      blobs: sizes.length,
      repositories: [...names].sort().map((repository) => {
        const quotaBytes = this.data.quotas.get(repository);
        return {
          repository,
          ...this.repositoryUsage(repository),
          ...(quotaBytes === undefined ? {} : { quotaBytes }),
        };
      }),
    };
  }

  async uploadRoom(repository: string, digest: string | undefined): Promise<UploadRoom> {
    const quotaBytes = this.data.quotas.get(repository);
    return {
      storeBytes: [...this.data.blobs.values()].reduce((sum, size) => sum + size, 0),
      storeHas: digest !== undefined && this.data.blobs.has(digest),
      ...(digest !== undefined && this.data.blobs.has(digest)
        ? { storedSize: this.data.blobs.get(digest)! }
        : {}),
      repositoryBytes: this.repositoryUsage(repository).bytes,
      repositorySees: digest !== undefined && this.data.sees(repository, digest),
      ...(quotaBytes === undefined ? {} : { repositoryQuotaBytes: quotaBytes }),
    };
  }

  async quota(repository: string): Promise<number | undefined> {
    return this.data.quotas.get(repository);
  }

  async setQuota(repository: string, bytes: number | undefined): Promise<void> {
    if (bytes === undefined) this.data.quotas.delete(repository);
    else this.data.quotas.set(repository, bytes);
  }

  private repositoryUsage(repository: string): { bytes: number; blobs: number } {
    const digests = [...this.data.links]
      .filter((link) => link.startsWith(`${repository} `))
      .map((link) => link.slice(repository.length + 1));
    return {
      bytes: digests.reduce((sum, digest) => sum + (this.data.blobs.get(digest) ?? 0), 0),
      blobs: digests.length,
    };
  }
}
