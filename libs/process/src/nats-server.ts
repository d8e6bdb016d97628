/**
 * Runs one nats-server from a config file in `configDir`. Used by the dev launcher (one
 * server per region, persistent store) and by the test harness (temporary directories).
 * Ready means the monitoring endpoint's `/healthz` says so, with JetStream enabled when
 * asked for: the client port accepting connections is not enough for stream operations.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from './free-port';
import { findLeftoverProcess, stopLeftoverProcess } from './leftover-process';
import { type ExitStatus, ManagedProcess, type OutputLine } from './managed-process';
import {
  type LeafnodeOptions,
  type NatsUser,
  defaultNatsMaxPayloadBytes,
  renderNatsConfig,
} from './nats-config';
import { waitForHttp } from './wait-for-http';

export const defaultNatsServerBinary = '/usr/sbin/nats-server';

export interface NatsServerOptions {
  /** holds the config file and pid file; created if missing */
  configDir: string;
  binary?: string;
  /** JetStream on by default */
  jetStream?: boolean;
  /** defaults to `<configDir>/jetstream` */
  storeDir?: string;
  /** the JetStream domain: a region's id, so peer regions reach its streams */
  jetStreamDomain?: string;
  /** leaf node links between regions (see nats-config.ts) */
  leafnodes?: LeafnodeOptions;
  /** clients must authenticate as one of these (see nats-config.ts); anyone may without */
  users?: readonly NatsUser[];
  serverName?: string;
  host?: string;
  /** client port; a free one when absent */
  port?: number;
  /** monitoring port; a free one when absent */
  httpPort?: number;
  maxPayloadBytes?: number;
  /** extra config blocks; a function sees the ports chosen (a cluster block needs them) */
  extraConfig?: string | ((ports: { port: number; httpPort: number }) => string);
  /** how the process is named in messages */
  name?: string;
  onLine?: (line: OutputLine) => void;
  /** called with every process as soon as it exists, so a supervisor can stop one still starting */
  onSpawn?: (process: ManagedProcess) => void;
  startTimeoutMs?: number;
}

export interface NatsServer {
  readonly url: string;
  readonly port: number;
  readonly httpPort: number;
  readonly monitorUrl: string;
  readonly configFile: string;
  /** the current process (a new one after `restart`) */
  readonly process: ManagedProcess;
  /** stops the server cleanly; its store is kept */
  stop(): Promise<void>;
  /** sends a signal (SIGKILL by default) and waits for the exit: a crash, for tests */
  kill(signal?: NodeJS.Signals): Promise<ExitStatus>;
  /** stops the server if it runs and starts it again on the same ports and store */
  restart(): Promise<void>;
}

const portAttempts = 3;

export async function startNatsServer(options: NatsServerOptions): Promise<NatsServer> {
  const host = options.host ?? '127.0.0.1';
  const jetStream = options.jetStream ?? true;
  const configFile = join(options.configDir, 'nats-server.conf');
  const pidFile = join(options.configDir, 'nats-server.pid');
  await mkdir(options.configDir, { recursive: true });

  const leftover = await findLeftoverProcess(pidFile, configFile);
  if (leftover) await stopLeftoverProcess(leftover, 'SIGTERM');

  const writeConfig = async (port: number, httpPort: number): Promise<void> => {
    const extra =
      typeof options.extraConfig === 'function'
        ? options.extraConfig({ port, httpPort })
        : options.extraConfig;
    const config = renderNatsConfig({
      serverName: options.serverName ?? `meridian-${port}`,
      host,
      port,
      httpPort,
      jetStream,
      storeDir: jetStream ? (options.storeDir ?? join(options.configDir, 'jetstream')) : undefined,
      jetStreamDomain: options.jetStreamDomain,
      leafnodes: options.leafnodes,
      users: options.users,
      maxPayloadBytes: options.maxPayloadBytes ?? defaultNatsMaxPayloadBytes,
      pidFile,
      extraConfig: extra,
    });
    // it may hold credentials (leaf node passwords)
    await writeFile(configFile, config, { mode: 0o600 });
    await chmod(configFile, 0o600);
  };

  const launch = async (port: number, httpPort: number): Promise<ManagedProcess> => {
    const child = ManagedProcess.spawn({
      name: options.name ?? `nats-server:${port}`,
      command: options.binary ?? defaultNatsServerBinary,
      args: ['-c', configFile],
      onLine: options.onLine,
    });
    options.onSpawn?.(child);
    const healthz = `http://${host}:${httpPort}/healthz${jetStream ? '?js-enabled-only=true' : ''}`;
    try {
      await waitForHttp(healthz, {
        timeoutMs: options.startTimeoutMs ?? 20_000,
        abortIf: () =>
          child.running ? undefined : child.startError(`${child.name} exited before it was ready`),
      });
    } catch (error) {
      const exitedByItself = !child.running;
      await child.stop({ signal: 'SIGKILL' });
      throw exitedByItself
        ? error
        : child.startError(`${child.name} did not become ready: ${(error as Error).message}`);
    }
    return child;
  };

  let port = 0;
  let httpPort = 0;
  let current: ManagedProcess | undefined;
  for (let attempt = 1; !current; attempt++) {
    port = options.port ?? (await freePort(host));
    httpPort = options.httpPort ?? (await freePort(host));
    await writeConfig(port, httpPort);
    try {
      current = await launch(port, httpPort);
    } catch (error) {
      // a free port can be taken between choosing and binding it: choose again
      const portsChosenHere = options.port === undefined || options.httpPort === undefined;
      if (
        !portsChosenHere ||
        attempt >= portAttempts ||
        !/address already in use/i.test(String(error))
      )
        throw error;
    }
  }

  const url = `nats://${host}:${port}`;
  let server: ManagedProcess = current;
  return {
    url,
    port,
    httpPort,
    monitorUrl: `http://${host}:${httpPort}`,
    configFile,
    get process() {
      return server;
    },
    async stop() {
      await server.stop();
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      server.signal(signal);
      return server.exited;
    },
    async restart() {
      await server.stop();
      server = await launch(port, httpPort);
    },
  };
}
