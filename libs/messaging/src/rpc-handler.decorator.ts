import { SetMetadata } from '@nestjs/common';
import type { RpcDefinition } from '@meridian/contracts';

export const rpcHandlerMetadata = 'meridian:rpc-handler';

/**
 * Marks a method of a `*.handler.ts` provider as the answer to an RPC. The method gets
 * the validated request and the RpcContext and returns the response.
 */
export const RpcHandler = (def: RpcDefinition) => SetMetadata(rpcHandlerMetadata, def);
