/**
 * One nats-server per region, joined the way Meridian joins regions: JetStream domain =
 * region id, the first region listening for leaf nodes and every other region connecting
 * to it. Stopping one server cuts that region off (the link is down) while the others keep
 * serving; `restart()` brings it back on the same ports, store and link.
 */
import { freePort } from '@meridian/process';
import { type TestNatsServer, type TestNatsServerOptions, startNatsServer } from './nats-server';

export interface TestNatsRegions {
  /** region id → its server, in the order given */
  readonly servers: ReadonlyMap<string, TestNatsServer>;
  server(region: string): TestNatsServer;
  stop(): Promise<void>;
}

export async function startNatsRegions(
  regions: readonly string[],
  options: Omit<TestNatsServerOptions, 'jetStreamDomain' | 'leafnodes' | 'serverName'> = {},
): Promise<TestNatsRegions> {
  const [hub, ...others] = regions;
  if (hub === undefined) throw new Error('at least one region is needed');
  const leafPort = await freePort('127.0.0.1');
  const servers = new Map<string, TestNatsServer>();
  const stopAll = async (): Promise<void> => {
    await Promise.all([...servers.values()].map((server) => server.stop()));
  };
  try {
    servers.set(
      hub,
      await startNatsServer({
        ...options,
        serverName: hub,
        jetStreamDomain: hub,
        leafnodes: { listen: { host: '127.0.0.1', port: leafPort } },
      }),
    );
    for (const region of others) {
      servers.set(
        region,
        await startNatsServer({
          ...options,
          serverName: region,
          jetStreamDomain: region,
          leafnodes: { remotes: [`nats-leaf://127.0.0.1:${leafPort}`] },
        }),
      );
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  return {
    servers,
    server(region) {
      const server = servers.get(region);
      if (!server) throw new Error(`no nats-server for region ${region}`);
      return server;
    },
    stop: stopAll,
  };
}
