import { Injectable } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, authManagementRpc as rpc } from '@meridian/contracts';
import { type RpcContext, RpcHandler } from '@meridian/messaging';
import { originOf } from '../records/event-origin';
import { ScopeMapsService } from './scope-maps.service';

/** Scope maps' management RPCs. */
@Injectable()
export class ScopeMapsHandler {
  constructor(private readonly scopeMaps: ScopeMapsService) {}

  @RpcHandler(rpc.scopeMapPut)
  put(
    request: RpcRequest<typeof rpc.scopeMapPut>,
    context: RpcContext,
  ): Promise<RpcResponse<typeof rpc.scopeMapPut>> {
    return this.scopeMaps.put(request, originOf(context));
  }

  @RpcHandler(rpc.scopeMapGet)
  get(request: RpcRequest<typeof rpc.scopeMapGet>) {
    return this.scopeMaps.get(request.name);
  }

  @RpcHandler(rpc.scopeMapList)
  async list(): Promise<RpcResponse<typeof rpc.scopeMapList>> {
    return { scopeMaps: await this.scopeMaps.list() };
  }

  @RpcHandler(rpc.scopeMapDelete)
  async delete(
    request: RpcRequest<typeof rpc.scopeMapDelete>,
    context: RpcContext,
  ): Promise<RpcResponse<typeof rpc.scopeMapDelete>> {
    await this.scopeMaps.delete(request.name, originOf(context));
    return {};
  }
}
