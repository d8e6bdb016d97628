/**
 * The gateway as several processes on one port (MERIDIAN_GATEWAY_WORKERS). A gateway is
 * bound by one thread's CPU: hashing every uploaded byte, moving bytes between sockets and
 * the store, and the garbage those buffers leave. Workers share nothing but the port;
 * node's cluster gives each new connection to the next worker, and a client's requests on
 * one connection stay with one worker, so an upload's running hash is usually at hand
 * (when not, the worker hashes the stored bytes again: correct, only slower). Requests of
 * one upload never run at once on two workers: the primary holds the upload locks.
 *
 * This process only supervises: it says `service ready` once every worker listens,
 * replaces a worker that dies, and on SIGINT/SIGTERM stops them all and exits.
 */
import cluster, { type Worker } from 'node:cluster';
import { loadRuntimeConfig } from '@meridian/config';
import type { Logger } from '@meridian/telemetry';
import type { GatewayConfig } from './config';
import { shutdownMessage } from './run-gateway-server';
import { serveClusterUploadLocks } from './uploads/cluster-upload-locks';

/** A worker that dies this soon after starting is broken, not unlucky: stop instead of looping. */
const minimumLifetimeMs = 5_000;
/**
 * How long workers get to finish their requests before they are killed: their own grace
 * period (MERIDIAN_SHUTDOWN_GRACE_SECONDS) and a second to flush and exit.
 */
const runtime = loadRuntimeConfig(process.env);
const stopGraceMs = runtime.shutdownGraceMs + 1_000;

export function runGatewayPrimary(config: GatewayConfig, logger: Logger): void {
  const startedAt = new Map<number, number>();
  let listening = 0;
  let stopping = false;

  const fork = (): Worker => {
    const worker = cluster.fork();
    startedAt.set(worker.id, Date.now());
    return worker;
  };
  const liveWorkers = (): Worker[] =>
    Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);

  const stop = (reason: string, exitCode = 0): void => {
    if (stopping) return;
    stopping = true;
    process.exitCode = exitCode;
    logger.debug({ reason }, 'gateway stopping');
    for (const worker of liveWorkers()) worker.send(shutdownMessage, () => undefined);
    setTimeout(() => {
      for (const worker of liveWorkers()) worker.process.kill('SIGKILL');
      exit();
    }, stopGraceMs).unref();
    if (liveWorkers().length === 0) exit();
  };
  const exit = (): void => {
    logger.flush();
    process.exit();
  };

  cluster.on('listening', (_worker, address) => {
    // a worker listens on the health port too (MERIDIAN_HEALTH_PORT): ready means the registry's
    if (address.port !== config.port) return;
    listening += 1;
    if (listening === config.workers) {
      logger.info(
        {
          host: config.host,
          port: config.port,
          healthPort: runtime.healthPort,
          storage: config.storage.driver,
          workers: config.workers,
        },
        'service ready',
      );
    }
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (liveWorkers().length === 0) exit();
      return;
    }
    const lifetimeMs = Date.now() - (startedAt.get(worker.id) ?? 0);
    logger.error({ pid: worker.process.pid, code, signal, lifetimeMs }, 'gateway worker exited');
    if (lifetimeMs < minimumLifetimeMs) return stop('a worker failed at start', 1);
    fork();
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stop(signal));

  serveClusterUploadLocks();
  for (let index = 0; index < config.workers; index += 1) fork();
}
