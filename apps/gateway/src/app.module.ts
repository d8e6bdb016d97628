/**
 * The gateway's Nest module: one catch-all controller for `/v2` (distribution/) that
 * dispatches to the route handlers of each resource (`*.routes.ts`), the management API's
 * controllers, and what they share (NATS messaging, the store, the caches).
 * The store and logger are made before Nest starts (see gateway-app.ts) and handed in.
 */
import cluster from 'node:cluster';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { MessagingModule } from '@meridian/messaging';
import { type StorageDriver, storageDriverToken } from '@meridian/storage';
import { type Logger, loggerToken } from '@meridian/telemetry';
import { AcrController } from './acr/acr.controller';
import { ImagePlatforms } from './acr/image-platforms';
import { authControllers, authProviders } from './auth/auth.providers';
import { BaseRoutes } from './distribution/base.routes';
import { BlobRoutes } from './blobs/blobs.routes';
import { CatalogRoutes } from './catalog/catalog.routes';
import type { GatewayConfig } from './config';
import { DistributionController } from './distribution/distribution.controller';
import { RegistryExceptionFilter } from './registry-exception.filter';
import { managementControllers } from './management/management.providers';
import { ManifestBodyCache } from './manifests/manifest-body.cache';
import { ManifestRoutes } from './manifests/manifests.routes';
import { NatsPullPublisher, PullAnnouncer, PullPublisher } from './manifests/pull-announcer';
import { pullThroughProviders } from './pull-through/pull-through.providers';
import { ReferrerRoutes } from './referrers/referrers.routes';
import { ReplicatedScanReports } from './scans/replicated-scan-reports';
import { GcController } from './gc/gc.controller';
import { CacheRulesController } from './imports/cache-rules.controller';
import { ReplicationsController } from './replication/replications.controller';
import { CredentialSetsController } from './imports/credential-sets.controller';
import { ImportsController } from './imports/imports.controller';
import { PurgeController } from './purge/purge.controller';
import { RetentionController } from './retention/retention.controller';
import { ScansController } from './scans/scans.controller';
import { SoftDeleteController } from './soft-delete/soft-delete.controller';
import { ScrubController } from './scrub/scrub.controller';
import { replicationControllers, replicationProviders } from './replication/replication.providers';
import { TagRoutes } from './tags/tags.routes';
import { ClusterUploadLockClient } from './uploads/cluster-upload-locks';
import { UploadDigesters } from './uploads/upload-digesters';
import { UploadLocks } from './uploads/upload-locks';
import { UploadStates } from './uploads/upload-states';
import { UploadRoutes } from './uploads/uploads.routes';
import { QuotasController } from './usage/quotas.controller';
import { UsageController } from './usage/usage.controller';
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
            servers: config.natsUrls,
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
        AcrController,
        UsageController,
        QuotasController,
        PurgeController,
        GcController,
        ImportsController,
        CredentialSetsController,
        CacheRulesController,
        ReplicationsController,
        RetentionController,
        SoftDeleteController,
        ScrubController,
      ],
      providers: [
        { provide: loggerToken, useValue: logger },
        { provide: storageDriverToken, useValue: storage },
        { provide: ManifestBodyCache, useValue: new ManifestBodyCache(config.manifestCacheBytes) },
        { provide: APP_FILTER, useClass: RegistryExceptionFilter },
        ...replicationProviders(),
        ...pullThroughProviders(),
        ...authProviders(config.auth, logger),
        ImagePlatforms,
        BaseRoutes,
        BlobRoutes,
        CatalogRoutes,
        ManifestRoutes,
        { provide: PullPublisher, useClass: NatsPullPublisher },
        PullAnnouncer,
        ReferrerRoutes,
        ReplicatedScanReports,
        TagRoutes,
        UploadRoutes,
        UploadDigesters,
        { provide: UploadStates, useValue: new UploadStates(config.uploadStateKey) },
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
