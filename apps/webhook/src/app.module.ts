/**
 * The webhook service: the webhooks of every region (replicated), in the region's Postgres
 * (schema `webhook`), managed over NATS RPC; durable consumers of the region's events and of
 * its pulls that record one delivery per matching webhook of this region; and the runner that
 * sends them, signed, with retries, logging every attempt.
 */
import { join } from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import { serviceModules } from '@meridian/database';
import { type Logger, loggerToken } from '@meridian/telemetry';
import type { WebhookConfig } from './config';
import { AttemptDelivery } from './deliveries/attempt-delivery';
import { DeliveriesRepository } from './deliveries/deliveries.repository';
import { deliverySettingsToken } from './deliveries/delivery.settings';
import { DeliveryRunner } from './deliveries/delivery-runner';
import { NotificationsService, regionToken } from './events/notifications.service';
import { NatsQuarantineLookup, QuarantineLookup } from './events/quarantine-lookup';
import { RegionEventsConsumer } from './events/region-events.consumer';
import { RegionPullsConsumer } from './events/region-pulls.consumer';
import { AddressPolicy, SecretBox } from '@meridian/outbound';
import { EnabledWebhooks } from './webhooks/enabled-webhooks';
import { WebhooksHandler } from './webhooks/webhooks.handler';
import { WebhooksRepository } from './webhooks/webhooks.repository';
import { WebhooksService } from './webhooks/webhooks.service';

export const serviceName = 'webhook';

export interface AppModuleOptions {
  config: WebhookConfig;
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
        { provide: regionToken, useValue: config.region },
        { provide: deliverySettingsToken, useValue: config.delivery },
        { provide: AddressPolicy, useValue: new AddressPolicy(config.allowedHosts) },
        { provide: SecretBox, useValue: new SecretBox(config.secretKey) },
        { provide: QuarantineLookup, useClass: NatsQuarantineLookup },
        WebhooksRepository,
        EnabledWebhooks,
        DeliveriesRepository,
        WebhooksService,
        NotificationsService,
        AttemptDelivery,
        RegionEventsConsumer,
        RegionPullsConsumer,
        DeliveryRunner,
      ],
      controllers: [WebhooksHandler],
    };
  }
}
