/**
 * Starts the blob service: `node -r @swc-node/register apps/blob/src/main.ts`.
 * Configuration comes from the environment (see config.ts); a bad value stops the process
 * with one message naming every bad key.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Messaging } from '@meridian/messaging';
import { NestPinoLogger, createLogger } from '@meridian/telemetry';
import { AppModule, serviceName } from './app.module';
import { type BlobConfig, ConfigError, loadConfig } from './config';

async function main(): Promise<void> {
  let config: BlobConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${serviceName}: ${error.message}\n`);
    process.exit(1);
  }
  const logger = createLogger({
    service: serviceName,
    region: config.region,
    level: config.logLevel,
  });
  try {
    const app = await NestFactory.createApplicationContext(AppModule.forRoot(config, logger), {
      logger: new NestPinoLogger(logger),
      abortOnError: false,
    });
    app.enableShutdownHooks();
    // the server has every subscription once this returns, so "ready" means requests get answers
    await app.get(Messaging).connection.flush();
    logger.info('service ready');
  } catch (err) {
    logger.fatal({ err }, 'failed to start');
    logger.flush();
    process.exitCode = 1;
    process.exit();
  }
}

void main();
