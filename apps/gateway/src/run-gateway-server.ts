/**
 * One HTTP server process: the whole gateway, or one worker of a cluster (the primary
 * then owns the port and hands connections round-robin to its workers). It stops on
 * SIGINT/SIGTERM, on the primary's request, or when the primary is gone: the listener
 * closes, requests in flight finish, NATS drains, the process exits.
 */
import cluster from 'node:cluster';
import type { Logger } from '@meridian/telemetry';
import type { GatewayConfig } from './config';
import { createGatewayApp } from './gateway-app';

/** What a primary sends its workers to stop them. */
export const shutdownMessage = 'meridian:shutdown';

export async function runGatewayServer(config: GatewayConfig, logger: Logger): Promise<void> {
  const app = await createGatewayApp(config, logger);
  let stopping: Promise<void> | undefined;
  const stop = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      logger.debug({ reason }, 'gateway stopping');
      try {
        await app.close();
      } catch (error) {
        logger.error({ err: error }, 'gateway failed to stop cleanly');
        process.exitCode = 1;
      }
      logger.flush();
      process.exit();
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
      { host: config.host, port: config.port, storage: config.storage.driver },
      'service ready',
    );
}
