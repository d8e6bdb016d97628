/**
 * Starts the scan service: `node -r @swc-node/register apps/scan/src/main.ts`.
 * No HTTP server: it scans pushes and answers NATS RPCs until SIGINT/SIGTERM, then drains and
 * exits; SIGHUP rereads the advisory database.
 * Environment: see config.ts.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Messaging } from '@meridian/messaging';
import { type Logger, NestPinoLogger, createLogger } from '@meridian/telemetry';
import { AppModule, serviceName } from './app.module';
import { ConfigError, type ScanConfig, loadConfig } from './config';

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger({
    service: serviceName,
    region: config.region,
    level: config.logLevel,
  });
  try {
    const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config, logger }), {
      logger: new NestPinoLogger(logger),
      abortOnError: false,
    });
    app.enableShutdownHooks();
    // the server has registered every RPC subscription once this round trip returns
    await app.get(Messaging).connection.flush();
    logger.info('service ready');
  } catch (err) {
    exitWith(logger, err);
  }
}

function readConfig(): ScanConfig {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${serviceName}: ${err.message}\n`);
    process.exit(1);
  }
}

function exitWith(logger: Logger, err: unknown): void {
  logger.fatal({ err }, 'service failed to start');
  // the logger writes asynchronously: exit once the line is out
  logger.flush(() => process.exit(1));
}

void main();
