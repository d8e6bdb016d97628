import type { DynamicModule, INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AsyncMicroserviceOptions } from '@nestjs/microservices';
import { NatsRpcServer } from './rpc-server';

/**
 * Starts a module that imports RpcServerModule as a Nest microservice on NatsRpcServer and
 * returns once its handlers are subscribed. `bootstrapService` does the same for a
 * service's process; tests start services and fakes with this.
 */
export async function startRpcService(
  module: DynamicModule,
  options: Parameters<typeof NestFactory.createApplicationContext>[1] = {},
): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice<AsyncMicroserviceOptions>(module, {
    ...options,
    inject: [NatsRpcServer],
    useFactory: (strategy: NatsRpcServer) => ({ strategy }),
  });
  try {
    await app.listen();
  } catch (err) {
    await app.close();
    throw err;
  }
  return app;
}
