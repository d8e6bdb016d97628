/**
 * Anti-entropy: this region keeps comparing its registry state with each peer's and repairs
 * what it lacks or holds stale, whatever made it diverge (an event the peer's stream no longer
 * held when this region came back, a restored backup, a bug). Events stay the fast path; this
 * is the slow one that makes convergence certain.
 *
 * A pass pages through both regions' repository summaries side by side (the manifest
 * services compute them, manifest.summaries), reads the full state of a repository only where
 * the summaries differ, and applies what `planRepairs` finds through the same rules as the
 * peer's events (ReplicationService.repair): the same clock readings, newest wins, blobs
 * copied from the peer's store before a manifest is stored. Agreeing regions cost two summary
 * pages per hundred repositories.
 *
 * The first pass after a start runs at the backfill rate (MERIDIAN_ANTI_ENTROPY_BACKFILL_RATE
 * repositories a second): a region that starts may have been down longer than the streams
 * keep events, restored from a backup, or new. Then a pass every
 * MERIDIAN_ANTI_ENTROPY_INTERVAL_SECONDS at MERIDIAN_ANTI_ENTROPY_RATE. Peers go one after
 * the other; a peer that does not answer ends its pass (the next one tries again).
 *
 * The peers change at runtime (PeerSet): a region that joins gets a backfill pass at once (the
 * wait between passes is cut short), and a peer's passes stay backfills until one completed,
 * so a new region that cannot be reached yet is backfilled once it can.
 */
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  isRegistryError,
  type ManifestPushed,
  type RepositoryState,
  lockChanged,
  manifestDeleted,
  manifestPushed,
  quarantineSettingChanged,
  repositoryDeleted,
  retentionSettingChanged,
  softDeleteSettingChanged,
  tagDeleted,
  tagUpdated,
} from '@meridian/contracts';
import { type Logger, loggerToken, metrics } from '@meridian/telemetry';
import { RegionServices } from '../replication/region-services';
import { ReplicationService } from '../replication/replication.service';
import {
  type ReplicationSettings,
  nowToken,
  replicationSettingsToken,
} from '../replication/replication.settings';
import { AntiEntropyProgress, type PassMode } from './anti-entropy-progress';
import {
  type Plan,
  type Repair,
  comparePages,
  planRepairs,
  planSettingRepairs,
} from './plan-repairs';
import { RegionStates } from './region-states';
import { PeerSet } from '../replications/peer-set';

export interface AntiEntropySettings {
  /** between the end of a pass and the start of the next */
  intervalMs: number;
  /** repositories compared per second in a continuous pass */
  rate: number;
  /** repositories compared per second in the pass after a start */
  backfillRate: number;
  /** how far ahead of this region's clock a peer's reading may be */
  maxClockSkewMs: number;
}

export const antiEntropySettingsToken = Symbol('AntiEntropySettings');

/** repositories per page of summaries */
const pageSize = 100;

