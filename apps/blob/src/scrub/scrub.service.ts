/**
 * Scrub jobs: started by `blob.scrub-start`, run here in the background, read by
 * `blob.scrub-get`. A job takes the blobs the region's records say its store holds (or those
 * one repository sees) in digest order, re-reads each at the configured rate and hashes it
 * (check-blob.ts). A blob found missing or corrupt whose record still stands is reported and,
 * unless the job was asked not to, repaired from a peer region (blob-repairs.ts) and checked
 * again here before it counts as repaired: this service never takes a copy on trust either.
 *
 * One job at a time per region (the table allows one queued or running): a second start
 * answers with the job under way. Jobs survive a restart: a replica holds a lease on the job
 * it runs, renews it while it runs and gives it up when it shuts down; every replica, on start
 * and every `orphanScanMs`, claims a job whose lease ran out and resumes it after the last blob
 * recorded (`afterDigest`).
 */
import { randomUUID } from 'node:crypto';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import {
  type BlobInfo,
  RegistryError,
  type ScrubItem,
  type ScrubJob,
  type ScrubRequest,
} from '@meridian/contracts';
import { InjectLogger, type Logger, metrics } from '@meridian/telemetry';
import { type BlobConfig, blobConfigToken } from '../config';
import { InjectStorageDriver, type ScrubStore } from '../inject-storage-driver';
import { BlobRepairs } from './blob-repairs';
import { type BlobCheck, ScrubStopped, checkBlob } from './check-blob';
import { ReadPace } from './read-pace';
import { ScrubRepository, type ScrubStep, type StoredScrubJob } from './scrub.repository';

const leaseMs = 60_000;
const orphanScanMs = 20_000;
const pageSize = 100;
/** figures are written at least this often while a job runs, so GET shows it moving */
const recordEveryMs = 1_000;
/** a job keeps this many items; its counts go on counting past them */
export const maxItemsPerJob = 10_000;

