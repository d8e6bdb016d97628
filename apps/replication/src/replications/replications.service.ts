/**
 * Replications at runtime: the regions of this registry, kept in every region's replications
 * table and changed through the API of any of them (`replication-put`, `replication-delete`).
 *
 * - At start a region seeds itself (its own store) and every MERIDIAN_PEERS region (its
 *   MERIDIAN_PEER_<REGION>_* store), but only where it holds no record, live or tombstone:
 *   the environment is where a registry starts, the table what it became (a removal survives
 *   restarts). Seeds read clock 0 and lose to any change made through the API; a region's
 *   seed of itself wins over the others' seeds of it.
 * - A change is stamped with this region's hybrid clock and sent, as the whole set, to every
 *   member and to the region removed (`replications-merge`); each merges newest-wins. Every
 *   `syncIntervalMs` a region also reads each peer's set (`replications-state`), so a region
 *   that was down or missed the push converges.
 * - The live records but this region's own are the peers (`PeerSet`); a region whose own
 *   record is a tombstone has none: it is standalone again, its data kept.
 * - Status is computed when asked, by this region, for each replication (replication-health.ts).
 */
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import {
  HybridLogicalClock,
  type PeerStatus,
  type PeerStoreAccess,
  RegistryError,
  type ReplicationInput,
  type ReplicationRecord,
  type ReplicationView,
} from '@meridian/contracts';
import { type Logger, loggerToken } from '@meridian/telemetry';
import { CredentialsBox } from '../imports/credential-sets.service';
import { PeerBreaker } from '../replication/peer-breaker';
import { ReplicationStatusService } from '../status/replication-status.service';
import { newerRecords, peerRecords } from './merge-replications';
import { PeerSet } from './peer-set';
import { RemoteReplications } from './remote-replications';
import { type RegionHealth, replicationHealth } from './replication-health';
import { ReplicationsRepository } from './replications.repository';
import { storageAccessOf, storageOfInput } from './storage-records';
import { within } from './within';

export interface ReplicationsSettings {
  region: string;
  /** this region and the MERIDIAN_PEERS regions as the environment describes them */
  seeds: ReplicationRecord[];
  /** a replication whose events wait here longer is `degraded` */
  degradedLagMs: number;
  /** how often each peer's set is read and merged */
  syncIntervalMs: number;
}

export const replicationsSettingsToken = Symbol('ReplicationsSettings');

/** a store that does not answer a stat in this long is taken as down */
const storeProbeTimeoutMs = 2_000;

