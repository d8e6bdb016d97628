import { access } from 'node:fs/promises';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startNatsServer, type TestNatsServer } from '../src/nats-server';

describe(startNatsServer.name, () => {
  let sut: TestNatsServer;
  let nc: NatsConnection;

  beforeAll(async () => {
    sut = await startNatsServer({ serverName: 'harness-test' });
    nc = await connect({ servers: sut.url, reconnect: false });
  });
  afterAll(async () => {
    await nc?.close().catch(() => undefined);
    await sut?.stop();
  });

  it('serves JetStream', async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'HARNESS', subjects: ['harness.>'] });
    const ack = await jetstream(nc).publish('harness.one', 'hello');
    expect(ack).toMatchObject({ stream: 'HARNESS', seq: 1 });
  });

  it('accepts payloads up to 8 MiB', async () => {
    expect(nc.info?.max_payload).toBe(8 * 1024 * 1024);
    const ack = await jetstream(nc).publish('harness.big', new Uint8Array(4 * 1024 * 1024));
    expect(ack.seq).toBe(2);
  });

  it('comes back after a crash on the same port with its streams', async () => {
    await sut.kill();
    await expect(connect({ servers: sut.url, reconnect: false })).rejects.toThrow();
    await sut.restart();
    const again = await connect({ servers: sut.url });
    try {
      const info = await (await jetstreamManager(again)).streams.info('HARNESS');
      expect(info.state.messages).toBe(2);
    } finally {
      await again.close();
    }
  });

  it('removes its directory when stopped', async () => {
    const other = await startNatsServer({ jetStream: false });
    await other.stop();
    await expect(access(other.dir)).rejects.toThrow('ENOENT');
  });
});
