/**
 * Purge jobs: started by `manifest.purge-start`, run here in the background one repository
 * at a time, read by `manifest.purge-get`. Each repository is a batch: a snapshot, a plan
 * (purge-plan.ts, the same for a dry run and the real run), and for the real run each
 * planned delete through `ManifestsService.delete` (locks checked again under the
 * repository's lock, tombstones, events, so webhooks and replication follow), on condition
 * that what was planned still holds: a tag re-pointed or a manifest tagged since is skipped.
 *
 * The cut-off is fixed when the job starts (its creation time minus `ago`), so a job picked
 * up again decides as it would have. Jobs survive a restart: a replica holds a lease on the
 * jobs it runs, gives it up when it shuts down and renews it while it runs; a replica that
 * starts (and every replica, every `orphanScanMs`) claims the running jobs whose lease ran
 * out and resumes them after the last repository they finished.
 */
import { randomUUID } from 'node:crypto';
import {
  type BeforeApplicationShutdown,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import {
  type PurgeItem,
  type PurgeJob,
  type PurgeRequest,
  RegistryError,
  agoMilliseconds,
  maxNamesPerJob,
  purgePattern,
} from '@meridian/contracts';
import type { RpcContext } from '@meridian/messaging';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import { ManifestsService } from '../manifests/manifests.service';
import { type PlannedItem, planPurge } from './purge-plan';
import { type PurgeProgress, PurgeRepository, type StoredPurgeJob } from './purge.repository';

const leaseMs = 60_000;
const orphanScanMs = 20_000;

@Injectable()
export class PurgeService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly running = new Map<string, Promise<void>>();
  private stopping = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly jobs: PurgeRepository,
    private readonly manifests: ManifestsService,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    void this.resumeOrphans();
    this.timer = setInterval(() => void this.resumeOrphans(), orphanScanMs);
    this.timer.unref();
  }

  /** Stops after the repository under way and gives the leases up: a restart resumes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await Promise.all(this.running.values());
  }

  async start(
    request: PurgeRequest,
    context: RpcContext,
  ): Promise<{ id: string; status: 'running' }> {
    const id = randomUUID();
    await this.jobs.create(id, request, context, leaseMs);
    this.logger.info({ id, dryRun: request.dryRun }, 'purge started');
    this.launch(id);
    return { id, status: 'running' };
  }

  async get(id: string): Promise<PurgeJob> {
    const job = await this.jobs.get(id);
    if (!job) throw new RegistryError('RESOURCE_UNKNOWN', 'no such purge job', { id });
    const { context: _context, doneRepositories: _done, ...view } = job;
    return view;
  }

  /** Resolves when the job, if this replica runs it, has stopped running here. */
  whenIdle(id: string): Promise<void> {
    return this.running.get(id) ?? Promise.resolve();
  }

  private async resumeOrphans(): Promise<void> {
    if (this.stopping) return;
    try {
      for (const id of await this.jobs.claimOrphans(leaseMs)) {
        this.logger.info({ id }, 'purge resumed');
        this.launch(id);
      }
    } catch (err) {
      this.logger.warn({ err }, 'failed to claim purge jobs');
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
        this.logger.warn({ err, id }, 'failed to renew a purge lease');
      });
    }, leaseMs / 3);
    try {
      const job = await this.jobs.get(id);
      if (job?.status !== 'running') return;
      const finished = await this.work(job);
      if (!finished) {
        await this.jobs.release(id);
        return;
      }
      await this.jobs.finish(id, 'succeeded');
      this.logger.info({ id }, 'purge finished');
    } catch (err) {
      this.logger.error({ err, id }, 'purge failed');
      const reason = err instanceof Error ? err.message : String(err);
      await this.jobs.finish(id, 'failed', reason).catch((error: unknown) => {
        this.logger.warn({ err: error, id }, 'failed to record a failed purge');
      });
    } finally {
      clearInterval(renewal);
    }
  }

  /** Works through the matched repositories not done yet; false when it stopped early. */
  private async work(job: StoredPurgeJob): Promise<boolean> {
    const { request } = job;
    const filters = request.filters.map((filter) => ({
      repository: purgePattern(filter.repository),
      tag: purgePattern(filter.tag),
    }));
    const cutoff = new Date(Date.parse(job.createdTime) - agoMilliseconds(request.ago));
    // at most maxNamesPerJob names meet a pattern (purge.rpc.ts says why)
    const matched = (await this.jobs.repositories(maxNamesPerJob)).filter((name) =>
      filters.some((filter) => filter.repository.test(name)),
    );
    await this.jobs.setMatched(job.id, matched.length);
    const done = new Set(job.doneRepositories);
    let progress: PurgeProgress = { ...job.progress, repositoriesMatched: matched.length };
    for (const repository of matched) {
      if (done.has(repository)) continue;
      if (this.stopping) return false;
      const tagPatterns = filters
        .filter((filter) => filter.repository.test(repository))
        .map((filter) => filter.tag);
      const snapshot = await this.jobs.snapshot(repository);
      const plan = snapshot
        ? planPurge(snapshot, {
            tagPatterns,
            cutoff,
            keep: request.keep,
            untagged: request.untagged,
          })
        : [];
      const referrers = new Set(
        snapshot?.manifests.filter((m) => m.subject !== undefined).map((m) => m.digest),
      );
      const items: PurgeItem[] = [];
      for (const planned of plan) {
        items.push(
          request.dryRun
            ? asDone(planned)
            : await this.execute(planned, job.context, referrers.has(planned.digest)),
        );
      }
      progress = countItems(progress, items);
      await this.jobs.recordRepository(job.id, repository, items, progress, leaseMs);
    }
    return true;
  }

  private async execute(
    planned: PlannedItem,
    context: RpcContext,
    referrer: boolean,
  ): Promise<PurgeItem> {
    if (planned.action !== 'delete') return asDone(planned);
    const { repository } = planned;
    try {
      const outcome =
        planned.kind === 'tag'
          ? await this.manifests.delete({ repository, reference: planned.tag ?? '' }, context, {
              digest: planned.digest,
            })
          : await this.manifests.delete({ repository, reference: planned.digest }, context, {
              untagged: !referrer,
            });
      if (outcome === 'changed') {
        return {
          ...planned,
          action: 'skipped',
          reason:
            planned.kind === 'tag'
              ? 'the tag was moved to another manifest after the plan'
              : 'the manifest was tagged after the plan',
        };
      }
      return { ...planned, action: 'deleted' };
    } catch (error) {
      if (!(error instanceof RegistryError)) throw error;
      if (error.code === 'DENIED') {
        return { ...planned, action: 'skipped', reason: `locked: ${error.message}` };
      }
      if (error.code === 'MANIFEST_UNKNOWN' || error.code === 'NAME_UNKNOWN') {
        return { ...planned, action: 'skipped', reason: 'deleted already, after the plan' };
      }
      throw error;
    }
  }
}

function asDone(planned: PlannedItem): PurgeItem {
  return { ...planned, action: planned.action === 'delete' ? 'deleted' : planned.action };
}

function countItems(progress: PurgeProgress, items: PurgeItem[]): PurgeProgress {
  const next = { ...progress, repositoriesDone: progress.repositoriesDone + 1 };
  for (const item of items) {
    if (item.action === 'kept') next.kept += 1;
    else if (item.action === 'skipped') next.skipped += 1;
    else if (item.kind === 'tag') next.tagsDeleted += 1;
    else next.manifestsDeleted += 1;
  }
  return next;
}