@Injectable()
export class ReplicationsService
  implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly clock: HybridLogicalClock;
  private timer?: NodeJS.Timeout;
  private syncing?: Promise<void>;

  constructor(
    @Inject(replicationsSettingsToken) private readonly settings: ReplicationsSettings,
    private readonly repository: ReplicationsRepository,
    private readonly peers: PeerSet,
    private readonly remote: RemoteReplications,
    private readonly box: CredentialsBox,
    private readonly breaker: PeerBreaker,
    private readonly status: ReplicationStatusService,
    @Inject(loggerToken) private readonly logger: Logger,
  ) {
    this.clock = new HybridLogicalClock(settings.region);
  }

  /** Before anything consumes: the peers are known when the consumers start. */
  async onModuleInit(): Promise<void> {
    const seeded = await this.repository.seed(this.settings.seeds);
    if (seeded.length > 0) this.logger.info({ regions: seeded }, 'replications seeded');
    for (const record of await this.repository.list()) this.clock.observe(record.clock);
    await this.apply();
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.syncing ??= this.sync().finally(() => (this.syncing = undefined));
    }, this.settings.syncIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.syncing;
  }

  async put(
    region: string,
    input: ReplicationInput,
  ): Promise<{ created: boolean; replication: ReplicationView }> {
    if (region === this.settings.region)
      throw new RegistryError(
        'REQUEST_INVALID',
        `region ${region} is the region you are calling: it is the home region`,
        { region },
      );
    const records = await this.repository.list();
    this.refuseWhenStandalone(records);
    const existing = records.find((record) => record.region === region);
    const created = existing === undefined || existing.deleted;
    const now = new Date().toISOString();
    const record: ReplicationRecord = {
      region,
      natsDomain: input.natsDomain ?? region,
      ...storageOfInput(input.storage, this.box),
      clock: this.clock.tick(),
      deleted: false,
      createdAt: created ? now : existing.createdAt,
      updatedAt: now,
    };
    await this.repository.save([record]);
    this.logger.info({ region, natsDomain: record.natsDomain, created }, 'replication saved');
    await this.apply();
    await this.share([region]);
    return { created, replication: await this.get(region) };
  }

  async get(region: string): Promise<ReplicationView> {
    const [found] = await this.views((record) => record.region === region);
    if (!found) throw unknownReplication(region);
    return found;
  }

  async list(): Promise<{ replications: ReplicationView[] }> {
    return { replications: await this.views(() => true) };
  }

  /** The views of the visible replications `wanted` picks; only theirs are probed. */
  private async views(wanted: (record: ReplicationRecord) => boolean): Promise<ReplicationView[]> {
    const records = this.visible(await this.repository.list());
    const links = await this.status
      .regions()
      .then(({ peers }) => peers)
      .catch((): PeerStatus[] => []);
    return Promise.all(
      records.filter(wanted).map((record) =>
        this.view(
          record,
          records.map((other) => other.region).filter((other) => other !== record.region),
          links.find((link) => link.region === record.region),
        ),
      ),
    );
  }

  async delete(region: string): Promise<void> {
    if (region === this.settings.region)
      throw new RegistryError(
        'REQUEST_INVALID',
        `cannot remove the region you are calling (${region}); remove it from another region`,
        { region },
      );
    const records = await this.repository.list();
    this.refuseWhenStandalone(records);
    const existing = records.find((record) => record.region === region);
    if (!existing || existing.deleted) throw unknownReplication(region);
    await this.repository.save([
      { ...existing, clock: this.clock.tick(), deleted: true, updatedAt: new Date().toISOString() },
    ]);
    this.logger.info({ region }, 'replication removed');
    await this.apply();
    // the region removed learns it too, and stops consuming everyone
    await this.share([region]);
  }

  /** Another region's set: what is newer here is kept and applied. */
  async merge(records: readonly ReplicationRecord[]): Promise<{ changed: boolean }> {
    const newer = newerRecords(await this.repository.list(), records);
    if (newer.length === 0) return { changed: false };
    for (const record of newer) this.clock.observe(record.clock);
    const kept = await this.repository.save(newer);
    if (kept.length === 0) return { changed: false };
    this.logger.info({ regions: kept }, 'replications merged');
    await this.apply();
    return { changed: true };
  }

  /** The peers' stores for this region's gateway, secrets opened; one that cannot be is left out. */
  peerStores(): { peers: PeerStoreAccess[] } {
    const peers: PeerStoreAccess[] = [];
    for (const link of this.peers.links) {
      try {
        peers.push({ region: link.region, storage: storageAccessOf(link, this.box) });
      } catch (err) {
        this.logger.warn({ peer: link.region, err }, 'the store secret of a peer cannot be opened');
      }
    }
    return { peers };
  }

  async state(): Promise<{ records: ReplicationRecord[] }> {
    return { records: await this.repository.list() };
  }

  /**
   * Reads every peer's set and merges it, applies the table (another replica of this service
   * may have merged a change), and tries the stores that did not open again. Never throws.
   */
  async sync(): Promise<void> {
    await Promise.all(
      this.peers.regions.map(async (peer) => {
        try {
          await this.merge(await this.remote.state(peer));
        } catch (err) {
          this.logger.debug({ peer, err }, 'could not read the replications of a peer');
        }
      }),
    );
    await this.apply().catch((err: unknown) =>
      this.logger.warn({ err }, 'could not apply the replications'),
    );
    await this.peers.reopen();
  }

  /** Makes the peer set what the table says. */
  private async apply(): Promise<void> {
    const peers = peerRecords(this.settings.region, await this.repository.list());
    await this.peers.update(
      peers.map(({ region, natsDomain, storage, sealedSecret }) => ({
        region,
        natsDomain,
        storage,
        ...(sealedSecret === undefined ? {} : { sealedSecret }),
      })),
    );
  }

  /** Sends the whole set to every peer and to `also`, side by side; a region that fails is logged. */
  private async share(also: readonly string[]): Promise<void> {
    const { records } = await this.state();
    const targets = new Set([...this.peers.regions, ...also]);
    targets.delete(this.settings.region);
    await Promise.all(
      [...targets].map((region) =>
        this.remote.merge(region, records).catch((err: unknown) => {
          this.logger.warn(
            { region, err },
            'could not send the replications to a region (it reads them when it answers again)',
          );
        }),
      ),
    );
  }

  /** The records a caller sees: this region, and the live others unless it is standalone. */
  private visible(records: readonly ReplicationRecord[]): ReplicationRecord[] {
    const own = records.find((record) => record.region === this.settings.region);
    return [
      ...(own ? [own] : []),
      ...(own?.deleted ? [] : peerRecords(this.settings.region, records)),
    ];
  }

  private refuseWhenStandalone(records: readonly ReplicationRecord[]): void {
    if (records.some((record) => record.region === this.settings.region && record.deleted))
      throw new RegistryError(
        'REQUEST_INVALID',
        `region ${this.settings.region} was removed from the replications of its registry; add it back from a region of the registry`,
        { region: this.settings.region },
      );
  }

  private async view(
    record: ReplicationRecord,
    others: string[],
    link: PeerStatus | undefined,
  ): Promise<ReplicationView> {
    const local = record.region === this.settings.region;
    const health = local
      ? { status: 'ready' as const }
      : replicationHealth(
          record.region,
          others,
          await this.health(record.region, link),
          this.settings.degradedLagMs,
        );
    return {
      region: record.region,
      natsDomain: record.natsDomain,
      storage: record.storage,
      ...health,
      ...(link?.oldestPendingAgeMs === undefined
        ? local || !link
          ? {}
          : { lagMs: 0 }
        : { lagMs: link.oldestPendingAgeMs }),
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      local,
    };
  }

  private async health(region: string, link: PeerStatus | undefined): Promise<RegionHealth> {
    const breakerOpen = this.breaker.state(region) === 'open';
    const [domainAnswers, storeError, report] = await Promise.all([
      this.remote.domainAnswers(this.peers.natsDomain(region)),
      this.probeStore(region),
      breakerOpen
        ? Promise.resolve(undefined)
        : this.remote.peerLinks(region).catch((error: unknown) => errorMessage(error)),
    ]);
    return {
      domainAnswers,
      ...(storeError === undefined ? {} : { storeError }),
      breakerOpen,
      ...(link?.oldestPendingAgeMs === undefined ? {} : { lagMs: link.oldestPendingAgeMs }),
      ...(Array.isArray(report) ? { report } : report ? { reportError: report } : {}),
    };
  }

  /** Why the region's store does not answer a stat; undefined when it does. */
  private async probeStore(region: string): Promise<string | undefined> {
    const notOpen = this.peers.storeError(region);
    if (notOpen !== undefined) return notOpen;
    try {
      await within(this.peers.store(region).stat('_meridian/readiness-probe'), storeProbeTimeoutMs);
      return undefined;
    } catch (error) {
      return errorMessage(error);
    }
  }
}

function unknownReplication(region: string): RegistryError {
  return new RegistryError('RESOURCE_UNKNOWN', 'no such replication', { region });
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
