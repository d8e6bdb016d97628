/**
 * In-memory stand-ins for what the scrub uses: its jobs and the region's blob records
 * (ScrubRepository), the store's bytes (ScrubStore) and the replication service's repairs
 * (BlobRepairs), which here copy from an in-memory peer store the way the real one does:
 * only when the peer's bytes hash to the digest.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { BlobInfo, ScrubRequest } from '@meridian/contracts';
import { StorageNotFoundError, blobKey } from '@meridian/storage';
import type { ScrubStore } from '../../src/inject-storage-driver';
import type { BlobRepairs, RepairOutcome } from '../../src/scrub/blob-repairs';
import type {
  ScrubProgress,
  ScrubRepository,
  ScrubStep,
  StoredScrubJob,
} from '../../src/scrub/scrub.repository';

export function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export class InMemoryScrubStore implements ScrubStore {
  readonly objects = new Map<string, Buffer>();
  /** keys read, in order */
  readonly reads: string[] = [];
  /** while set, reads wait for it */
  gate?: Promise<void>;

  async read(key: string): Promise<Readable> {
    this.reads.push(key);
    await this.gate;
    const bytes = this.objects.get(key);
    if (!bytes) throw new StorageNotFoundError(key);
    // in small chunks, as a store streams them
    const chunks: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += 4) chunks.push(bytes.subarray(at, at + 4));
    return Readable.from(chunks);
  }

  putBlob(bytes: Buffer): BlobInfo {
    const digest = digestOf(bytes);
    this.objects.set(blobKey(digest), bytes);
    return { digest, size: bytes.length };
  }
}

export class InMemoryBlobRepairs implements BlobRepairs {
  readonly asked: string[] = [];

  constructor(
    private readonly own: InMemoryScrubStore,
    private readonly peer: InMemoryScrubStore,
    private readonly region = 'eu-west',
  ) {}

  async repair(blob: BlobInfo): Promise<RepairOutcome> {
    this.asked.push(blob.digest);
    const key = blobKey(blob.digest);
    const bytes = this.peer.objects.get(key);
    if (!bytes) return { repaired: false, detail: `${this.region}: missing` };
    if (digestOf(bytes) !== blob.digest)
      return { repaired: false, detail: `${this.region}: corrupt` };
    this.own.objects.set(key, bytes);
    return { repaired: true, region: this.region };
  }
}

export class InMemoryScrubRepository implements ScrubRepository {
  readonly jobs = new Map<string, StoredScrubJob & { leased: boolean }>();
  /** the region's blob records, with the repositories that see each */
  readonly records = new Map<string, BlobInfo & { repositories: string[] }>();
  recordCalls = 0;

  async create(id: string, request: ScrubRequest): Promise<{ id: string; created: boolean }> {
    const active = [...this.jobs.values()].find(
      (job) => job.state === 'queued' || job.state === 'running',
    );
    if (active) return { id: active.id, created: false };
    this.jobs.set(id, {
      id,
      state: 'queued',
      request,
      createdTime: new Date().toISOString(),
      progress: { blobsChecked: 0, blobsTotal: 0, bytesChecked: 0, bytesTotal: 0 },
      counts: { ok: 0, corrupt: 0, missing: 0, repaired: 0, unrepairable: 0 },
      items: [],
      leased: true,
    });
    return { id, created: true };
  }

  async get(id: string): Promise<StoredScrubJob | undefined> {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    const { leased: _leased, ...stored } = job;
    return structuredClone(stored);
  }

  async claimOrphans(): Promise<string[]> {
    const orphans = [...this.jobs.values()].filter(
      (job) => (job.state === 'queued' || job.state === 'running') && !job.leased,
    );
    for (const job of orphans) job.leased = true;
    return orphans.map((job) => job.id);
  }

  async renew(): Promise<void> {}

  async release(id: string): Promise<void> {
    this.job(id).leased = false;
  }

  async begin(id: string, progress: ScrubProgress): Promise<void> {
    const job = this.job(id);
    if (job.state !== 'queued') return;
    job.state = 'running';
    job.progress = progress;
  }

  async record(id: string, step: ScrubStep): Promise<void> {
    this.recordCalls += 1;
    const job = this.job(id);
    job.items.push(...step.items);
    job.progress = step.progress;
    job.counts = step.counts;
    job.afterDigest = step.afterDigest;
  }

  async finish(id: string, state: 'succeeded' | 'failed', error?: string): Promise<void> {
    const job = this.job(id);
    job.state = state;
    job.finishedTime = new Date().toISOString();
    if (error !== undefined) job.error = error;
  }

  async totals(request: ScrubRequest): Promise<{ blobs: number; bytes: number }> {
    const blobs = this.scrubbed(request);
    return { blobs: blobs.length, bytes: blobs.reduce((sum, blob) => sum + blob.size, 0) };
  }

  async blobs(request: ScrubRequest, afterDigest: string | undefined, limit: number) {
    return this.scrubbed(request)
      .filter((blob) => afterDigest === undefined || blob.digest > afterDigest)
      .slice(0, limit)
      .map(({ digest, size }) => ({ digest, size }));
  }

  async isRecorded(digest: string): Promise<boolean> {
    return this.records.has(digest);
  }

  addRecord(blob: BlobInfo, repositories: string[] = ['team/app']): void {
    this.records.set(blob.digest, { ...blob, repositories });
  }

  private scrubbed(request: ScrubRequest) {
    return [...this.records.values()]
      .filter((blob) => !request.repository || blob.repositories.includes(request.repository))
      .sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
  }

  private job(id: string) {
    const job = this.jobs.get(id);
    if (!job) throw new Error(`no job ${id}`);
    return job;
  }
}
