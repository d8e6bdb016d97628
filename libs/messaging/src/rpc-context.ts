import { Actor, RequestInfo } from '@meridian/contracts';
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
