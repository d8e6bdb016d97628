import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, authManagementRpc as rpc } from '@meridian/contracts';
import { Caller, type RpcContext } from '@meridian/messaging';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { originOf } from '../records/event-origin';
import { ScopeMapsService } from './scope-maps.service';

/** Scope maps' management RPCs. */
@Controller()
export class ScopeMapsHandler {
  constructor(private readonly scopeMaps: ScopeMapsService) {}

  @MessagePattern(rpc.scopeMapPut.pattern)
  put(
    @Payload() request: RpcRequest<typeof rpc.scopeMapPut>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<typeof rpc.scopeMapPut>> {
    return this.scopeMaps.put(request, originOf(context));
  }

  @MessagePattern(rpc.scopeMapGet.pattern)
  get(@Payload() request: RpcRequest<typeof rpc.scopeMapGet>) {
    return this.scopeMaps.get(request.name);
  }

  @MessagePattern(rpc.scopeMapList.pattern)
  async list(): Promise<RpcResponse<typeof rpc.scopeMapList>> {
    return { scopeMaps: await this.scopeMaps.list() };
  }

  @MessagePattern(rpc.scopeMapDelete.pattern)
  async delete(
    @Payload() request: RpcRequest<typeof rpc.scopeMapDelete>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<typeof rpc.scopeMapDelete>> {
    await this.scopeMaps.delete(request.name, originOf(context));
    return {};
  }
}
