/**
 * Starts the scan service: `node dist/apps/scan/src/main.js` once built (`npx nx build scan`), or
 * `node -r @swc-node/register apps/scan/src/main.ts` from its sources in development.
 * No HTTP API: it scans pushes and answers NATS RPCs; SIGHUP rereads the advisory database.
 * Environment: see config.ts; health, metrics, tracing and graceful shutdown (the consumer
 * stops taking pushes, the scans in hand finish or are left for redelivery) come from
 * `bootstrapService` (libs/telemetry).
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
