/**
 * The manifest service: repositories, manifests, tags, referrers and locks of one region, in
 * the region's Postgres (schema `manifest`), answered over NATS RPC. Changes are announced through
 * the outbox, which the relay publishes to the region's event stream; other regions' events
 * are applied here when the replication service hands them over (`manifest.apply`).
 */
import { join } from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import { serviceModules } from '@meridian/database';
import { RpcClient } from '@meridian/messaging';
import { type Logger, loggerToken } from '@meridian/telemetry';
import { AcrMetadataHandler } from './acr/acr-metadata.handler';
import { RepositoryStateHandler } from './anti-entropy/repository-state.handler';
import {
  RepositoryStateRepository,
  SqlRepositoryStateRepository,
} from './anti-entropy/repository-state.repository';
import { AcrMetadataRepository, SqlAcrMetadataRepository } from './acr/acr-metadata.repository';
import { AcrMetadataService } from './acr/acr-metadata.service';
import type { ManifestConfig } from './config';
import { LocksHandler } from './locks/locks.handler';
import { LocksRepository, SqlLocksRepository } from './locks/locks.repository';
import { LocksService } from './locks/locks.service';
import { BlobPresence, NatsBlobPresence } from './manifests/blob-presence';
import { ManifestsHandler } from './manifests/manifests.handler';
import { ManifestsRepository, SqlManifestsRepository } from './manifests/manifests.repository';
import { ManifestsService } from './manifests/manifests.service';
import {
  BlobReferencesHandler,
  BlobReferencesRepository,
  SqlBlobReferencesRepository,
} from './gc/blob-references.handler';
import { PurgeHandler } from './purge/purge.handler';
import { PurgeRepository, SqlPurgeRepository } from './purge/purge.repository';
import { PurgeService } from './purge/purge.service';
import { QuarantineHandler } from './quarantine/quarantine.handler';
import { QuarantineRepository, SqlQuarantineRepository } from './quarantine/quarantine.repository';
import { QuarantineService } from './quarantine/quarantine.service';
import { RetentionHandler } from './retention/retention.handler';
import { RetentionRepository, SqlRetentionRepository } from './retention/retention.repository';
import { RetentionService } from './retention/retention.service';
import { RetentionSweeper, retentionIntervalToken } from './retention/retention.sweeper';
import { DeletedManifestsService } from './soft-delete/deleted-manifests.service';
import { SoftDeleteHandler } from './soft-delete/soft-delete.handler';
import {
  SoftDeleteRepository,
  SqlSoftDeleteRepository,
} from './soft-delete/soft-delete.repository';
import { SoftDeleteService } from './soft-delete/soft-delete.service';
import { SoftDeleteSweeper } from './soft-delete/soft-delete.sweeper';
import { ReferrersHandler } from './referrers/referrers.handler';
import { ReferrersRepository, SqlReferrersRepository } from './referrers/referrers.repository';
import { ReferrersService } from './referrers/referrers.service';
import { RepositoriesHandler } from './repositories/repositories.handler';
import {
  RepositoriesRepository,
  SqlRepositoriesRepository,
} from './repositories/repositories.repository';
import { RepositoriesService } from './repositories/repositories.service';
import { ReplicationHandler } from './replication/replication.handler';
import {
  ReplicatedWritesRepository,
  SqlReplicatedWritesRepository,
} from './replication/replicated-writes.repository';
import { ReplicatedWritesService } from './replication/replicated-writes.service';
import { SqlTagsRepository, TagsRepository } from './tags/tags.repository';
import { UsageHandler } from './usage/usage.handler';
import { SqlUsageRepository, UsageRepository } from './usage/usage.repository';
import { TagsHandler } from './tags/tags.handler';
import { TagsService } from './tags/tags.service';

export const serviceName = 'manifest';

export interface AppModuleOptions {
  config: ManifestConfig;
  logger: Logger;
}

@Module({})
export class AppModule {
  static forRoot({ config, logger }: AppModuleOptions): DynamicModule {
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
        {
          provide: BlobPresence,
          useFactory: (rpc: RpcClient) => new NatsBlobPresence(rpc, config.peerBlobFetchTimeoutMs),
          inject: [RpcClient],
        },
        { provide: ManifestsRepository, useClass: SqlManifestsRepository },
        { provide: TagsRepository, useClass: SqlTagsRepository },
        { provide: RepositoriesRepository, useClass: SqlRepositoriesRepository },
        { provide: ReferrersRepository, useClass: SqlReferrersRepository },
        { provide: QuarantineRepository, useClass: SqlQuarantineRepository },
        { provide: ReplicatedWritesRepository, useClass: SqlReplicatedWritesRepository },
        { provide: AcrMetadataRepository, useClass: SqlAcrMetadataRepository },
        { provide: UsageRepository, useClass: SqlUsageRepository },
        { provide: LocksRepository, useClass: SqlLocksRepository },
        { provide: PurgeRepository, useClass: SqlPurgeRepository },
        { provide: BlobReferencesRepository, useClass: SqlBlobReferencesRepository },
        { provide: RetentionRepository, useClass: SqlRetentionRepository },
        { provide: SoftDeleteRepository, useClass: SqlSoftDeleteRepository },
        { provide: RepositoryStateRepository, useClass: SqlRepositoryStateRepository },
        { provide: retentionIntervalToken, useValue: config.retentionIntervalSeconds * 1000 },
        ManifestsService,
        TagsService,
        RepositoriesService,
        ReferrersService,
        ReplicatedWritesService,
        QuarantineService,
        AcrMetadataService,
        LocksService,
        PurgeService,
        RetentionService,
        RetentionSweeper,
        SoftDeleteService,
        DeletedManifestsService,
        SoftDeleteSweeper,
      ],
      controllers: [
        ManifestsHandler,
        TagsHandler,
        RepositoriesHandler,
        UsageHandler,
        ReferrersHandler,
        ReplicationHandler,
        QuarantineHandler,
        AcrMetadataHandler,
        LocksHandler,
        PurgeHandler,
        RetentionHandler,
        BlobReferencesHandler,
        SoftDeleteHandler,
        RepositoryStateHandler,
      ],
    };
  }
}
