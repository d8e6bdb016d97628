/**
 * Starts a region's services, compiled or from their sources (service-entries.ts), with the
 * environment the services read (see apps/dev/README.md).
 * A service is ready when it logs `service ready`; the gateway, when `GET /v2/` answers
 * too (200, or 401 once authentication is on: both mean the registry API is serving).
 */
import { availableParallelism } from 'node:os';
import { ManagedProcess, ProcessStartError, waitForHttp } from '@meridian/process';
import { peerStorageEnvKey } from '@meridian/storage';
import { isAtLeast } from './format-log-line';
import type { LauncherConfig } from './config';
import { parseLogLine } from './format-log-line';
import type { LauncherOutput } from './launcher-output';
import type { RegionLayout } from './region-layout';
import type { ServiceEntries } from './service-entries';
import type { SupervisedUnit } from './supervisor';

export interface ServiceSpec {
  name: string;
  database: boolean;
  store: boolean;
  http: boolean;
  /** reads the other regions' stores (MERIDIAN_PEERS, MERIDIAN_PEER_<REGION>_STORAGE_*) */
  peers: boolean;
  /** knows only which other regions there are (MERIDIAN_PEERS), not their stores */
  peerRegions?: boolean;
  /**
   * started once the other services of every region answer: replication's peer-events
   * stream sources each peer's event stream, which those services create at their start (a
   * source missing when the stream is created is a nats-server warning, and the sourcing
   * then waits for the server's retry)
   */
  afterPeers?: boolean;
  /** node flags before the script; a cluster's workers inherit them */
  nodeFlags?: readonly string[];
  /** work that can wait: runs niced (see backgroundNiceness) */
  background?: boolean;
}

/**
 * Replication and scanning follow pushes; they must not take the CPU the pushes and pulls
 * themselves need. On the few cores of one machine running every region, they run at this
 * niceness (through `nice`, so every thread of the process has it, the libuv pool's where
 * copies and hashes run too): they take what the client-facing services leave, and all of
 * it when those are idle.
 */
export const backgroundNiceness = 10;

/**
 * Blob bytes pass through the gateway in socket-sized buffers; with V8's default young
 * generation, the ones still queued behind a write or an fsync got promoted and every few
 * hundred MB forced a full mark-compact of the heap (a third of the gateway's CPU in a push
 * profile). A 64 MiB semi-space lets them die young: measured +15–25% push and pull MB/s on
 * 2 CPUs, for up to a few hundred MB more memory per gateway process under load.
 */
const gatewayNodeFlags = ['--max-semi-space-size=64'] as const;

/** A region's services; the launcher starts them side by side (launcher.ts says why). */
export const regionServices: readonly ServiceSpec[] = [
  { name: 'blob', database: true, store: true, http: false, peers: false },
  { name: 'manifest', database: true, store: false, http: false, peers: false },
  // auth shares the failed-login limits out among the regions that replicate with each other
  { name: 'auth', database: true, store: false, http: false, peers: false, peerRegions: true },
  {
    name: 'replication',
    database: true,
    store: true,
    http: false,
    peers: true,
    afterPeers: true,
    background: true,
  },
  { name: 'webhook', database: true, store: false, http: false, peers: false },
  { name: 'scan', database: true, store: true, http: false, peers: false, background: true },
  {
    name: 'gateway',
    database: false,
    store: true,
    http: true,
    peers: true,
    nodeFlags: gatewayNodeFlags,
  },
];

export interface RegionInfrastructure {
  natsUrl: string;
  /** the region's own database */
  databaseUrl: string;
  /** the regions it replicates with: none for a stand-alone region (replication-peers.ts) */
  peers: readonly RegionLayout[];
  /** the nkey seed each service connects to NATS with (nats-credentials.ts) */
  natsSeedOf?: (service: string) => string;
}

const readyTimeoutMs = 120_000;
const httpTimeoutMs = 30_000;

