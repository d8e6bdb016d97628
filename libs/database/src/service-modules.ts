/**
 * The modules every service that owns a schema imports: the region's NATS messaging (the
 * RPC client, the outbox relay's publishing), the RPC server that answers its
 * `@MessagePattern` handlers, and its database, named after the service. One place, so the
 * six services cannot drift apart in how they connect.
 */
import type { DynamicModule } from '@nestjs/common';
import { type MessagingAuth, MessagingModule, RpcServerModule } from '@meridian/messaging';
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
    /** how long the region's event streams keep an event */
    eventRetentionMs?: number;
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
}: ServiceModulesOptions): (DynamicModule | typeof RpcServerModule)[] {
  return [
    MessagingModule.forRootAsync({
      useFactory: () => ({
        servers: config.natsUrls,
        region: config.region,
        service,
        logger,
        auth: config.natsAuth,
        ...(config.eventRetentionMs === undefined
          ? {}
          : { eventRetentionMs: config.eventRetentionMs }),
      }),
    }),
    RpcServerModule,
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
