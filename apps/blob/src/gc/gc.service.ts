/**
 * Garbage collection of the region's store (docs/architecture.md, "Garbage collection").
 * A job walks the blobs in digest order, a batch at a time: each batch is held, read,
 * decided (gc-decisions.ts, with the manifest service's answer of what is referenced) and
 * applied in one transaction; then the doomed blobs' bytes are freed, each under its hold.
 * A dry run reads and decides the same way and changes nothing.
 *
 * One job runs at a time per region (a second start answers the running one). The background
 * schedule starts one every `intervalMinutes`; the walk keeps to `blobsPerSecond`, so client
 * traffic keeps its speed. Jobs survive restarts like purge jobs: a replica leases the job it
 * runs, and a job whose lease ran out is resumed after the last batch it recorded.
 */
import { randomUUID } from 'node:crypto';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import {
  type BlobLink,
  type GcJob,
  type GcProgress,
  RegistryError,
  gcRpc,
  maxReferenceQuestions,
} from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';
import { isUploadId } from '@meridian/oci';
import { blobKey, uploadPrefix, uploadsPrefix } from '@meridian/storage';
import { InjectLogger, type Logger, metrics } from '@meridian/telemetry';
import { type BlobConfig, blobConfigToken } from '../config';
import { type CollectedStore, InjectStorageDriver } from '../inject-storage-driver';
import { type Batch, GcRepository, type StoredGcJob } from './gc.repository';
import { type Decisions, type References, decide, linkKey } from './gc-decisions';

const leaseMs = 60_000;
const orphanScanMs = 20_000;
const batchSize = 200;
const freeBatch = 100;
const maxLeftoversPerRun = 10_000;

/** What the manifest service says is referenced; an interface so tests can stand in. */
export abstract class ReferenceOracle {
  abstract referenced(links: BlobLink[], digests: string[]): Promise<References>;
}

@Injectable()
export class NatsReferenceOracle implements ReferenceOracle {
  constructor(private readonly rpc: RpcClient) {}

  async referenced(links: BlobLink[], digests: string[]): Promise<References> {
    const answer: References = { links: new Set(), digests: new Set() };
    for (let start = 0; start < Math.max(links.length, digests.length);) {
      const end = start + maxReferenceQuestions;
      const found = await this.rpc.request(gcRpc.references, {
        links: links.slice(start, end),
        digests: digests.slice(start, end),
      });
      for (const link of found.links) answer.links.add(linkKey(link.repository, link.digest));
      for (const digest of found.digests) answer.digests.add(digest);
      start = end;
    }
    return answer;
  }
}

