/**
 * Starts the manifest service: `node dist/apps/manifest/src/main.js` once built (`npx nx build manifest`), or
 * `node -r @swc-node/register apps/manifest/src/main.ts` from its sources in development.
 * Environment: see config.ts; health, metrics, tracing and graceful shutdown come from
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
