/**
 * The gateway service: the OCI Distribution API on MERIDIAN_HOST:MERIDIAN_PORT, served by
 * MERIDIAN_GATEWAY_WORKERS processes. Logs `service ready` once it listens; SIGINT/SIGTERM
 * close the listener, let requests in flight finish, drain NATS and exit.
 */
import 'reflect-metadata';
import cluster from 'node:cluster';
import { createLogger } from '@meridian/telemetry';
import { ConfigError, type GatewayConfig, loadConfig } from './config';
import { runGatewayPrimary } from './run-gateway-primary';
import { runGatewayServer } from './run-gateway-server';

function readConfig(): GatewayConfig {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`gateway: ${error.message}\n`);
    process.exit(1);
  }
}

const config = readConfig();
const logger = createLogger({ service: 'gateway', region: config.region, level: config.logLevel });
if (config.auth.mode === 'off' && cluster.isPrimary) {
  logger.warn(
    { variable: 'MERIDIAN_AUTH_MODE' },
    'authentication is off: every caller may pull, push and delete anything',
  );
}
if (config.workers > 1 && cluster.isPrimary) {
  runGatewayPrimary(config, logger);
} else {
  runGatewayServer(config, logger).catch((error: unknown) => {
    logger.fatal({ err: error }, 'gateway failed to start');
    // the logger writes asynchronously: exit once the line is out
    logger.flush(() => process.exit(1));
  });
}
