import { RegistryError, defineRpc, eventStreamName, eventSubject } from '@meridian/contracts';
import { type TestNatsServer, startNatsServer } from '@meridian/testing';
import { createLogger } from '@meridian/telemetry';
import { z } from 'zod';
import { Messaging } from '../src';

const echo = defineRpc({
  service: 'echo',
  verb: 'say',
  request: z.object({ text: z.string().min(1) }),
  response: z.object({ text: z.string(), requestId: z.string().optional() }),
});

const logger = createLogger({ service: 'test', region: 'us-east', level: 'silent' });

describe(Messaging.name, () => {
  let nats: TestNatsServer;
  let server: Messaging;
  let sut: Messaging;

  beforeAll(async () => {
    nats = await startNatsServer();
    server = await Messaging.connect({
      servers: nats.url,
      region: 'us-east',
      service: 'echo',
      logger,
    });
    sut = await Messaging.connect({
      servers: nats.url,
      region: 'us-east',
      service: 'gateway',
      logger,
      requestTimeoutMs: 500,
    });
    server.serve(echo, async ({ text }, context) => {
      if (text === 'boom')
        throw new RegistryError('NAME_UNKNOWN', 'no such repository', { name: 'x' });
      if (text === 'crash') throw new Error('database exploded');
      return { text: text.toUpperCase(), requestId: context.request?.id };
    });
  });

  afterAll(async () => {
    await sut?.close();
    await server?.close();
    await nats?.stop();
  });

  it('answers a request with the validated response and sees the caller context', async () => {
    const reply = await sut.request(
      echo,
      { text: 'hello' },
      { context: { request: { id: 'req-1' } } },
    );
    expect(reply).toEqual({ text: 'HELLO', requestId: 'req-1' });
  });

  it('rethrows a RegistryError raised by the handler with its code and detail', async () => {
    await expect(sut.request(echo, { text: 'boom' })).rejects.toMatchObject({
      code: 'NAME_UNKNOWN',
      message: 'no such repository',
      detail: { name: 'x' },
    });
  });

  it('hides an unexpected handler failure behind UNKNOWN', async () => {
    const failure = sut.request(echo, { text: 'crash' });
    await expect(failure).rejects.toMatchObject({ code: 'UNKNOWN', message: 'internal error' });
  });

  it('refuses to send a request that breaks the contract', async () => {
    await expect(sut.request(echo, { text: '' })).rejects.toThrow();
  });

  it('turns a service nobody serves into UNAVAILABLE', async () => {
    const nobody = defineRpc({
      service: 'nobody',
      verb: 'home',
      request: z.object({}),
      response: z.object({}),
    });
    await expect(sut.request(nobody, {})).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('publishes an event once per event id', async () => {
    await sut.ensureEventStream();
    await sut.ensureEventStream(); // idempotent
    const subject = eventSubject('us-east', 'blob.uploaded.v1');
    await sut.publishEvent(subject, { n: 1 }, '00000000-0000-4000-8000-000000000001');
    await sut.publishEvent(subject, { n: 1 }, '00000000-0000-4000-8000-000000000001');
    const jsm = await sut.jetStreamManager();
    const info = await jsm.streams.info(eventStreamName('us-east'));
    expect(info.state.messages).toBe(1);
  });
});
