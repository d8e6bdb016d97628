/**
 * The gateway's Nest module: one catch-all controller for `/v2`, a controller per
 * resource behind it, and what they share (NATS messaging, the store, the caches).
 * The store and logger are made before Nest starts (see gateway-app.ts) and handed in.
 */
import cluster from 'node:cluster';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { MessagingModule } from '@meridian/messaging';
import type { StorageDriver } from '@meridian/storage';
import { type Logger, loggerToken } from '@meridian/telemetry';
import { authControllers, authProviders } from './auth/auth.providers';
import { BaseController } from './base/base.controller';
import { BlobsController } from './blobs/blobs.controller';
import { CatalogController } from './catalog/catalog.controller';
import type { GatewayConfig } from './config';
import { DistributionController } from './http/distribution.controller';
import { RegistryExceptionFilter } from './http/registry-exception.filter';
import { managementControllers } from './management/management.providers';
import { ManifestBodyCache } from './manifests/manifest-body.cache';
import { ManifestsController } from './manifests/manifests.controller';
import { NatsPullPublisher, PullAnnouncer, PullPublisher } from './manifests/pull-announcer';
import { ReferrersController } from './referrers/referrers.controller';
import { ReplicatedScanReports } from './scans/replicated-scan-reports';
import { ScansController } from './scans/scans.controller';
import { replicationControllers, replicationProviders } from './replication/replication.providers';
import { storageDriverToken } from './storage/storage-driver.token';
import { TagsController } from './tags/tags.controller';
import { ClusterUploadLockClient } from './uploads/cluster-upload-locks';
import { UploadDigesters } from './uploads/upload-digesters';
import { UploadLocks } from './uploads/upload-locks';
import { UploadsController } from './uploads/uploads.controller';
import { WebhooksController } from './webhooks/webhooks.controller';

export interface AppModuleOptions {
  config: GatewayConfig;
  logger: Logger;
  storage: StorageDriver;
}

@Module({})
export class AppModule {
  static register({ config, logger, storage }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        MessagingModule.forRootAsync({
          useFactory: () => ({
            servers: config.natsUrl,
            region: config.region,
            service: 'gateway',
            logger,
            auth: config.natsAuth,
          }),
        }),
      ],
      controllers: [
        DistributionController,
        ...authControllers,
        ...replicationControllers,
        ...managementControllers,
        WebhooksController,
        ScansController,
      ],
      providers: [
        { provide: loggerToken, useValue: logger },
        { provide: storageDriverToken, useValue: storage },
        { provide: ManifestBodyCache, useValue: new ManifestBodyCache(config.manifestCacheBytes) },
        { provide: APP_FILTER, useClass: RegistryExceptionFilter },
        ...replicationProviders(),
        ...authProviders(config.auth, logger),
        BaseController,
        BlobsController,
        CatalogController,
        ManifestsController,
        { provide: PullPublisher, useClass: NatsPullPublisher },
        PullAnnouncer,
        ReferrersController,
        ReplicatedScanReports,
        TagsController,
        UploadsController,
        UploadDigesters,
        {
          provide: UploadLocks,
          useFactory: () =>
            new UploadLocks(
              cluster.isWorker ? new ClusterUploadLockClient() : undefined,
              // a request waiting longer would have had its silent connection closed
              config.http.idleTimeoutMs,
            ),
        },
      ],
    };
  }
}
