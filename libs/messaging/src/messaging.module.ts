/**
 * Nest wiring: provides one Messaging connection per process and, once the application
 * has bootstrapped, subscribes every @RpcHandler method it finds. On shutdown it first
 * stops taking requests and waits for the answers in progress (before the database
 * closes), then drains the connection. The connection is a readiness probe: a flush
 * round trip to the server.
 */
import {
  type DynamicModule,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { RpcDefinition } from '@meridian/contracts';
import { markReadinessProbe } from '@meridian/telemetry';
import { Messaging, type MessagingOptions } from './messaging';
import { rpcHandlerMetadata } from './rpc-handler.decorator';

export const messagingOptionsToken = Symbol('MessagingOptions');
const natsReadinessToken = Symbol('NatsReadiness');

@Injectable()
class RpcHandlerExplorer
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly messaging: Messaging,
  ) {}

  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const method = instance[methodName] as (...args: unknown[]) => Promise<unknown>;
        const def = this.reflector.get<RpcDefinition | undefined>(rpcHandlerMetadata, method);
        if (def)
          this.messaging.serve(
            def,
            (request, context) => method.call(instance, request, context) as never,
          );
      }
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.messaging.stopServing();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.messaging.close();
  }
}

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
      imports: [DiscoveryModule, ...(options.imports ?? [])],
      providers: [
        {
          provide: messagingOptionsToken,
          inject: options.inject as never[],
          useFactory: options.useFactory,
        },
        {
          provide: Messaging,
          inject: [messagingOptionsToken],
          useFactory: (messagingOptions: MessagingOptions) => Messaging.connect(messagingOptions),
        },
        {
          provide: natsReadinessToken,
          inject: [Messaging],
          useFactory: (messaging: Messaging) =>
            markReadinessProbe({
              dependency: 'nats',
              check: () => messaging.connection.flush(),
            }),
        },
        RpcHandlerExplorer,
      ],
      exports: [Messaging],
    };
  }
}
