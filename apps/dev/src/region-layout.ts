/**
 * Where each region lives on this machine. Region i (in MERIDIAN_REGIONS order) serves
 * its gateway on MERIDIAN_PORT + i (and its nats-server on MERIDIAN_NATS_PORT + i when
 * that is set), and keeps everything under `<data dir>/<region>/`:
 *   nats/    nats-server config, pid file and JetStream store (`nats/jetstream`)
 *   store/   the filesystem blob store
 * Its database is `meridian_<region with underscores>` on the one Postgres server.
 */
import { join } from 'node:path';
import type { LauncherConfig } from './config';

export interface RegionLayout {
  region: string;
  gatewayPort: number;
  /** where users and health checks reach the gateway */
  gatewayUrl: string;
  natsPort?: number;
  natsDir: string;
  storeDir: string;
  databaseName: string;
}

export function planRegions(config: LauncherConfig): RegionLayout[] {
  return config.regions.map((region, index) => ({
    region,
    gatewayPort: config.port + index,
    gatewayUrl: `http://${reachableHost(config.host)}:${config.port + index}`,
    natsPort: config.natsPort === undefined ? undefined : config.natsPort + index,
    natsDir: join(config.dataDir, region, 'nats'),
    storeDir: join(config.dataDir, region, 'store'),
    databaseName: `meridian_${region.replace(/-/g, '_')}`,
  }));
}

/** A gateway listening on every interface is reached on the loopback one. */
function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '[::]') return '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
