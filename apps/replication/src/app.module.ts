/**
 * The replication service: makes this region converge with its peers. It consumes every
 * peer's event stream (through a local stream that sources them), copies missing blobs
 * store to store, applies manifests, tags, deletes and auth changes through the services
 * that own them, records per-region status in the region's Postgres (schema `replication`)
 * and announces `replication.completed.v1` / `replication.failed.v1` through the outbox. It
 * answers the `replication.*` RPCs the gateway's status API and catching-up pulls use, and
 * repairs the blobs the blob service's scrub finds wrong here from a peer's store. Which
 * regions are its peers is registry state it keeps and replicates itself (replications/),
 * changed at runtime: `PeerSet` is the live view everything here iterates.
 */
import { join } from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import { serviceModules } from '@meridian/database';
import { AddressPolicy } from '@meridian/outbound';
import { type StorageDriver, createStorageDriver, storageReadinessProbe } from '@meridian/storage';
import { formatHlc, type ReplicationRecord } from '@meridian/contracts';
import { type Logger, loggerToken } from '@meridian/telemetry';
import { AntiEntropyProgress } from './anti-entropy/anti-entropy-progress';
import {
  type AntiEntropySettings,
  AntiEntropyService,
  antiEntropySettingsToken,
} from './anti-entropy/anti-entropy.service';
import { NatsRegionStates, RegionStates } from './anti-entropy/region-states';
import { BlobCopier, type RegionStores } from './blobs/blob-copier';
import { BlobRepairer } from './blobs/blob-repairer';
import { BlobRepairsHandler } from './blobs/blob-repairs.handler';
import { CopyThroughput } from './blobs/copy-throughput';
import { StoreSweeper } from './blobs/store-sweeper';
import type { ReplicationConfig } from './config';
import { ReplicationConsumers, replicationConcurrencyToken } from './events/replication.consumers';
import { CredentialSetsHandler } from './imports/credential-sets.handler';
import {
  CredentialSetsRepository,
  SqlCredentialSetsRepository,
} from './imports/credential-sets.repository';
import { CacheRulesHandler } from './cache/cache-rules.handler';
import { CacheRulesRepository, SqlCacheRulesRepository } from './cache/cache-rules.repository';
import { CacheRulesService } from './cache/cache-rules.service';
import { CredentialSetsService, CredentialsBox } from './imports/credential-sets.service';
import { ImportRegion, NatsImportRegion } from './imports/import-region';
import { ImportTransfer } from './imports/import-transfer';
import { ImportsHandler } from './imports/imports.handler';
import { ImportsRepository, SqlImportsRepository } from './imports/imports.repository';
import {
  type ImportSettings,
  ImportsService,
  importSettingsToken,
  importTransferToken,
} from './imports/imports.service';
import { LookupsHandler } from './lookups/lookups.handler';
import { LookupsService } from './lookups/lookups.service';
import { PeerBreaker } from './replication/peer-breaker';
import { NatsRegionServices, RegionServices } from './replication/region-services';
import {
  ReplicationRepository,
  SqlReplicationRepository,
} from './replication/replication.repository';
import { ReplicationService } from './replication/replication.service';
import {
  type ReplicationSettings,
  replicationSettingsToken,
} from './replication/replication.settings';
import { LagHistoryService, lagSampleIntervalToken } from './status/lag-history.service';
import { LagSamplesRepository, SqlLagSamplesRepository } from './status/lag-samples.repository';
import { NatsPeerLinks, PeerLinks } from './status/peer-links';
import { ReplicationStatusHandler } from './status/replication-status.handler';
import { ReplicationMetrics } from './status/replication-metrics';
import { ReplicationStatusService } from './status/replication-status.service';
import { type PeerLink, PeerSet } from './replications/peer-set';
import { NatsRemoteReplications, RemoteReplications } from './replications/remote-replications';
import { ReplicationsHandler } from './replications/replications.handler';
import {
  ReplicationsRepository,
  SqlReplicationsRepository,
} from './replications/replications.repository';
import {
  ReplicationsService,
  type ReplicationsSettings,
  replicationsSettingsToken,
} from './replications/replications.service';
import { storageConfigOf, storageOfConfig } from './replications/storage-records';
import { within } from './replications/within';

export const serviceName = 'replication';
const regionStoresToken = Symbol('RegionStores');
const storeReadinessToken = Symbol('StoreReadiness');

export interface AppModuleOptions {
  config: ReplicationConfig;
  logger: Logger;
}

