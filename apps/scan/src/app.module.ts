/**
 * The scan service: consumes this region's pushes, reads each image's layers from the
 * regional store, keeps packages and findings in the region's Postgres (schema `scan`),
 * attaches SBOM and report referrers, decides quarantined images and announces
 * `scan.completed.v1` through the outbox. Answers `scan.report` over NATS RPC.
 */
import { join } from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import { serviceModules } from '@meridian/database';
import { createStorageDriver, storageDriverToken } from '@meridian/storage';
import { type Logger, loggerToken } from '@meridian/telemetry';
import { AdvisoryMatcher, OsvAdvisoryMatcher } from './advisories/advisory-matcher';
import { AdvisoryRefresh, refreshSecondsToken } from './advisories/advisory-refresh';
import type { ScanConfig } from './config';
import { ReferrerPublisher, RegistryReferrerPublisher } from './referrers/referrer-publisher';
import { LayerReader, StoreLayerReader } from './scans/layer-reader';
import { PushedImagesConsumer } from './scans/pushed-images.consumer';
import { NatsRegistryClient, RegistryClient } from './scans/registry.client';
import { scanSettingsToken } from './scans/scan.settings';
import { ScansHandler } from './scans/scans.handler';
import { ScansRepository, SqlScansRepository } from './scans/scans.repository';
import { ScansService } from './scans/scans.service';
import { ScanReportsService } from './scans/scan-reports.service';

export const serviceName = 'scan';

export interface AppModuleOptions {
  config: ScanConfig;
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
        { provide: storageDriverToken, useFactory: () => createStorageDriver(config.storage) },
        {
          provide: scanSettingsToken,
          useValue: {
            region: config.region,
            enabled: config.advisoryDb !== undefined,
            quarantineSeverity: config.quarantineSeverity,
          },
        },
        { provide: refreshSecondsToken, useValue: config.advisoryDbRefreshSeconds },
        { provide: AdvisoryMatcher, useValue: new OsvAdvisoryMatcher(config.advisoryDb) },
        { provide: LayerReader, useClass: StoreLayerReader },
        { provide: ReferrerPublisher, useClass: RegistryReferrerPublisher },
        { provide: RegistryClient, useClass: NatsRegistryClient },
        { provide: ScansRepository, useClass: SqlScansRepository },
        ScansService,
        ScanReportsService,
        // the database is loaded before the first event is taken
        AdvisoryRefresh,
        PushedImagesConsumer,
      ],
      controllers: [ScansHandler],
    };
  }
}
