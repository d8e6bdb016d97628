/**
 * What a rolling restart of a service looks like to its callers: a replica that stops
 * finishes the answers it has started, and a request made while no replica is
 * subscribed waits for the next one instead of failing at once.
 */
import { defineRpc } from '@meridian/contracts';
import { type TestNatsServer, startNatsServer } from '@meridian/testing';
import { createLogger } from '@meridian/telemetry';
import { z } from 'zod';
import { type FakeRpcService, Nats, RpcClient, fakeAnswer, startFakeRpcService } from '../src';

const slowEcho = defineRpc({
  service: 'slow',
  verb: 'echo',
  request: z.object({ text: z.string(), delayMs: z.number() }),
  response: z.object({ text: z.string() }),
});

const logger = createLogger({ service: 'test', region: 'us-east', level: 'silent' });

describe('a service restarting under its callers', () => {
  let nats: TestNatsServer;
  let connection: Nats;
  let caller: RpcClient;
  const replicas: FakeRpcService[] = [];

  const startReplica = async (): Promise<FakeRpcService> => {
    const replica = await startFakeRpcService(
      { servers: nats.url, region: 'us-east', service: 'slow', logger },
      [
        fakeAnswer(slowEcho, async ({ text, delayMs }) => {
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          return { text };
        }),
      ],
    );
    replicas.push(replica);
    return replica;
  };

  beforeAll(async () => {
    nats = await startNatsServer();
    connection = await Nats.connect({
      servers: nats.url,
      region: 'us-east',
      service: 'gateway',
      logger,
      requestTimeoutMs: 3_000,
    });
    caller = new RpcClient(connection);
  });

  afterAll(async () => {
    for (const replica of replicas) await replica.close();
    await connection?.close();
    await nats?.stop();
  });

  it('finishes the answer in progress when the replica stops', async () => {
    const replica = await startReplica();
    const answer = caller.request(slowEcho, { text: 'in flight', delayMs: 300 });
    await new Promise((resolve) => setTimeout(resolve, 50));

    const stopped = replica.close();

    await expect(answer).resolves.toEqual({ text: 'in flight' });
    await stopped;
  });

  it('answers a request made while no replica is subscribed once one is', async () => {
    const answer = caller.request(slowEcho, { text: 'waited', delayMs: 0 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    await startReplica();

    await expect(answer).resolves.toEqual({ text: 'waited' });
  });

  it('gives up with UNAVAILABLE when no replica comes within the timeout', async () => {
    for (const replica of replicas) await replica.close();
    const startedAt = Date.now();

    await expect(caller.request(slowEcho, { text: 'lost', delayMs: 0 })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    expect(Date.now() - startedAt).toBeLessThan(4_000);
  });
});
