/**
 * What makes a Meridian service answer RPCs: its transport strategy (NatsRpcServer) and,
 * around every `@MessagePattern` handler, the contract's validation and the answer's span
 * (RpcAnswerInterceptor) and the error reply (RpcErrorFilter). Imported by the services,
 * never by the gateway, whose HTTP routes these must not touch. Needs MessagingModule.
 */
import { Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { Nats } from '../nats';
import { RpcAnswerInterceptor } from './rpc-answer.interceptor';
import { RpcErrorFilter } from './rpc-error.filter';
import { NatsRpcServer } from './rpc-server';

@Module({
  providers: [
    NatsRpcServer,
    { provide: APP_INTERCEPTOR, useClass: RpcAnswerInterceptor },
    {
      provide: APP_FILTER,
      inject: [Nats],
      useFactory: (nats: Nats) => new RpcErrorFilter(nats.logger),
    },
  ],
  exports: [NatsRpcServer],
})
export class RpcServerModule {}
