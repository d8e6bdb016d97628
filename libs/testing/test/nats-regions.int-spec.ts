/**
 * The topology every multi-region test and the launcher rely on: two nats-servers, each
 * its own JetStream domain, joined by one leaf node link. A stream in one region sources
 * the other region's stream across it, both ways; RPC subjects cross it; while one region
 * is cut off both keep working, and sourcing catches up when the link returns.
 */
import { jetstreamManager, jetstream } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { expectEventually } from '../src/expect-eventually';
import { type TestNatsRegions, startNatsRegions } from '../src/nats-regions';

describe(startNatsRegions.name, () => {
  let regions: TestNatsRegions;
  const connections: NatsConnection[] = [];
  const connectTo = async (region: string): Promise<NatsConnection> => {
    const connection = await connect({
      servers: regions.server(region).url,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 100,
    });
    connections.push(connection);
    return connection;
  };

  beforeAll(async () => {
    regions = await startNatsRegions(['us-east', 'eu-west']);
  });

  afterAll(async () => {
    await Promise.all(connections.map((connection) => connection.close()));
    await regions?.stop();
  });

  const sourcedCount = async (connection: NatsConnection, stream: string): Promise<number> => {
    const jsm = await jetstreamManager(connection);
    return (await jsm.streams.info(stream)).state.messages;
  };

  it('sources each region stream into the other, and catches up after the link was down', async () => {
    const east = await connectTo('us-east');
    const west = await connectTo('eu-west');
    for (const [connection, region] of [
      [east, 'US_EAST'],
      [west, 'EU_WEST'],
    ] as const) {
      const jsm = await jetstreamManager(connection);
      await jsm.streams.add({ name: `${region}_EVENTS`, subjects: [`${region}.evt.>`] });
    }
    const eastJsm = await jetstreamManager(east);
    const westJsm = await jetstreamManager(west);
    await westJsm.streams.add({
      name: 'EU_WEST_PEERS',
      sources: [{ name: 'US_EAST_EVENTS', external: { api: '$JS.us-east.API', deliver: '' } }],
    });
    await eastJsm.streams.add({
      name: 'US_EAST_PEERS',
      sources: [{ name: 'EU_WEST_EVENTS', external: { api: '$JS.eu-west.API', deliver: '' } }],
    });

    await jetstream(east).publish('US_EAST.evt.pushed', 'one');
    await jetstream(west).publish('EU_WEST.evt.pushed', 'uno');
    await expectEventually(async () => expect(await sourcedCount(west, 'EU_WEST_PEERS')).toBe(1));
    await expectEventually(async () => expect(await sourcedCount(east, 'US_EAST_PEERS')).toBe(1));

    await regions.server('eu-west').kill('SIGTERM');
    await jetstream(east).publish('US_EAST.evt.pushed', 'two');
    await regions.server('eu-west').restart();
    await expectEventually(async () => expect(await sourcedCount(west, 'EU_WEST_PEERS')).toBe(2), {
      timeoutMs: 20_000,
    });
  });

  it('carries request/reply across the link', async () => {
    const west = await connectTo('eu-west');
    const east = await connectTo('us-east');
    const subscription = west.subscribe('meridian.eu-west.rpc.echo.v1', {
      callback: (_err, msg) => {
        msg.respond(msg.data);
      },
    });
    await west.flush();
    await expectEventually(async () => {
      const reply = await east.request('meridian.eu-west.rpc.echo.v1', 'ping', { timeout: 500 });
      expect(reply.string()).toBe('ping');
    });
    subscription.unsubscribe();
  });
});
