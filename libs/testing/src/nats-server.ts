/**
 * A nats-server for one test file, on free ports, with its config and JetStream store in
 * a temporary directory that `stop()` removes. `kill()` and `restart()` let a test crash
 * the broker and bring it back on the same port and store.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ExitStatus,
  type NatsServerOptions,
  startNatsServer as startNatsServerProcess,
} from '@meridian/process';
import { echoWhenVerbose } from './process-group';

export interface TestNatsServerOptions {
  jetStream?: boolean;
  /** 8 MiB unless set */
  maxPayloadBytes?: number;
  /** defaults to a directory inside the temporary one */
  storeDir?: string;
  /** the JetStream domain, for a region joined to others (see libs/process nats-config.ts) */
  jetStreamDomain?: string;
  /** leaf node links between regions: the first region listens, the others connect */
  leafnodes?: NatsServerOptions['leafnodes'];
  serverName?: string;
  /** cluster or gateway blocks; a function sees the ports chosen */
  extraConfig?: NatsServerOptions['extraConfig'];
  /** a fixed client port (a free one otherwise) */
  port?: number;
  /** clients must authenticate as one of these; anyone may without */
  users?: NatsServerOptions['users'];
}

export interface TestNatsServer {
  readonly url: string;
  readonly port: number;
  readonly monitorUrl: string;
  /** the temporary directory holding config and store */
  readonly dir: string;
  /** stops the server and removes its directory */
  stop(): Promise<void>;
  /** a crash: SIGKILL by default; the directory stays for `restart()` */
  kill(signal?: NodeJS.Signals): Promise<ExitStatus>;
  restart(): Promise<void>;
}

export async function startNatsServer(
  options: TestNatsServerOptions = {},
): Promise<TestNatsServer> {
  const dir = await mkdtemp(join(tmpdir(), 'meridian-nats-'));
  try {
    const name = `nats ${options.serverName ?? 'test'}`;
    const server = await startNatsServerProcess({
      configDir: dir,
      jetStream: options.jetStream ?? true,
      storeDir: options.storeDir,
      jetStreamDomain: options.jetStreamDomain,
      leafnodes: options.leafnodes,
      maxPayloadBytes: options.maxPayloadBytes,
      serverName: options.serverName,
      extraConfig: options.extraConfig,
      port: options.port,
      users: options.users,
      name,
      onLine: echoWhenVerbose(name),
    });
    return {
      url: server.url,
      port: server.port,
      monitorUrl: server.monitorUrl,
      dir,
      async stop() {
        await server.stop();
        await rm(dir, { recursive: true, force: true });
      },
      kill: (signal) => server.kill(signal),
      restart: () => server.restart(),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
