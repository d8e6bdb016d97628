/**
 * Starts the webhook service: `node dist/apps/webhook/src/main.js` once built (`npx nx build webhook`), or
 * `node -r @swc-node/register apps/webhook/src/main.ts` from its sources in development.
 * No HTTP API: it answers NATS RPCs, consumes the region's events and delivers webhooks.
 * Environment: see config.ts; health, metrics, tracing and graceful shutdown (the consumer
 * stops taking events, the requests in flight finish) come from `bootstrapService`
 * (libs/telemetry).
 */
import 'reflect-metadata';
import { NatsRpcServer } from '@meridian/messaging';
import { bootstrapService } from '@meridian/telemetry';
import { AppModule, serviceName } from './app.module';
import { loadConfig } from './config';

void bootstrapService({
  service: serviceName,
  loadConfig,
  module: AppModule.forRoot,
  strategy: NatsRpcServer,
});
