/**
 * The peer events stream and consumers on a real nats-server (JetStream domain eu-west):
 * created once, their sources following MERIDIAN_PEERS, consumers kept with their position.
 */
import { eventStreamName } from '@meridian/contracts';
import { Nats, EventPublisher, ensureEventStream } from '@meridian/messaging';
import { createLogger } from '@meridian/telemetry';
import { type TestNatsServer, startNatsServer } from '@meridian/testing';
import {
  ensurePeerEventsStream,
  ensureReplicationConsumers,
  localConsumerName,
  peerConsumerName,
  peerEventsStreamName,
} from '../src/events/event-streams';

describe('replication event streams', () => {
  let nats: TestNatsServer;
  let messaging: Nats;

  beforeAll(async () => {
    nats = await startNatsServer({ jetStreamDomain: 'eu-west', serverName: 'eu-west' });
    messaging = await Nats.connect({
      servers: nats.url,
      region: 'eu-west',
      service: 'replication',
      logger: createLogger({ service: 'replication', region: 'eu-west', level: 'silent' }),
    });
    await ensureEventStream(await messaging.jetStreamManager(), messaging.region);
  });

  afterAll(async () => {
    await messaging?.close();
    await nats?.stop();
  });

  it("sources every peer's events stream through the peer's domain, following the peers", async () => {
    const jsm = await messaging.jetStreamManager();
    await ensureReplicationConsumers(jsm, 'eu-west', ['us-east']);
    const stream = peerEventsStreamName('eu-west');
    expect(stream).toBe('MERIDIAN_EU_WEST_PEER_EVENTS');
    expect((await jsm.streams.info(stream)).config.sources).toEqual([
      expect.objectContaining({
        name: 'MERIDIAN_US_EAST_EVENTS',
        external: expect.objectContaining({ api: '$JS.us-east.API' }),
      }),
    ]);

    await ensurePeerEventsStream(jsm, 'eu-west', ['us-east', 'ap-south']);
    const sources = (await jsm.streams.info(stream)).config.sources ?? [];
    expect(sources.map((source) => source.name).sort()).toEqual([
      'MERIDIAN_AP_SOUTH_EVENTS',
      'MERIDIAN_US_EAST_EVENTS',
    ]);
  });

  it('keeps existing consumers, and their position, when the service starts again', async () => {
    const jsm = await messaging.jetStreamManager();
    await new EventPublisher(messaging).publishEvent(
      'meridian.eu-west.evt.repository.deleted.v1',
      { repository: 'team/api' },
      '0b6f7d0e-7a43-4b38-9f4e-2f0d8d0c5a11',
    );
    const consumer = await messaging
      .jetStream()
      .consumers.get(eventStreamName('eu-west'), localConsumerName);
    const message = await consumer.next({ expires: 2_000 });
    expect(message?.subject).toBe('meridian.eu-west.evt.repository.deleted.v1');
    await message?.ackAck();

    await ensureReplicationConsumers(jsm, 'eu-west', ['us-east', 'ap-south']);
    const local = await jsm.consumers.info(eventStreamName('eu-west'), localConsumerName);
    expect(local.ack_floor.stream_seq).toBe(1);
    expect(local.config.filter_subject).toBe('meridian.eu-west.evt.>');
    const apSouth = await jsm.consumers.info(
      peerEventsStreamName('eu-west'),
      peerConsumerName('ap-south'),
    );
    expect(apSouth.config).toMatchObject({
      durable_name: 'replication-ap-south',
      filter_subject: 'meridian.ap-south.evt.>',
      ack_policy: 'explicit',
      max_deliver: -1,
    });
  });
});
