/**
 * One call that runs a Meridian service which has no HTTP API of its own (auth, manifest,
 * blob, replication, webhook, scan …):
 *
 *   void bootstrapService({
 *     service: serviceName,
 *     loadConfig,
 *     module: AppModule.forRoot,
 *     strategy: NatsRpcServer,
 *   });
 *
 * It reads the configuration (a bad value stops the process with a message naming the
 * keys), names the logger, metrics and traces after the service and region, starts the
 * Nest microservice on the service's transport strategy (`strategy`: NatsRpcServer from
 * libs/messaging, which answers its `@MessagePattern` handlers), checks its readiness
 * probes once (so "service ready" means NATS, the database and the store answer, and every
 * RPC subscription is registered), serves `/livez`, `/readyz`, `/metrics` on
 * MERIDIAN_HEALTH_PORT when set, and stops gracefully on SIGTERM/SIGINT: readiness turns 503, the transport stops taking requests and waits for
 * the answers in progress, then Nest's shutdown hooks stop the consumers and wait for the
 * work in hand, within MERIDIAN_SHUTDOWN_GRACE_SECONDS; exit 0.
 */
import type { DynamicModule, INestApplicationContext, Type } from '@nestjs/common';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import type { AsyncMicroserviceOptions, CustomTransportStrategy } from '@nestjs/microservices';
import {
  HealthEndpoints,
  type ReadinessProbe,
  isReadinessProbe,
  startHealthServer,
} from './health';
import { type Logger, createLogger } from './logger';
import { startMetrics } from './metrics';
import { NestPinoLogger } from './nest-logger';
import { onShutdownSignal } from './graceful-shutdown';
import { loadRuntimeConfig } from '@meridian/config';
import { startTracing } from './tracing';

export interface ServiceConfigBase {
  region: string;
  logLevel?: string;
}

export interface ServiceDefinition<C extends ServiceConfigBase> {
  /** the service's name: logs, metrics, traces and its NATS queue group */
  service: string;
  loadConfig(env: NodeJS.ProcessEnv): C;
  module(options: { config: C; logger: Logger }): DynamicModule | Promise<DynamicModule>;
  /** the provider, in `module`, of the microservice's transport strategy */
  strategy: Type<CustomTransportStrategy>;
}

export async function bootstrapService<C extends ServiceConfigBase>(
  definition: ServiceDefinition<C>,
): Promise<void> {
  const { config, runtime } = readConfig(definition);
  const logger = createLogger({
    service: definition.service,
    region: config.region,
    level: config.logLevel,
  });
  const tracing = startTracing({ service: definition.service, region: config.region });
  const registry = startMetrics({ service: definition.service, region: config.region });
  let app: INestApplicationContext;
  let endpoints: HealthEndpoints;
  let health: { port: number; close(): Promise<void> } | undefined;
  try {
    const microservice = await NestFactory.createMicroservice<AsyncMicroserviceOptions>(
      await definition.module({ config, logger }),
      {
        logger: new NestPinoLogger(logger),
        abortOnError: false,
        inject: [definition.strategy],
        useFactory: (strategy: CustomTransportStrategy) => ({ strategy }),
      },
    );
    app = microservice;
    await microservice.listen();
    const probes = findReadinessProbes(app);
    await checkReady(probes);
    endpoints = new HealthEndpoints(probes, registry);
    if (runtime.healthPort !== undefined)
      health = await startHealthServer(endpoints, runtime.healthPort, runtime.healthHost);
  } catch (err) {
    logger.fatal({ err }, 'service failed to start');
    // the logger writes asynchronously: exit once the line is out
    logger.flush(() => process.exit(1));
    return;
  }
  onShutdownSignal({
    logger,
    graceMs: runtime.shutdownGraceMs,
    stop: async () => {
      endpoints.markStopping();
      await app.close();
      await health?.close();
      await tracing?.shutdown();
      await registry.shutdown();
    },
  });
  logger.info({ healthPort: health?.port }, 'service ready');
}

function readConfig<C extends ServiceConfigBase>(definition: ServiceDefinition<C>) {
  try {
    return { config: definition.loadConfig(process.env), runtime: loadRuntimeConfig(process.env) };
  } catch (err) {
    process.stderr.write(`${definition.service}: ${err instanceof Error ? err.message : err}\n`);
    process.exit(1);
  }
}

/** Every provider of the application marked as a readiness probe (messaging, database, store). */
export function findReadinessProbes(app: INestApplicationContext): ReadinessProbe[] {
  const probes = new Set<ReadinessProbe>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.providers.values()) {
      if (isReadinessProbe(wrapper.instance)) probes.add(wrapper.instance);
    }
  }
  return [...probes];
}

async function checkReady(probes: readonly ReadinessProbe[]): Promise<void> {
  await Promise.all(probes.map((probe) => probe.check()));
}
