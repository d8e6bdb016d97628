/**
 * Nest wiring of the process's messaging: one NATS connection (Nats) and what is built on
 * it — the RPC client, event publishing — for every Meridian process, gateway included.
 * The connection is a readiness probe: a flush round trip to the server. It is drained on
 * application shutdown, after the RPC server stopped (see RpcServerModule).
 */
import { type DynamicModule, Module } from '@nestjs/common';
import { markReadinessProbe } from '@meridian/telemetry';
import { EventPublisher } from './event-publisher';
import { Nats, type MessagingOptions } from './nats';
import { RpcClient } from './rpc/rpc-client';

export const messagingOptionsToken = Symbol('MessagingOptions');
const natsReadinessToken = Symbol('NatsReadiness');

@Module({})
export class MessagingModule {
  static forRootAsync(options: {
    imports?: DynamicModule['imports'];
    inject?: unknown[];
    useFactory: (...args: never[]) => MessagingOptions | Promise<MessagingOptions>;
  }): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        {
          provide: messagingOptionsToken,
          inject: options.inject as never[],
          useFactory: options.useFactory,
        },
        {
          provide: Nats,
          inject: [messagingOptionsToken],
          useFactory: (messagingOptions: MessagingOptions) => Nats.connect(messagingOptions),
        },
        {
          provide: natsReadinessToken,
          inject: [Nats],
          useFactory: (nats: Nats) =>
            markReadinessProbe({ dependency: 'nats', check: () => nats.connection.flush() }),
        },
        RpcClient,
        EventPublisher,
      ],
      exports: [Nats, RpcClient, EventPublisher],
    };
  }
}
