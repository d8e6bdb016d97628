/**
 * Import jobs: queued by `replication.import-start`, run here in the background, read by
 * `replication.import-get`. A job is never "running" forever: a stalled transfer times out
 * (the upstream client's stall timeout), a failure that may pass (upstream down, slow,
 * rate-limiting, a service of this region not answering) is tried again after a delay that
 * doubles each time, and after `attempts` tries the job fails with the last reason in words.
 * A failure that will not pass (404, refused credentials, a digest mismatch, a locked or
 * existing tag, a quota) fails it at once.
 *
 * Jobs survive a restart: a replica leases each job it runs and renews the lease as it goes;
 * every replica claims what is due when it queues a job, when one of its jobs ends, and when
 * the next pending job's time comes (a delayed start, a retry, a lease that runs out), asking
 * Postgres when that is; at the latest every `pollMs`. So a job whose replica died starts over
 * elsewhere (the blobs it had stored are mounted then, not fetched again), and an idle
 * registry does not ask every second. Inline credentials are sealed into the job row and
 * dropped when it ends.
 */
import { randomUUID } from 'node:crypto';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import {
  type ImportJob,
  type ImportRequest,
  type ImportState,
  RegistryError,
} from '@meridian/contracts';
import type { RpcContext } from '@meridian/messaging';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import { CredentialSetsService, CredentialsBox } from './credential-sets.service';
import { ImportFailure } from '@meridian/outbound';
import type { ImportProgress, ImportTransfer } from './import-transfer';
import { ImportsRepository } from './imports.repository';

export interface ImportSettings {
  /** tries before a retryable failure fails the job */
  attempts: number;
  /** the delay before the second try; doubled for each one after */
  retryDelayMs: number;
  /** jobs run at once by this replica */
  concurrency: number;
  /** the longest wait between looks for due jobs */
  pollMs: number;
  leaseMs: number;
}

export const importSettingsToken = Symbol('ImportSettings');
export const importTransferToken = Symbol('ImportTransfer');

const progressWriteMs = 500;
/** the shortest wait between looks: a job due but just taken by another replica is not spun on */
const minPollGapMs = 50;
/** the wait after a look failed (Postgres away): jobs queued meanwhile are not left for `pollMs` */
const errorPauseMs = 1_000;
const maxRetryDelayMs = 5 * 60_000;

