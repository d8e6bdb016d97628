/**
 * The blob service: upload sessions, blob presence per repository, mounts, garbage
 * collection, scrub. No HTTP: it answers NATS RPCs (queue group `blob`) and records its
 * events in the outbox, which the database module relays to the region's stream.
 */
import { join } from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import { serviceModules } from '@meridian/database';
import {
  type StorageDriver,
  createStorageDriver,
  storageDriverToken,
  storageReadinessProbe,
} from '@meridian/storage';
import { type Logger, loggerToken } from '@meridian/telemetry';
import { BlobsHandler } from './blobs/blobs.handler';
import { BlobsRepository, SqlBlobsRepository } from './blobs/blobs.repository';
import { BlobsService } from './blobs/blobs.service';
import { type BlobConfig, blobConfigToken } from './config';
import { GcHandler } from './gc/gc.handler';
import { GcRepository, SqlGcRepository } from './gc/gc.repository';
import { GcService, NatsReferenceOracle, ReferenceOracle } from './gc/gc.service';
import { BlobRepairs, NatsBlobRepairs } from './scrub/blob-repairs';
import { ScrubHandler } from './scrub/scrub.handler';
import { ScrubRepository, SqlScrubRepository } from './scrub/scrub.repository';
import { ScrubService } from './scrub/scrub.service';
import { UploadSessionsMetric } from './uploads/upload-sessions.metric';
import { UploadSweeper } from './uploads/upload-sweeper';
import { UploadsHandler } from './uploads/uploads.handler';
import { SqlUploadsRepository, UploadsRepository } from './uploads/uploads.repository';
import { UploadsService } from './uploads/uploads.service';
import { QuotaCrossings } from './usage/quota-crossings';
import { UsageHandler } from './usage/usage.handler';
import { SqlUsageRepository, UsageRepository } from './usage/usage.repository';
import { UsageService } from './usage/usage.service';

export const serviceName = 'blob';
const storeReadinessToken = Symbol('StoreReadiness');

@Module({})
export class AppModule {
  static forRoot(config: BlobConfig, logger: Logger): DynamicModule {
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
        { provide: blobConfigToken, useValue: config },
        { provide: loggerToken, useValue: logger },
        { provide: storageDriverToken, useFactory: () => createStorageDriver(config.storage) },
        {
          provide: storeReadinessToken,
          inject: [storageDriverToken],
          useFactory: (store: StorageDriver) => storageReadinessProbe(store),
        },
        { provide: BlobsRepository, useClass: SqlBlobsRepository },
        { provide: UploadsRepository, useClass: SqlUploadsRepository },
        { provide: UsageRepository, useClass: SqlUsageRepository },
        { provide: GcRepository, useClass: SqlGcRepository },
        { provide: ReferenceOracle, useClass: NatsReferenceOracle },
        GcService,
        { provide: ScrubRepository, useClass: SqlScrubRepository },
        { provide: BlobRepairs, useClass: NatsBlobRepairs },
        QuotaCrossings,
        BlobsService,
        UploadsService,
        UploadSweeper,
        UploadSessionsMetric,
        UsageService,
        ScrubService,
      ],
      controllers: [BlobsHandler, UploadsHandler, UsageHandler, GcHandler, ScrubHandler],
    };
  }
}
