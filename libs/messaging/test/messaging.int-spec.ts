import {
  RegistryError,
  type RpcRequest,
  type RpcResponse,
  defineRpc,
  eventStreamName,
  eventSubject,
} from '@meridian/contracts';
import { type TestNatsServer, startNatsServer } from '@meridian/testing';
import { createLogger } from '@meridian/telemetry';
import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { headers } from '@nats-io/transport-node';
import { z } from 'zod';
import {
  Caller,
  EventPublisher,
  MessagingModule,
  Nats,
  RpcClient,
  type RpcContext,
  RpcServerModule,
  ensureEventStream,
  startRpcService,
} from '../src';

const echo = defineRpc({
  service: 'echo',
  verb: 'say',
  request: z.object({ text: z.string().min(1), delayMs: z.number().optional() }),
  response: z.object({ text: z.string(), requestId: z.string().optional() }),
});

const logger = createLogger({ service: 'test', region: 'us-east', level: 'silent' });

/** The echo service, written as every Meridian service writes its handlers. */
@Controller()
class EchoHandler {
  @MessagePattern(echo.pattern)
  async say(
    @Payload() { text, delayMs }: RpcRequest<typeof echo>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<typeof echo>> {
    await new Promise((resolve) => setTimeout(resolve, delayMs ?? 0));
    if (text === 'boom')
      throw new RegistryError('NAME_UNKNOWN', 'no such repository', { name: 'x' });
    if (text === 'crash') throw new Error('database exploded');
    // breaks the response's contract: the service must not send it
    if (text === 'liar') return { text: 42 } as never;
    return { text: text.toUpperCase(), requestId: context.request?.id };
  }
}

describe(RpcClient.name, () => {
  let nats: TestNatsServer;
  let service: INestMicroservice;
  let caller: Nats;
  let sut: RpcClient;

  beforeAll(async () => {
    nats = await startNatsServer();
    @Module({
      imports: [
        MessagingModule.forRootAsync({
          useFactory: () => ({ servers: nats.url, region: 'us-east', service: 'echo', logger }),
        }),
        RpcServerModule,
      ],
      controllers: [EchoHandler],
    })
    class EchoModule {}
    service = await startRpcService({ module: EchoModule }, { logger: false });
    await service.get(Nats).connection.flush();
    caller = await Nats.connect({
      servers: nats.url,
      region: 'us-east',
      service: 'gateway',
      logger,
      requestTimeoutMs: 500,
    });
    sut = new RpcClient(caller);
  });

  afterAll(async () => {
    await caller?.close();
    await service?.close();
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

  it('answers a request that breaks the contract with UNKNOWN, without calling the handler', async () => {
    const packet = { pattern: echo.subject('us-east'), id: 'p-1', data: { text: '' } };
    const reply = await caller.connection.request(echo.subject('us-east'), JSON.stringify(packet), {
      timeout: 500,
      headers: headers(),
    });
    expect(reply.json()).toMatchObject({
      id: 'p-1',
      err: { code: 'UNKNOWN', message: 'invalid echo.say message' },
    });
  });

  it('does not send a reply that breaks the contract: the caller gets UNKNOWN', async () => {
    await expect(sut.request(echo, { text: 'liar' })).rejects.toMatchObject({
      code: 'UNKNOWN',
      message: 'invalid echo.say message',
    });
  });

  it('turns an answer that comes too late into UNAVAILABLE', async () => {
    await expect(
      sut.request(echo, { text: 'slow', delayMs: 400 }, { timeoutMs: 100 }),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE', message: 'the echo service did not answer' });
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

  it('refuses to start a service with a handler whose pattern no contract defines', async () => {
    @Controller()
    class StrayHandler {
      @MessagePattern('echo.shout.v1')
      shout(): object {
        return {};
      }
    }
    @Module({
      imports: [
        MessagingModule.forRootAsync({
          useFactory: () => ({ servers: nats.url, region: 'us-east', service: 'echo', logger }),
        }),
        RpcServerModule,
      ],
      controllers: [StrayHandler],
    })
    class StrayModule {}
    await expect(startRpcService({ module: StrayModule }, { logger: false })).rejects.toThrow(
      'no rpc is defined for pattern echo.shout.v1',
    );
  });

  it('publishes an event once per event id', async () => {
    const publisher = new EventPublisher(caller);
    await ensureEventStream(await caller.jetStreamManager(), 'us-east');
    await ensureEventStream(await caller.jetStreamManager(), 'us-east'); // idempotent
    const subject = eventSubject('us-east', 'blob.uploaded.v1');
    await publisher.publishEvent(subject, { n: 1 }, '00000000-0000-4000-8000-000000000001');
    await publisher.publishEvent(subject, { n: 1 }, '00000000-0000-4000-8000-000000000001');
    const jsm = await caller.jetStreamManager();
    const info = await jsm.streams.info(eventStreamName('us-east'));
    expect(info.state.messages).toBe(1);
  });
});