@Injectable()
export class ImportsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly running = new Map<string, Promise<void>>();
  private stopping = false;
  /** jobs run only between bootstrap and shutdown */
  private started = false;
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  /** asked to look while a look was under way: it may have missed what prompted the ask */
  private pollAgain = false;

  constructor(
    private readonly jobs: ImportsRepository,
    private readonly credentialSets: CredentialSetsService,
    private readonly box: CredentialsBox,
    @Inject(importTransferToken) private readonly transfer: ImportTransfer,
    @Inject(importSettingsToken) private readonly settings: ImportSettings,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.started = true;
    this.poll();
  }

  /** Stops claiming jobs; those under way keep their lease until it runs out, then resume elsewhere. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.polling;
  }

  /** Queues a job, to run no sooner than `delayMs` from now (a pull-through cache's store). */
  async start(
    request: ImportRequest,
    context: RpcContext,
    delayMs = 0,
  ): Promise<{ id: string; state: ImportState }> {
    if (
      request.credentialSet !== undefined &&
      !(await this.credentialSets.open(request.credentialSet))
    )
      throw new RegistryError('RESOURCE_UNKNOWN', 'no such credential set', {
        name: request.credentialSet,
      });
    const { credentials, ...stored } = request;
    const id = randomUUID();
    await this.jobs.create(
      id,
      stored,
      credentials ? this.box.seal(JSON.stringify(credentials)) : undefined,
      context,
      delayMs,
    );
    this.logger.info({ id, source: request.source, target: request.target }, 'import queued');
    // a delayed job moves the next look forward
    this.poll();
    return { id, state: 'queued' };
  }

  async get(id: string): Promise<ImportJob> {
    const job = await this.jobs.get(id);
    if (!job) throw new RegistryError('RESOURCE_UNKNOWN', 'no such import job', { id });
    const { request: _request, credentials: _credentials, context: _context, ...view } = job;
    return view;
  }

  /** Resolves when no job runs on this replica. */
  async whenIdle(): Promise<void> {
    while (this.running.size > 0 || this.polling) {
      await Promise.all([this.polling, ...this.running.values()]);
    }
  }

  /** Claims what is due, then sets the next look for when the next pending job is due. */
  private poll(): void {
    if (!this.started || this.stopping) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    clearTimeout(this.timer);
    this.polling = this.claimDue()
      .then(() => this.nextLookInMs())
      .catch((err: unknown) => {
        this.logger.warn({ err }, 'failed to claim import jobs');
        return errorPauseMs;
      })
      .then((waitMs) => {
        this.polling = undefined;
        if (this.pollAgain) {
          this.pollAgain = false;
          return this.poll();
        }
        if (this.stopping) return;
        this.timer = setTimeout(() => this.poll(), waitMs);
        this.timer.unref();
      });
  }

  private async nextLookInMs(): Promise<number> {
    const { pollMs, concurrency } = this.settings;
    // every slot taken: the job that ends first looks again
    if (this.running.size >= concurrency) return pollMs;
    const dueInMs = await this.jobs.dueInMs();
    if (dueInMs === undefined) return pollMs;
    return Math.min(pollMs, Math.max(dueInMs, minPollGapMs));
  }

  private async claimDue(): Promise<void> {
    const free = this.settings.concurrency - this.running.size;
    if (free <= 0) return;
    for (const id of await this.jobs.claim(free, this.settings.leaseMs)) {
      const run = this.run(id).finally(() => {
        this.running.delete(id);
        this.poll();
      });
      this.running.set(id, run);
    }
  }

  private async run(id: string): Promise<void> {
    const { leaseMs } = this.settings;
    const renewal = setInterval(() => {
      this.jobs.renew(id, leaseMs).catch((err: unknown) => {
        this.logger.warn({ err, id }, 'failed to renew an import lease');
      });
    }, leaseMs / 3);
    let job;
    try {
      job = await this.jobs.get(id);
      if (job?.state !== 'running') return;
      // claimed again after its replica stopped each time: not tried forever
      if (job.attempts > this.settings.attempts)
        throw new ImportFailure(
          'INTERNAL',
          `the service stopped during each of ${this.settings.attempts} tries`,
        );
      this.logger.info({ id, attempt: job.attempts }, 'import started');
      const credentials = job.credentials
        ? JSON.parse(this.box.open(job.credentials))
        : job.request.credentialSet !== undefined
          ? await this.credentialSets.open(job.request.credentialSet)
          : undefined;
      if (job.request.credentialSet !== undefined && credentials === undefined)
        throw new ImportFailure(
          'CREDENTIAL_SET_UNKNOWN',
          `credential set ${job.request.credentialSet} was deleted`,
        );
      const writer = new ProgressWriter((progress) => this.jobs.recordProgress(id, progress));
      const digest = await this.transfer.run(
        { request: job.request, ...(credentials ? { credentials } : {}), context: job.context },
        (progress) => writer.update(progress),
      );
      await writer.flush();
      await this.jobs.succeed(id, digest);
      this.logger.info({ id, digest }, 'import succeeded');
    } catch (err) {
      await this.settle(id, job?.attempts ?? 1, err).catch((error: unknown) => {
        this.logger.warn({ err: error, id }, 'failed to record an import failure');
      });
    } finally {
      clearInterval(renewal);
    }
  }

  private async settle(id: string, attempts: number, err: unknown): Promise<void> {
    const failure =
      err instanceof ImportFailure
        ? err
        : new ImportFailure('INTERNAL', err instanceof Error ? err.message : String(err), true);
    if (failure.retryable && attempts < this.settings.attempts) {
      const delayMs = Math.min(this.settings.retryDelayMs * 2 ** (attempts - 1), maxRetryDelayMs);
      this.logger.warn(
        { id, reason: failure.reason, err: failure, delayMs },
        'import will be retried',
      );
      await this.jobs.retryLater(id, delayMs, failure.reason, failure.message);
      return;
    }
    this.logger.warn({ id, reason: failure.reason, err: failure }, 'import failed');
    await this.jobs.fail(id, failure.reason, failure.message);
  }
}

/** Writes progress at most every `progressWriteMs`, the latest counts last. */
class ProgressWriter {
  private latest?: ImportProgress;
  private written = 0;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly write: (progress: ImportProgress) => Promise<void>) {}

  update(progress: ImportProgress): void {
    this.latest = progress;
    if (Date.now() - this.written < progressWriteMs) return;
    this.written = Date.now();
    this.writing = this.writing.then(() => this.writeLatest()).catch(() => undefined);
  }

  flush(): Promise<void> {
    return this.writing.then(() => this.writeLatest());
  }

  private async writeLatest(): Promise<void> {
    const progress = this.latest;
    if (progress) await this.write(progress);
  }
}