@Injectable()
export class AntiEntropyService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly now: () => number;
  private readonly stopping = new AbortController();
  private running?: Promise<void>;
  /** cuts the wait between passes short: a peer joined */
  private wake?: () => void;
  /** a peer joined since the loop last looked */
  private joined = false;

  constructor(
    @Inject(replicationSettingsToken) private readonly replication: ReplicationSettings,
    @Inject(antiEntropySettingsToken) private readonly settings: AntiEntropySettings,
    private readonly states: RegionStates,
    private readonly services: RegionServices,
    private readonly rules: ReplicationService,
    private readonly progress: AntiEntropyProgress,
    @Inject(loggerToken) private readonly logger: Logger,
    @Optional() @Inject(nowToken) now?: () => number,
    @Optional() private readonly peerSet?: PeerSet,
  ) {
    this.now = now ?? Date.now;
  }

  onApplicationBootstrap(): void {
    this.peerSet?.onChange(async ({ added, removed }) => {
      for (const peer of removed) this.progress.forget(peer);
      if (added.length === 0) return;
      this.joined = true;
      this.wake?.();
    });
    this.running = this.loop();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  /**
   * One pass with every peer, one after the other: in `mode`, or else a backfill with a peer
   * not backfilled yet and a continuous pass with the others. Never throws.
   */
  async pass(mode?: PassMode): Promise<void> {
    for (const peer of this.replication.peers) {
      if (this.stopping.signal.aborted) return;
      // a peer that left meanwhile is not compared
      if (!this.replication.peers.includes(peer)) continue;
      await this.passWith(
        peer,
        mode ?? (this.progress.backfilled(peer) ? 'continuous' : 'backfill'),
      );
    }
  }

  /** A pass with every peer each interval; between them, a backfill with each peer that joins. */
  private async loop(): Promise<void> {
    let nextPassAt = 0;
    while (!this.stopping.signal.aborted) {
      this.joined = false;
      if (this.now() >= nextPassAt) {
        await this.pass();
        nextPassAt = this.now() + this.settings.intervalMs;
      } else {
        for (const peer of this.replication.peers)
          if (!this.progress.backfilled(peer) && !this.stopping.signal.aborted)
            await this.passWith(peer, 'backfill');
      }
      if (!this.joined) await this.sleep(nextPassAt - this.now(), true);
    }
  }

  private async passWith(peer: string, mode: PassMode): Promise<void> {
    const rate = mode === 'backfill' ? this.settings.backfillRate : this.settings.rate;
    const started = this.now();
    this.progress.started(peer, mode, new Date(started));
    this.logger.debug({ peer, mode }, 'anti-entropy pass started');
    try {
      let after: string | undefined;
      let compared = 0;
      let first = true;
      do {
        const [mine, theirs] = await Promise.all([
          this.states.summaries(this.replication.region, after, pageSize),
          this.states.summaries(peer, after, pageSize),
        ]);
        if (first)
          await this.repairAll(
            peer,
            planSettingRepairs(mine.settings, theirs.settings, this.bound()),
          );
        first = false;
        const page = comparePages(mine, theirs);
        this.progress.compared(peer, page.compared, page.differing.length);
        for (const repository of page.differing) {
          if (this.stopping.signal.aborted) return;
          await this.repairRepository(peer, repository).catch((err: unknown) => {
            // a peer gone ends the pass; one repository that cannot be read does not
            if (isRegistryError(err) && err.code === 'UNAVAILABLE') throw err;
            this.logger.warn(
              { peer, repository, err },
              'anti-entropy could not compare a repository',
            );
          });
        }
        compared += page.compared;
        after = page.next;
        // paced: `compared` repositories take at least compared / rate seconds
        await this.sleep((compared / rate) * 1000 - (this.now() - started));
      } while (after !== undefined && !this.stopping.signal.aborted);
      this.progress.finished(peer, new Date(this.now()));
      const { repositoriesCompared, repositoriesDiffering, repaired } = this.progress.status(peer)!;
      // a pass that found nothing is the usual case: worth a line only at debug
      this.logger[repaired > 0 || mode === 'backfill' ? 'info' : 'debug'](
        { peer, mode, repositoriesCompared, repositoriesDiffering, repaired },
        'anti-entropy pass finished',
      );
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.progress.finished(peer, new Date(this.now()), message);
      this.logger.warn({ peer, mode, err }, 'anti-entropy pass stopped');
    }
  }

  private async repairRepository(peer: string, repository: string): Promise<void> {
    const [mine, theirs] = await Promise.all([
      this.states.state(this.replication.region, repository),
      this.states.state(peer, repository),
    ]);
    if (theirs.truncated)
      this.logger.warn({ peer, repository }, 'repository too large to compare in full');
    await this.repairAll(peer, planRepairs(mine, theirs, this.bound()), theirs);
  }

  /** Applies a plan's repairs in order; one that fails is logged and the next pass retries it. */
  private async repairAll(peer: string, plan: Plan, state?: RepositoryState): Promise<void> {
    if (plan.ahead > 0) {
      this.progress.ahead(peer, plan.ahead);
      this.logger.warn(
        { peer, repository: state?.repository, writes: plan.ahead },
        'peer writes ahead of the allowed clock skew left for later',
      );
    }
    for (const repair of plan.repairs) {
      if (this.stopping.signal.aborted) return;
      try {
        const outcome = await this.apply(peer, repair, state?.repository ?? '');
        if (outcome !== 'applied') continue;
        this.progress.repaired(peer, repair.kind);
        metrics().replicationRepairs.add(1, {
          region: this.replication.region,
          peer,
          kind: repair.kind,
        });
        this.logger.info(
          { peer, repository: state?.repository, repair: describe(repair) },
          'anti-entropy repaired',
        );
      } catch (err) {
        this.logger.warn(
          { peer, repository: state?.repository, repair: describe(repair), err },
          'anti-entropy repair failed',
        );
      }
    }
  }

  private async apply(peer: string, repair: Repair, repository: string) {
    const envelope = {
      eventId: randomUUID(),
      originRegion: peer,
      occurredAt: new Date(this.now()).toISOString(),
    };
    switch (repair.kind) {
      case 'repository-delete':
        return this.rules.repair(peer, repositoryDeleted.name, {
          ...envelope,
          repository,
          hlc: repair.hlc,
        });
      case 'manifest-delete':
        return this.rules.repair(peer, manifestDeleted.name, {
          ...envelope,
          repository,
          digest: repair.digest,
          tags: [],
          hlc: repair.hlc,
        });
      case 'tag-delete':
        return this.rules.repair(peer, tagDeleted.name, {
          ...envelope,
          repository,
          tag: repair.tag,
          digest: repair.digest,
          hlc: repair.hlc,
        });
      case 'lock':
        return this.rules.repair(peer, lockChanged.name, {
          ...envelope,
          repository,
          ...(repair.target === 'tag' ? { tag: repair.name } : {}),
          ...(repair.target === 'manifest' ? { digest: repair.name } : {}),
          attributes: repair.attributes,
          hlc: repair.hlc,
        });
      case 'manifest':
        return this.rules.repair(
          peer,
          manifestPushed.name,
          await this.push(peer, repository, repair, envelope),
        );
      case 'tag':
        return this.rules.repair(peer, tagUpdated.name, {
          ...envelope,
          repository,
          tag: repair.tag,
          digest: repair.digest,
          mediaType: repair.mediaType,
          hlc: repair.hlc,
        });
      case 'setting':
        return this.applySetting(peer, repair, envelope);
    }
  }

  private applySetting(
    peer: string,
    { setting }: Extract<Repair, { kind: 'setting' }>,
    envelope: { eventId: string; originRegion: string; occurredAt: string },
  ) {
    switch (setting.name) {
      case 'quarantine':
        return this.rules.repair(peer, quarantineSettingChanged.name, { ...envelope, ...setting });
      case 'retention':
        return this.rules.repair(peer, retentionSettingChanged.name, { ...envelope, ...setting });
      case 'soft-delete':
        return this.rules.repair(peer, softDeleteSettingChanged.name, { ...envelope, ...setting });
    }
  }

  /** The push as its event would carry it: the peer's exact bytes, so the same digest. */
  private async push(
    peer: string,
    repository: string,
    { manifest }: Extract<Repair, { kind: 'manifest' }>,
    envelope: { eventId: string; originRegion: string; occurredAt: string },
  ): Promise<ManifestPushed> {
    const stored = await this.services.getManifest(peer, repository, manifest.digest, true);
    if (stored.body === undefined) throw new Error(`region ${peer} sent no manifest body`);
    return {
      ...envelope,
      repository,
      digest: manifest.digest,
      mediaType: manifest.mediaType,
      size: manifest.size,
      body: stored.body,
      references: manifest.references,
      hlc: manifest.hlc,
      // an image the peer has not passed stays unpullable here until it is decided
      ...(stored.quarantine === undefined || stored.quarantine === 'passed'
        ? {}
        : { quarantined: true }),
    };
  }

  private bound() {
    return { maxWallMs: this.now() + this.settings.maxClockSkewMs };
  }

  /** Waits `ms`, or less when the service stops (or, `wakeable`, a peer joins). */
  private sleep(ms: number, wakeable = false): Promise<void> {
    if (ms <= 0 || this.stopping.signal.aborted) return Promise.resolve();
    const signal = this.stopping.signal;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        if (this.wake === done) delete this.wake;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      signal.addEventListener('abort', done, { once: true });
      if (wakeable) this.wake = done;
    });
  }
}

function describe(repair: Repair): Record<string, unknown> {
  if (repair.kind === 'manifest')
    return { kind: repair.kind, digest: repair.manifest.digest, hlc: repair.manifest.hlc };
  if (repair.kind === 'setting') return { kind: repair.kind, setting: repair.setting.name };
  return repair;
}
