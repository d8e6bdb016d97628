/**
 * The gateway service: the OCI Distribution API on MERIDIAN_HOST:MERIDIAN_PORT. Logs
 * `service ready` once it listens; SIGINT/SIGTERM close the listener and drain NATS.
 */
import 'reflect-metadata';
import { createLogger } from '@meridian/telemetry';
import { ConfigError, type GatewayConfig, loadConfig } from './config';
import { createGatewayApp } from './gateway-app';

async function main(config: GatewayConfig): Promise<void> {
  const logger = createLogger({
    service: 'gateway',
    region: config.region,
    level: config.logLevel,
  });
  try {
    const app = await createGatewayApp(config, logger);
    app.enableShutdownHooks(['SIGINT', 'SIGTERM']);
    await app.listen(config.port, config.host);
    logger.info(
      { host: config.host, port: config.port, storage: config.storage.driver },
      'service ready',
    );
  } catch (error) {
    logger.fatal({ err: error }, 'gateway failed to start');
    logger.flush();
    process.exitCode = 1;
    setImmediate(() => process.exit(1));
  }
}

let config: GatewayConfig;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
void main(config);