@Injectable()
export class GcService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private running?: { id: string; done: Promise<void> };
  private stopping = false;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly jobs: GcRepository,
    private readonly oracle: ReferenceOracle,
    @InjectStorageDriver() private readonly store: CollectedStore,
    @Inject(blobConfigToken) private readonly config: BlobConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    metrics().observeGcReclaimable(() => this.jobs.reclaimableBytes());
    const every = (ms: number, work: () => Promise<unknown>) => {
      const timer = setInterval(() => void work().catch(() => undefined), ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(orphanScanMs, () => this.resumeOrphan());
    void this.resumeOrphan();
    const minutes = this.config.gc.intervalMinutes;
    if (minutes > 0) every(minutes * 60_000, () => this.start({ dryRun: false }, 'schedule'));
  }

  /** Stops after the batch under way and gives the lease up: a restart resumes the job. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    await this.running?.done;
  }

  async start(
    request: { dryRun: boolean },
    trigger: GcJob['trigger'] = 'api',
  ): Promise<{ job: GcJob; started: boolean }> {
    const { job, started } = await this.jobs.start(randomUUID(), request.dryRun, trigger, leaseMs);
    if (started) {
      this.logger.info({ id: job.id, dryRun: job.dryRun, trigger }, 'garbage collection started');
      this.launch(job.id);
    }
    return { job: view(job), started };
  }

  async get(id: string): Promise<GcJob> {
    const job = await this.jobs.get(id);
    if (!job) throw new RegistryError('RESOURCE_UNKNOWN', 'no such garbage collection', { id });
    return view(job);
  }

  /** Resolves when the job this replica runs, if any, has stopped running here. */
  whenIdle(): Promise<void> {
    return this.running?.done ?? Promise.resolve();
  }

  private async resumeOrphan(): Promise<void> {
    if (this.stopping || this.running) return;
    const id = await this.jobs.claimOrphan(leaseMs);
    if (id === undefined) return;
    this.logger.info({ id }, 'garbage collection resumed');
    this.launch(id);
  }

  private launch(id: string): void {
    if (this.running) return;
    const done = this.run(id).finally(() => {
      this.running = undefined;
    });
    this.running = { id, done };
  }

  private async run(id: string): Promise<void> {
    const started = process.hrtime.bigint();
    let outcome: 'succeeded' | 'failed' | 'stopped' = 'failed';
    let dryRun = false;
    try {
      const job = await this.jobs.get(id);
      if (job?.status !== 'running') return;
      dryRun = job.dryRun;
      if (!(await this.walk(job))) {
        outcome = 'stopped';
        await this.jobs.release(id);
        return;
      }
      await this.jobs.finish(id, 'succeeded');
      outcome = 'succeeded';
      this.logger.info({ id, dryRun }, 'garbage collection finished');
    } catch (err) {
      metrics().gcErrors.add(1, { step: 'job' });
      this.logger.error({ err, id }, 'garbage collection failed');
      const reason = err instanceof Error ? err.message : String(err);
      await this.jobs.finish(id, 'failed', reason).catch(() => undefined);
    } finally {
      if (outcome !== 'stopped') {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        metrics().gcDuration.record(seconds, { outcome, dry_run: String(dryRun) });
      }
    }
  }

  /** Walks the blobs after the job's cursor; false when it stopped early (shutdown). */
  private async walk(job: StoredGcJob): Promise<boolean> {
    let { cursor, progress } = job;
    const graceMs = this.config.gc.graceHours * 3_600_000;
    const decideBatch = async (batch: Batch): Promise<Decisions> => {
      const links = batch.blobs.flatMap((blob) =>
        blob.links.map((link) => ({ repository: link.repository, digest: blob.digest })),
      );
      const references = await this.oracle.referenced(
        links,
        batch.blobs.map((blob) => blob.digest),
      );
      return decide(batch.blobs, references, batch.now, new Date(batch.now.getTime() - graceMs));
    };
    for (;;) {
      if (this.stopping) return false;
      const begun = Date.now();
      const { batch, decisions } = job.dryRun
        ? await this.peek(cursor, decideBatch)
        : await this.jobs.collect(cursor, batchSize, decideBatch);
      progress = tally(progress, batch, decisions, job.dryRun);
      if (!job.dryRun) progress = await this.freeDoomed(progress);
      if (batch.last === undefined) {
        if (!job.dryRun) progress = await this.removeUploadLeftovers(progress);
        await this.jobs.record(job.id, cursor, progress, leaseMs);
        return true;
      }
      cursor = batch.last;
      await this.jobs.record(job.id, cursor, progress, leaseMs);
      await this.keepRate(batch.blobs.length + batch.busy, Date.now() - begun);
    }
  }

  private async peek(
    cursor: string,
    decideBatch: (batch: Batch) => Promise<Decisions>,
  ): Promise<{ batch: Batch; decisions: Decisions }> {
    const batch = await this.jobs.peek(cursor, batchSize);
    return { batch, decisions: await decideBatch(batch) };
  }

  /** Frees the doomed blobs' bytes (this batch's, and any an earlier run left doomed). */
  private async freeDoomed(progress: GcProgress): Promise<GcProgress> {
    let { blobsFreed, bytesFreed } = progress;
    for (;;) {
      const begun = Date.now();
      const doomed = await this.jobs.doomed(freeBatch);
      let freedNow = 0;
      for (const blob of doomed) {
        try {
          const freed = await this.jobs.free(blob.digest, () =>
            this.store.delete(blobKey(blob.digest)),
          );
          if (!freed) continue;
          freedNow += 1;
          blobsFreed += 1;
          bytesFreed += blob.size;
          metrics().gcReclaimedBytes.add(blob.size);
        } catch (err) {
          metrics().gcErrors.add(1, { step: 'free' });
          this.logger.warn({ err, digest: blob.digest }, 'failed to free a blob: kept doomed');
        }
      }
      // freeing is paced like the walk: deletes compete with uploads for the disk
      await this.keepRate(doomed.length, Date.now() - begun);
      if (doomed.length < freeBatch || freedNow === 0)
        return { ...progress, blobsFreed, bytesFreed };
    }
  }

  /**
   * Removes upload sessions' objects that no session owns (a cancel whose cleanup failed):
   * seen without a session by an earlier collection at least `max(grace, 1 min)` ago, so a
   * session being opened (its objects come a moment before its row) is never taken.
   */
  private async removeUploadLeftovers(progress: GcProgress): Promise<GcProgress> {
    const ids = new Set<string>();
    for await (const key of this.store.list(uploadsPrefix)) {
      const id = key.slice(uploadsPrefix.length).split('/')[0] ?? '';
      if (isUploadId(id)) ids.add(id);
      if (ids.size >= maxLeftoversPerRun) break;
    }
    const minAgeMs = Math.max(this.config.gc.graceHours * 3_600_000, 60_000);
    const leftovers = await this.jobs.uploadLeftovers([...ids], minAgeMs);
    const removed: string[] = [];
    for (const id of leftovers) {
      try {
        for await (const key of this.store.list(uploadPrefix(id))) await this.store.delete(key);
        removed.push(id);
      } catch (err) {
        metrics().gcErrors.add(1, { step: 'upload-leftovers' });
        this.logger.warn({ err, uploadId: id }, 'failed to remove an upload leftover');
      }
    }
    await this.jobs.forgetLeftovers(removed);
    return {
      ...progress,
      uploadLeftoversRemoved: progress.uploadLeftoversRemoved + removed.length,
    };
  }

  /**
   * Keeps the walk to `blobsPerSecond`, and to half the time at most: after a batch it waits
   * at least as long as the batch took, so a collection yields to the pushes and pulls that
   * share the database and the cores with it.
   */
  private async keepRate(blobs: number, tookMs: number): Promise<void> {
    const paceMs = (blobs / this.config.gc.blobsPerSecond) * 1000 - tookMs;
    const waitMs = Math.max(paceMs, tookMs);
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

function tally(
  progress: GcProgress,
  batch: Batch,
  decisions: Decisions,
  dryRun: boolean,
): GcProgress {
  const doomedBytes = decisions.doom.reduce((sum, blob) => sum + blob.size, 0);
  return {
    blobsExamined: progress.blobsExamined + batch.blobs.length,
    linksRemoved: progress.linksRemoved + decisions.removeLinks.length,
    // a real run counts what it freed (freeDoomed); a dry run what it would
    blobsFreed: progress.blobsFreed + (dryRun ? decisions.doom.length : 0),
    bytesFreed: progress.bytesFreed + (dryRun ? doomedBytes : 0),
    blobsBusy: progress.blobsBusy + batch.busy,
    inGracePeriod: progress.inGracePeriod + decisions.inGracePeriod,
    uploadLeftoversRemoved: progress.uploadLeftoversRemoved,
  };
}

function view(job: StoredGcJob): GcJob {
  const { cursor: _cursor, ...rest } = job;
  return rest;
}
