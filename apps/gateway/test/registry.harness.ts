/**
 * A whole region for gateway integration tests: its own nats-server (JetStream), a fresh
 * Postgres database, a temporary filesystem store, the real blob and manifest services
 * as child processes (`node -r @swc-node/register apps/<svc>/src/main.ts`, ready once they
 * log `service ready`), and the gateway in this process on a free port, so a test can
 * restart it or look at its store.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type StorageDriver, createStorageDriver } from '@meridian/storage';
import { createLogger } from '@meridian/telemetry';
import {
  type ManagedProcess,
  createTestDatabase,
  freePort,
  spawnProcess,
  startNatsServer,
  startOrReuseCephRgw,
} from '@meridian/testing';
import { type GatewayConfig, loadConfig } from '../src/config';
import { createGatewayApp } from '../src/gateway-app';

const repositoryRoot = resolve(__dirname, '..', '..', '..');
const verbose = process.env['MERIDIAN_TEST_VERBOSE'] === '1';

export interface RegistryUnderTest {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly config: GatewayConfig;
  /** the region's store, to check that nothing was written */
  readonly store: StorageDriver;
  /** `fetch` of a path of this registry */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** a fresh gateway process state (its caches and running hashes gone), same port */
  restartGateway(): Promise<void>;
  stop(): Promise<void>;
}

export interface RegistryOptions {
  /**
   * Run the gateway as `main.ts` in a child process with this many workers, as the launcher
   * does, instead of in this process (`restartGateway` is then unavailable).
   */
  gatewayWorkers?: number;
  /** the store: a temporary directory by default, or a bucket on a real S3 server (Ceph RGW) */
  storage?: 'filesystem' | 's3';
}

export async function startRegistry(options: RegistryOptions = {}): Promise<RegistryUnderTest> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const stop = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    const nats = await startNatsServer({ serverName: 'gateway-test' });
    cleanups.push(() => nats.stop());
    const database = await createTestDatabase('gateway');
    cleanups.push(() => database.drop());
    const storeDir = await mkdtemp(join(tmpdir(), 'meridian-gateway-store-'));
    cleanups.push(() => rm(storeDir, { recursive: true, force: true }));
    const storageEnv: NodeJS.ProcessEnv = {
      MERIDIAN_STORAGE_DRIVER: 'filesystem',
      MERIDIAN_STORAGE_DIR: storeDir,
    };
    if (options.storage === 's3') {
      const s3 = await startOrReuseCephRgw();
      cleanups.push(() => s3.stop());
      Object.assign(storageEnv, {
        MERIDIAN_STORAGE_DRIVER: 's3',
        MERIDIAN_S3_ENDPOINT: s3.endpoint,
        MERIDIAN_S3_REGION: s3.region,
        MERIDIAN_S3_BUCKET: `gateway-${randomBytes(6).toString('hex')}`,
        MERIDIAN_S3_ACCESS_KEY_ID: s3.accessKeyId,
        MERIDIAN_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        MERIDIAN_S3_REDIRECT: 'true',
      });
    }

    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      MERIDIAN_REGION: 'us-east',
      MERIDIAN_NATS_URL: nats.url,
      DATABASE_URL: database.url,
      ...storageEnv,
      MERIDIAN_HOST: '127.0.0.1',
      MERIDIAN_PORT: String(port),
      // the services' `service ready` line is an info line
      MERIDIAN_LOG_LEVEL: verbose ? 'debug' : 'info',
    };
    const services = ['blob', 'manifest', ...(options.gatewayWorkers ? ['gateway'] : [])];
    for (const service of services) {
      const child = startService(service, {
        ...env,
        MERIDIAN_GATEWAY_WORKERS: String(options.gatewayWorkers ?? 1),
      });
      cleanups.push(() => child.stop());
      await child.waitForLine((line) => line.text.includes('"service ready"'), {
        timeoutMs: 60_000,
        description: `${service} service ready`,
      });
    }

    const config = {
      ...loadConfig(env, repositoryRoot),
      logLevel: verbose ? 'debug' : 'warn',
    } as const;
    const logger = createLogger({
      service: 'gateway',
      region: config.region,
      level: config.logLevel,
      destination: process.stderr,
    });
    let gateway: NestFastifyApplication | undefined;
    const startGateway = async (): Promise<void> => {
      gateway = await createGatewayApp(config, logger);
      await gateway.listen(port, '127.0.0.1');
    };
    const stopGateway = async (): Promise<void> => {
      await gateway?.close();
      gateway = undefined;
    };
    if (!options.gatewayWorkers) {
      await startGateway();
      cleanups.push(stopGateway);
    }

    const url = `http://127.0.0.1:${port}`;
    return {
      url,
      config,
      store: await createStorageDriver(config.storage),
      request: (path, init) => fetch(`${url}${path}`, init),
      async restartGateway() {
        if (options.gatewayWorkers) throw new Error('the gateway runs in a child process');
        await stopGateway();
        await startGateway();
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function startService(service: string, env: NodeJS.ProcessEnv): ManagedProcess {
  return spawnProcess({
    name: service,
    command: process.execPath,
    args: ['-r', '@swc-node/register', join('apps', service, 'src', 'main.ts')],
    cwd: repositoryRoot,
    env,
    stopGraceMs: 5_000,
  });
}
