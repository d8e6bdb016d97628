/**
 * Applies the retention policy to this region's copy: every `MERIDIAN_RETENTION_INTERVAL_SECONDS`
 * (default 60) a round deletes the manifests untagged for longer than `days`
 * (retention-rules.ts says which), each by an ordinary delete (ManifestsService.delete), so
 * locks, tombstones, `manifest.deleted.v1`, webhooks and replication hold as for a user's. A
 * round does nothing while the policy is off, deletes a bounded batch (the next round goes on),
 * and never overlaps another: in this replica the next waits for the one running, across
 * replicas RetentionRepository.exclusively lets one sweep. A failed round is logged and the
 * next one tries again.
 */
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { isRegistryError } from '@meridian/contracts';
import type { RpcContext } from '@meridian/messaging';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import { ManifestsService } from '../manifests/manifests.service';
import { manifestsToDelete } from './retention-rules';
import { RetentionRepository } from './retention.repository';

export const retentionIntervalToken = Symbol('retention interval ms');

/** What one round of the sweep did. */
export interface SweepOutcome {
  /** false: the policy is off, or another replica is sweeping */
  swept: boolean;
  deleted: number;
  /** doomed manifests a lock (or a tag that came meanwhile) kept */
  skipped: number;
  failed: number;
}

/** At most this many repositories, and this many deletes, per round. */
export interface SweepBounds {
  repositories: number;
  deletes: number;
}

export const defaultSweepBounds: SweepBounds = { repositories: 50, deletes: 500 };

/** The sweep acts as nobody in particular: events name no actor. */
const sweepContext: RpcContext = {};

@Injectable()
export class RetentionSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly retention: RetentionRepository,
    private readonly manifests: ManifestsService,
    @Inject(retentionIntervalToken) private readonly intervalMs: number,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.round(), this.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One round, unless one is still running here. */
  round(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.sweep()
      .then(() => undefined)
      .catch((err: unknown) => this.logger.warn({ err }, 'retention sweep failed; next round'))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /**
   * One round: while the policy is on, deletes what it no longer keeps, within `bounds` (the
   * next round goes on). A delete a lock refuses is skipped; one that fails is logged and
   * tried again next round.
   */
  async sweep(bounds: SweepBounds = defaultSweepBounds): Promise<SweepOutcome> {
    const outcome: SweepOutcome = { swept: false, deleted: 0, skipped: 0, failed: 0 };
    const policy = await this.retention.policy();
    if (!policy.enabled) return outcome;
    const done = await this.retention.exclusively(async () => {
      const repositories = await this.retention.repositoriesToSweep(
        policy.days,
        bounds.repositories,
      );
      for (const repository of repositories) {
        const doomed = manifestsToDelete(await this.retention.manifestsOf(repository, policy.days));
        for (const { digest, withSubject } of doomed) {
          if (outcome.deleted + outcome.skipped + outcome.failed >= bounds.deletes) return true;
          await this.deleteOne(repository, digest, withSubject, outcome);
        }
      }
      return true;
    });
    outcome.swept = done === true;
    if (outcome.deleted + outcome.skipped + outcome.failed > 0)
      this.logger.info({ days: policy.days, ...outcome }, 'retention swept untagged manifests');
    return outcome;
  }

  private async deleteOne(
    repository: string,
    digest: string,
    withSubject: string | undefined,
    outcome: SweepOutcome,
  ): Promise<void> {
    try {
      // a manifest (or referrer) tagged since it was chosen stays, tags and all: retention
      // never removes a tag
      const result = await this.manifests.delete({ repository, reference: digest }, sweepContext, {
        untagged: true,
      });
      if (result === 'changed') {
        outcome.skipped += 1;
        this.logger.debug({ repository, digest }, 'retention skipped: tagged since chosen');
        return;
      }
      outcome.deleted += 1;
      this.logger.info(
        { repository, digest, ...(withSubject ? { subject: withSubject } : {}) },
        withSubject ? 'retention deleted a referrer with its subject' : 'retention deleted',
      );
    } catch (err) {
      if (isRegistryError(err) && err.code === 'DENIED') {
        outcome.skipped += 1;
        this.logger.debug({ repository, digest, reason: err.message }, 'retention skipped');
      } else if (isRegistryError(err) && ['MANIFEST_UNKNOWN', 'NAME_UNKNOWN'].includes(err.code)) {
        // deleted meanwhile (by a user, a peer's delete, another round): what was wanted
      } else {
        outcome.failed += 1;
        this.logger.warn({ err, repository, digest }, 'retention failed to delete; next round');
      }
    }
  }
}
