/**
 * The two modules every service that owns a schema imports: the region's NATS messaging
 * (its RPCs, and the outbox relay's publishing) and its database, named after the service.
 * One place, so the six services cannot drift apart in how they connect.
 */
import type { DynamicModule } from '@nestjs/common';
import { type MessagingAuth, MessagingModule } from '@meridian/messaging';
import type { Logger } from 'pino';
import { DatabaseModule } from './database.module';

export interface ServiceModulesOptions {
  /** the service's name: its NATS queue group and its Postgres schema */
  service: string;
  config: {
    region: string;
    natsUrls: string | string[];
    /** the service's own NATS credentials and TLS */
    natsAuth?: MessagingAuth;
    databaseUrl: string;
  };
  /** the service's own `migrations` directory */
  migrationsDirectory: string;
  logger: Logger;
}

export function serviceModules({
  service,
  config,
  migrationsDirectory,
  logger,
}: ServiceModulesOptions): DynamicModule[] {
  return [
    MessagingModule.forRootAsync({
      useFactory: () => ({
        servers: config.natsUrls,
        region: config.region,
        service,
        logger,
        auth: config.natsAuth,
      }),
    }),
    DatabaseModule.forRootAsync({
      useFactory: () => ({
        url: config.databaseUrl,
        region: config.region,
        schema: service,
        migrationsDirectory,
        logger,
      }),
    }),
  ];
}
