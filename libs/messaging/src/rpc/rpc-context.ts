import { Actor, RequestInfo } from '@meridian/contracts';
import { type ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { NatsContext } from '@nestjs/microservices';
import { z } from 'zod';

/**
 * What travels with an RPC besides its payload, in the `Meridian-Context` header: who asked
 * and through which HTTP request, so services can put it into the events they write.
 */
export const RpcContext = z.object({
  request: RequestInfo.optional(),
  actor: Actor.optional(),
});
export type RpcContext = z.infer<typeof RpcContext>;

export const contextHeader = 'Meridian-Context';

/** The RpcContext of a request, from its headers; empty when the caller sent none. */
export function readRpcContext(headers: { get(key: string): string } | undefined): RpcContext {
  const raw = headers?.get(contextHeader);
  return raw ? (JSON.parse(raw) as RpcContext) : {};
}

/**
 * The caller's RpcContext, for a `@MessagePattern` handler's parameter:
 * `put(@Payload() request: PutManifest, @Caller() context: RpcContext)`.
 */
export const Caller = createParamDecorator((_data: unknown, host: ExecutionContext): RpcContext =>
  readRpcContext(host.switchToRpc().getContext<NatsContext>().getHeaders()),
);
