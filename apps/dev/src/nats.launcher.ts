/**
 * One nats-server per region, JetStream on with the region as its domain, its store under
 * `<data dir>/<region>/nats`, linked to the other regions (see region-links.ts), admitting
 * only the region's services, each limited to its own subjects (nats-credentials.ts).
 * The first start picks the port (MERIDIAN_NATS_PORT + region index, or a free one); a
 * restart after a crash reuses port and store, so services reconnect and streams persist.
 */
import {
  type LeafnodeOptions,
  type NatsServer,
  type NatsUser,
  startNatsServer,
} from '@meridian/process';
import type { LauncherOutput } from './launcher-output';
import type { RegionLayout } from './region-layout';
import type { SupervisedUnit } from './supervisor';

export interface NatsUnit extends SupervisedUnit {
  /** the client URL, once started */
  readonly url: string;
}

export function natsUnit(
  layout: RegionLayout,
  binary: string,
  output: LauncherOutput,
  link?: LeafnodeOptions,
  /** the services' users (nats-credentials.ts): clients without credentials are refused */
  users?: readonly NatsUser[],
): NatsUnit {
  const name = `${layout.region}/nats`;
  const source = {
    prefix: name,
    kind: 'nats',
    service: 'nats-server',
    region: layout.region,
  } as const;
  let server: NatsServer | undefined;
  return {
    name,
    get url() {
      if (!server) throw new Error(`${name} has not been started`);
      return server.url;
    },
    async launch(onSpawn) {
      if (server) {
        // the restarted process reaches the supervisor through the onSpawn given at first start
        await server.restart();
        return server.process;
      }
      server = await startNatsServer({
        name,
        binary,
        configDir: layout.natsDir,
        serverName: `meridian-${layout.region}`,
        port: layout.natsPort,
        jetStream: true,
        jetStreamDomain: layout.region,
        leafnodes: link,
        users,
        onLine: (line) => output.processLine(source, line),
        onSpawn,
      });
      return server.process;
    },
  };
}
