/**
 * One HTTP server process: the whole gateway, or one worker of a cluster (the primary
 * then owns the port and hands connections round-robin to its workers). It stops on
 * SIGINT/SIGTERM, on the primary's request, or when the primary is gone: the listener
 * closes, `/readyz` turns 503, requests in flight (uploads too) get
 * MERIDIAN_SHUTDOWN_GRACE_SECONDS to finish, NATS drains, the process exits 0 (1 when
 * stopping failed or overran). Traces and metrics are named after the gateway and region;
 * with MERIDIAN_HEALTH_PORT, `/livez`, `/readyz` and `/metrics` answer there (in a cluster,
 * every worker listens on it and node hands each scrape to one of them).
 */
import cluster from 'node:cluster';
import { loadRuntimeConfig } from '@meridian/config';
import { type Logger, startMetrics, startTracing } from '@meridian/telemetry';
import type { GatewayConfig } from './config';
import { createGatewayApp } from './gateway-app';

/** What a primary sends its workers to stop them. */
export const shutdownMessage = 'meridian:shutdown';

export async function runGatewayServer(config: GatewayConfig, logger: Logger): Promise<void> {
  const runtime = loadRuntimeConfig(process.env);
  const tracing = startTracing({ service: 'gateway', region: config.region });
  const registry = startMetrics({ service: 'gateway', region: config.region });
  const { app, healthPort } = await createGatewayApp(
    config,
    logger,
    runtime.healthPort !== undefined
      ? { port: runtime.healthPort, host: runtime.healthHost }
      : undefined,
  );
  let stopping: Promise<void> | undefined;
  const stop = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      logger.debug({ reason }, 'gateway stopping');
      try {
        // HTTP first: Nest's own close runs the shutdown hooks (NATS drains) before it
        // closes the server, and requests taken meanwhile would find no NATS to ask
        const closed = await closeWithin(async () => {
          await app.getHttpAdapter().close();
          await app.close();
        }, runtime.shutdownGraceMs);
        if (!closed) {
          logger.warn(
            { graceMs: runtime.shutdownGraceMs },
            'requests in flight outlived the grace period',
          );
          process.exitCode = 1;
        }
        await tracing?.shutdown();
        await registry.shutdown();
      } catch (error) {
        logger.error({ err: error }, 'gateway failed to stop cleanly');
        process.exitCode = 1;
      }
      logger.flush(() => process.exit());
    })();
    return stopping;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(signal));
  if (cluster.isWorker) {
    process.on('message', (message) => {
      if (message === shutdownMessage) void stop('primary asked');
    });
    process.on('disconnect', () => void stop('primary gone'));
  }
  await app.listen(config.port, config.host);
  if (cluster.isWorker) logger.debug({ port: config.port }, 'gateway worker listening');
  else
    logger.info(
      { host: config.host, port: config.port, healthPort, storage: config.storage.driver },
      'service ready',
    );
}

/** True when `close` finished within `graceMs`. */
async function closeWithin(close: () => Promise<void>, graceMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const overran = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), graceMs);
  });
  try {
    return await Promise.race([close().then(() => true as const), overran]);
  } finally {
    clearTimeout(timer);
  }
}