@Injectable()
export class ScrubService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly running = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly jobs: ScrubRepository,
    private readonly repairs: BlobRepairs,
    @InjectStorageDriver() private readonly store: ScrubStore,
    @Inject(blobConfigToken) private readonly config: Pick<BlobConfig, 'scrubBytesPerSecond'>,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    void this.resumeOrphans();
    this.timer = setInterval(() => void this.resumeOrphans(), orphanScanMs);
    this.timer.unref();
  }

  /** Stops inside the blob under way and gives the lease up: a restart resumes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    clearInterval(this.timer);
    await Promise.all(this.running.values());
  }

  async start(request: ScrubRequest): Promise<ScrubJob> {
    const { id, created } = await this.jobs.create(randomUUID(), request, leaseMs);
    if (created) {
      this.logger.info(
        { id, repository: request.repository, repair: request.repair },
        'scrub queued',
      );
      this.launch(id);
    }
    return this.get(id);
  }

  async get(id: string): Promise<ScrubJob> {
    const job = await this.jobs.get(id);
    if (!job) throw new RegistryError('RESOURCE_UNKNOWN', 'no such scrub job', { id });
    const { afterDigest: _after, ...view } = job;
    return view;
  }

  /** Resolves when the job, if this replica runs it, has stopped running here. */
  whenIdle(id: string): Promise<void> {
    return this.running.get(id) ?? Promise.resolve();
  }

  private async resumeOrphans(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    try {
      for (const id of await this.jobs.claimOrphans(leaseMs)) {
        this.logger.info({ id }, 'scrub resumed');
        this.launch(id);
      }
    } catch (err) {
      this.logger.warn({ err }, 'failed to claim scrub jobs');
    }
  }

  private launch(id: string): void {
    if (this.running.has(id)) return;
    const run = this.run(id).finally(() => this.running.delete(id));
    this.running.set(id, run);
  }

  private async run(id: string): Promise<void> {
    const renewal = setInterval(() => {
      this.jobs.renew(id, leaseMs).catch((err: unknown) => {
        this.logger.warn({ err, id }, 'failed to renew a scrub lease');
      });
    }, leaseMs / 3);
    try {
      const job = await this.jobs.get(id);
      if (job?.state !== 'queued' && job?.state !== 'running') return;
      const finished = await this.work(job);
      if (!finished) {
        await this.jobs.release(id);
        return;
      }
      await this.jobs.finish(id, 'succeeded');
      this.logger.info({ id }, 'scrub finished');
    } catch (err) {
      this.logger.error({ err, id }, 'scrub failed');
      const reason = err instanceof Error ? err.message : String(err);
      await this.jobs.finish(id, 'failed', reason).catch((error: unknown) => {
        this.logger.warn({ err: error, id }, 'failed to record a failed scrub');
      });
    } finally {
      clearInterval(renewal);
    }
  }

  /** Checks the blobs after the last one recorded; false when it stopped early. */
  private async work(job: StoredScrubJob): Promise<boolean> {
    let { progress } = job;
    if (job.state === 'queued') {
      const totals = await this.jobs.totals(job.request);
      progress = { ...progress, blobsTotal: totals.blobs, bytesTotal: totals.bytes };
      await this.jobs.begin(job.id, progress);
      this.logger.info({ id: job.id, ...totals }, 'scrub started');
    }
    const pace = new ReadPace(this.config.scrubBytesPerSecond);
    let itemsKept = job.items.length;
    let step: ScrubStep | undefined;
    let after = job.afterDigest;
    let counts = job.counts;
    let recordedAt = Date.now();
    const record = async () => {
      if (!step) return;
      await this.jobs.record(job.id, step, leaseMs);
      step = undefined;
      recordedAt = Date.now();
    };
    for (;;) {
      const page = await this.jobs.blobs(job.request, after, pageSize);
      for (const blob of page) {
        if (this.stopping.signal.aborted) {
          await record();
          return false;
        }
        let outcome: ScrubItem | 'ok' | 'gone';
        try {
          outcome = await this.scrubOne(blob, job.request.repair, pace);
        } catch (error) {
          if (!(error instanceof ScrubStopped)) throw error;
          await record();
          return false;
        }
        progress = {
          ...progress,
          blobsChecked: progress.blobsChecked + 1,
          bytesChecked: progress.bytesChecked + blob.size,
        };
        const item = typeof outcome === 'string' ? undefined : outcome;
        if (outcome === 'ok') counts = { ...counts, ok: counts.ok + 1 };
        if (item) counts = countItem(counts, item);
        after = blob.digest;
        const items = step?.items ?? [];
        if (item && itemsKept < maxItemsPerJob) {
          items.push(item);
          itemsKept += 1;
        }
        step = { afterDigest: blob.digest, progress, counts, items };
        if (item || Date.now() - recordedAt >= recordEveryMs) await record();
      }
      if (page.length < pageSize) break;
    }
    await record();
    return true;
  }

  /**
   * Checks one blob, repairs it if asked: the item to report, `ok`, or `gone` when the blob
   * was removed (GC, a delete) while it was read.
   */
  private async scrubOne(
    blob: BlobInfo,
    repair: boolean,
    pace: ReadPace,
  ): Promise<ScrubItem | 'ok' | 'gone'> {
    const check = await checkBlob(this.store, blob, pace, this.stopping.signal);
    metrics().scrubBlobs.add(1, { result: check.state });
    metrics().scrubBytes.add(blob.size);
    if (check.state === 'ok') return 'ok';
    if (!(await this.jobs.isRecorded(blob.digest))) return 'gone';
    const found = {
      digest: blob.digest,
      size: blob.size,
      problem: check.state,
      found: check.found,
    };
    this.logger.warn({ ...found }, 'scrub found a bad blob');
    if (!repair) {
      return { ...found, action: 'reported', detail: 'the job was asked not to repair' };
    }
    const outcome = await this.repairs.repair(blob);
    if (!outcome.repaired) {
      metrics().scrubRepairs.add(1, { outcome: 'unrepairable' });
      this.logger.warn(
        { digest: blob.digest, detail: outcome.detail },
        'scrub could not repair a blob',
      );
      return { ...found, action: 'unrepairable', detail: outcome.detail };
    }
    const again: BlobCheck = await checkBlob(this.store, blob, pace, this.stopping.signal);
    if (again.state !== 'ok') {
      metrics().scrubRepairs.add(1, { outcome: 'unrepairable' });
      const detail = `copied from ${outcome.region}, but read back here: ${again.found}`;
      this.logger.warn({ digest: blob.digest, detail }, 'scrub could not repair a blob');
      return { ...found, action: 'unrepairable', region: outcome.region, detail };
    }
    metrics().scrubRepairs.add(1, { outcome: 'repaired' });
    this.logger.info({ digest: blob.digest, region: outcome.region }, 'scrub repaired a blob');
    return {
      ...found,
      action: 'repaired',
      region: outcome.region,
      detail: `copied from ${outcome.region} and verified here`,
    };
  }
}

function countItem(counts: ScrubJob['counts'], item: ScrubItem): ScrubJob['counts'] {
  const next = { ...counts, [item.problem]: counts[item.problem] + 1 };
  if (item.action === 'repaired') next.repaired += 1;
  if (item.action === 'unrepairable') next.unrepairable += 1;
  return next;
}
