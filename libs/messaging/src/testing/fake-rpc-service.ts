/**
 * For tests only: a stand-in for a Meridian service, a Nest microservice on the real transport
 * (NatsRpcServer, with the contract's validation, the error reply and the answer's span),
 * whose handlers are the functions a test gives. Used where a test needs another service to
 * answer a few RPCs the way it would (the blob service's `statMany`, auth's keys …).
 * It lives here rather than in libs/testing, whose servers this lib's own tests use: the
 * two libs would import each other.
 */
import type { RpcDefinition, RpcRequest, RpcResponse } from '@meridian/contracts';
import { createLogger } from '@meridian/telemetry';
import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MessagingModule } from '../messaging.module';
import { type MessagingOptions, Nats } from '../nats';
import { Caller, type RpcContext } from '../rpc/rpc-context';
import { RpcServerModule } from '../rpc/rpc-server.module';
import { startRpcService } from '../rpc/rpc-service';

export interface FakeAnswer {
  def: RpcDefinition;
  handle(request: unknown, context: RpcContext): Promise<unknown>;
}

/** One RPC the fake answers, typed by its contract. */
export function fakeAnswer<D extends RpcDefinition>(
  def: D,
  handle: (request: RpcRequest<D>, context: RpcContext) => Promise<RpcResponse<D>>,
): FakeAnswer {
  return { def, handle: handle as FakeAnswer['handle'] };
}

export interface FakeRpcService {
  app: INestMicroservice;
  nats: Nats;
  /** stops taking requests, finishes the answers in progress, closes the connection */
  close(): Promise<void>;
}

export async function startFakeRpcService(
  options: Omit<MessagingOptions, 'logger'> & { logger?: MessagingOptions['logger'] },
  answers: FakeAnswer[],
): Promise<FakeRpcService> {
  @Controller()
  class FakeHandlers {}
  answers.forEach(({ def, handle }) => {
    const method = (request: unknown, context: RpcContext) => handle(request, context);
    Object.defineProperty(FakeHandlers.prototype, def.pattern, { value: method });
    Payload()(FakeHandlers.prototype, def.pattern, 0);
    Caller()(FakeHandlers.prototype, def.pattern, 1);
    MessagePattern(def.pattern)(
      FakeHandlers.prototype,
      def.pattern,
      Object.getOwnPropertyDescriptor(FakeHandlers.prototype, def.pattern) as PropertyDescriptor,
    );
  });
  const logger =
    options.logger ??
    createLogger({ service: options.service, region: options.region, level: 'silent' });
  @Module({
    imports: [
      MessagingModule.forRootAsync({ useFactory: () => ({ ...options, logger }) }),
      RpcServerModule,
    ],
    controllers: [FakeHandlers],
  })
  class FakeServiceModule {}
  const app = await startRpcService({ module: FakeServiceModule }, { logger: false });
  const nats = app.get(Nats);
  await nats.connection.flush();
  return { app, nats, close: () => app.close() };
}