@Module({})
export class AppModule {
  static forRoot({ config, logger }: AppModuleOptions): DynamicModule {
    const importSettings: ImportSettings = {
      attempts: config.imports.attempts,
      retryDelayMs: config.imports.retryDelayMs,
      concurrency: config.imports.concurrency,
      // a safety net: the next due job sets the next look (imports.service.ts)
      pollMs: 30_000,
      // renewed every third of it; a dead replica's jobs resume after at most this long
      leaseMs: 30_000,
    };
    const box = credentialsBox(config);
    const peerSet = new PeerSet(config.region, (link) => openPeerStore(link, box), logger);
    const settings: ReplicationSettings = {
      region: config.region,
      // live: the replications change at runtime
      get peers() {
        return peerSet.regions;
      },
      failedAfterAttempts: config.failedAfterAttempts,
      maxClockSkewMs: config.maxClockSkewSeconds * 1000,
    };
    const antiEntropy: AntiEntropySettings = {
      intervalMs: config.antiEntropy.intervalSeconds * 1000,
      rate: config.antiEntropy.rate,
      backfillRate: config.antiEntropy.backfillRate,
      maxClockSkewMs: config.maxClockSkewSeconds * 1000,
    };
    const replications: ReplicationsSettings = {
      region: config.region,
      seeds: seedRecords(config, box),
      degradedLagMs: config.degradedLagSeconds * 1000,
      syncIntervalMs: 30_000,
    };
    return {
      module: AppModule,
      imports: [
        ...serviceModules({
          service: serviceName,
          config,
          migrationsDirectory: join(__dirname, 'migrations'),
          logger,
        }),
      ],
      providers: [
        { provide: loggerToken, useValue: logger },
        { provide: replicationSettingsToken, useValue: settings },
        { provide: PeerSet, useValue: peerSet },
        { provide: replicationConcurrencyToken, useValue: config.concurrency },
        CopyThroughput,
        { provide: regionStoresToken, useFactory: () => openStores(config, peerSet) },
        {
          provide: BlobCopier,
          inject: [regionStoresToken, CopyThroughput],
          useFactory: (stores: RegionStores, throughput: CopyThroughput) =>
            new BlobCopier(stores, throughput),
        },
        {
          provide: BlobRepairer,
          inject: [regionStoresToken, CopyThroughput],
          useFactory: (stores: RegionStores, throughput: CopyThroughput) =>
            new BlobRepairer(stores, () => peerSet.regions, throughput),
        },
        {
          provide: StoreSweeper,
          inject: [regionStoresToken],
          useFactory: (stores: RegionStores) => new StoreSweeper(stores.own, logger),
        },
        {
          // ready when this region's store answers; a peer's store down is replication lag
          provide: storeReadinessToken,
          inject: [regionStoresToken],
          useFactory: (stores: RegionStores) => storageReadinessProbe(stores.own),
        },
        { provide: PeerBreaker, useFactory: () => new PeerBreaker() },
        { provide: RegionServices, useClass: NatsRegionServices },
        { provide: ReplicationRepository, useClass: SqlReplicationRepository },
        { provide: PeerLinks, useClass: NatsPeerLinks },
        ReplicationService,
        ReplicationStatusService,
        LookupsService,
        ReplicationMetrics,
        { provide: LagSamplesRepository, useClass: SqlLagSamplesRepository },
        { provide: lagSampleIntervalToken, useValue: config.lagSampleSeconds * 1000 },
        LagHistoryService,
        ReplicationConsumers,
        { provide: RegionStates, useClass: NatsRegionStates },
        { provide: antiEntropySettingsToken, useValue: antiEntropy },
        AntiEntropyProgress,
        AntiEntropyService,
        { provide: CredentialsBox, useValue: box },
        { provide: CredentialSetsRepository, useClass: SqlCredentialSetsRepository },
        CredentialSetsService,
        { provide: ImportsRepository, useClass: SqlImportsRepository },
        { provide: ImportRegion, useClass: NatsImportRegion },
        { provide: importSettingsToken, useValue: importSettings },
        {
          provide: importTransferToken,
          inject: [regionStoresToken, ImportRegion],
          useFactory: (stores: RegionStores, region: ImportRegion) =>
            importTransfer(stores.own, region, config),
        },
        ImportsService,
        { provide: CacheRulesRepository, useClass: SqlCacheRulesRepository },
        CacheRulesService,
        { provide: replicationsSettingsToken, useValue: replications },
        { provide: ReplicationsRepository, useClass: SqlReplicationsRepository },
        { provide: RemoteReplications, useClass: NatsRemoteReplications },
        ReplicationsService,
      ],
      controllers: [
        ReplicationStatusHandler,
        LookupsHandler,
        ImportsHandler,
        CredentialSetsHandler,
        CacheRulesHandler,
        BlobRepairsHandler,
        ReplicationsHandler,
      ],
    };
  }
}

/** This region's store, ready before the first event, and each peer's as the peer set has it. */
async function openStores(config: ReplicationConfig, peers: PeerSet): Promise<RegionStores> {
  const own = await createStorageDriver(config.storage);
  return { own, peer: (region) => peers.store(region) };
}

/** a peer's store that does not open in this long is left closed (tried again later) */
const peerStoreOpenTimeoutMs = 5_000;

async function openPeerStore(link: PeerLink, box: CredentialsBox): Promise<StorageDriver> {
  const config = storageConfigOf(link.storage, link.sealedSecret, box);
  return within(createStorageDriver(config), peerStoreOpenTimeoutMs);
}

/**
 * This region and its MERIDIAN_PEERS as the environment describes them, the replications it
 * starts from when its table does not know them. Clock 0: any change through the API wins;
 * a region's seed of itself (counter 1) wins over the others' seeds of it.
 */
function seedRecords(config: ReplicationConfig, box: CredentialsBox): ReplicationRecord[] {
  const now = new Date().toISOString();
  const seed = (region: string, storage: ReplicationConfig['storage']): ReplicationRecord => ({
    region,
    natsDomain: region,
    ...storageOfConfig(storage, box),
    clock: formatHlc({
      wallMs: 0,
      counter: region === config.region ? 1 : 0,
      region: config.region,
    }),
    deleted: false,
    createdAt: now,
    updatedAt: now,
  });
  return [
    seed(config.region, config.storage),
    ...Object.entries(config.peerStorage).map(([region, storage]) => seed(region, storage)),
  ];
}

function credentialsBox(config: ReplicationConfig): CredentialsBox {
  return new CredentialsBox(config.imports.credentialsKey, 'MERIDIAN_CREDENTIALS_SECRET_KEY');
}

function importTransfer(
  store: StorageDriver,
  region: ImportRegion,
  config: ReplicationConfig,
): ImportTransfer {
  return new ImportTransfer(store, region, {
    policy: new AddressPolicy(config.imports.allowedUpstreams),
    insecureHosts: config.imports.insecureUpstreams,
    stallTimeoutMs: config.imports.stallTimeoutMs,
  });
}