export function serviceEnv(
  spec: ServiceSpec,
  layout: RegionLayout,
  infra: RegionInfrastructure,
  config: LauncherConfig,
  inherited: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  // the launcher's own DATABASE_URL names a server, not a region's database; NATS
  // credentials are each service's own
  const {
    DATABASE_URL: _server,
    MERIDIAN_NATS_USER: _user,
    MERIDIAN_NATS_PASSWORD: _password,
    MERIDIAN_NATS_NKEY_SEED: _seed,
    ...env
  } = inherited;
  return {
    ...(spec.http ? { MERIDIAN_GATEWAY_WORKERS: String(gatewayWorkersBesideServices()) } : {}),
    ...env,
    MERIDIAN_REGION: layout.region,
    MERIDIAN_NATS_URL: infra.natsUrl,
    ...(infra.natsSeedOf ? { MERIDIAN_NATS_NKEY_SEED: infra.natsSeedOf(spec.name) } : {}),
    // the launcher waits for the info line `service ready`: quieter levels are applied to
    // what it prints, not to what the service writes
    MERIDIAN_LOG_LEVEL: isAtLeast(config.logLevel, 'info') ? 'info' : config.logLevel,
    MERIDIAN_STORAGE_DRIVER: 'filesystem',
    ...(spec.database ? { DATABASE_URL: infra.databaseUrl } : {}),
    ...(spec.store ? { MERIDIAN_STORAGE_DIR: layout.storeDir } : {}),
    ...(spec.http ? { MERIDIAN_HOST: config.host, MERIDIAN_PORT: String(layout.gatewayPort) } : {}),
    ...(spec.peerRegions ? { MERIDIAN_PEERS: peerIds(infra.peers) } : {}),
    ...(spec.peers ? peerEnv(infra.peers) : {}),
  };
}

function peerIds(peers: readonly RegionLayout[]): string {
  return peers.map((peer) => peer.region).join(',');
}

/** Where the other regions' stores are: replication copies from them, the gateway serves from them while catching up. */
function peerEnv(peers: readonly RegionLayout[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { MERIDIAN_PEERS: peerIds(peers) };
  for (const peer of peers) {
    env[peerStorageEnvKey(peer.region, 'MERIDIAN_STORAGE_DRIVER')] = 'filesystem';
    env[peerStorageEnvKey(peer.region, 'MERIDIAN_STORAGE_DIR')] = peer.storeDir;
  }
  return env;
}

/**
 * The gateway's own default is a worker per CPU, for a host of its own. Here every service,
 * Postgres and NATS share the machine with it: on 2 CPUs one worker measured faster than two
 * in every benchmark scenario (the workers took CPU the blob service and Postgres needed, and
 * a chunked upload whose requests alternate between workers has its bytes hashed again).
 * An explicit MERIDIAN_GATEWAY_WORKERS still wins.
 */
export function gatewayWorkersBesideServices(): number {
  return Math.max(1, Math.floor(availableParallelism() / 2));
}

export function serviceUnit(
  spec: ServiceSpec,
  layout: RegionLayout,
  infra: RegionInfrastructure,
  context: { config: LauncherConfig; output: LauncherOutput; entries: ServiceEntries },
): SupervisedUnit {
  const name = `${layout.region}/${spec.name}`;
  const source = {
    prefix: name,
    kind: 'service',
    service: spec.name,
    region: layout.region,
  } as const;
  return {
    name,
    async launch(onSpawn) {
      const child = ManagedProcess.spawn({
        name,
        ...serviceCommand(spec, context.entries.args(spec.name)),
        cwd: context.entries.cwd,
        env: serviceEnv(spec, layout, infra, context.config, process.env),
        onLine: (line) => context.output.processLine(source, line),
      });
      onSpawn(child);
      try {
        await child.waitForLine((line) => parseLogLine(line.text)?.['msg'] === 'service ready', {
          timeoutMs: readyTimeoutMs,
          description: '"service ready"',
        });
        if (spec.http) {
          await waitForHttp(`${layout.gatewayUrl}/v2/`, {
            accept: (status) => status === 200 || status === 401,
            timeoutMs: httpTimeoutMs,
            abortIf: () =>
              child.running
                ? undefined
                : child.startError(`${name} exited before GET /v2/ answered`),
          });
        }
        return child;
      } catch (error) {
        await child.stop({ signal: 'SIGKILL' });
        throw error instanceof ProcessStartError
          ? error
          : child.startError(String((error as Error).message));
      }
    },
  };
}

/** The command line of a service: node with its flags, behind `nice` for background work. */
export function serviceCommand(
  spec: ServiceSpec,
  entryArgs: readonly string[],
): { command: string; args: string[] } {
  const node = [process.execPath, ...(spec.nodeFlags ?? []), ...entryArgs];
  if (!spec.background) return { command: node[0]!, args: node.slice(1) };
  // nice execs node in its own place: same pid, same process group, signals reach node
  return { command: 'nice', args: ['-n', String(backgroundNiceness), ...node] };
}
