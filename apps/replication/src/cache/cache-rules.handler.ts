import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, cacheRuleRpc as rpc } from '@meridian/contracts';
import { Caller, type RpcContext } from '@meridian/messaging';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CacheRulesService } from './cache-rules.service';

/** `replication.cache-rule-*`, `cache-resolve`, `cache-store`: requests arrive validated. */
@Controller()
export class CacheRulesHandler {
  constructor(private readonly rules: CacheRulesService) {}

  @MessagePattern(rpc.put.pattern)
  put(@Payload() request: RpcRequest<typeof rpc.put>): Promise<RpcResponse<typeof rpc.put>> {
    return this.rules.put(request.name, request.rule);
  }

  @MessagePattern(rpc.get.pattern)
  get(@Payload() request: RpcRequest<typeof rpc.get>): Promise<RpcResponse<typeof rpc.get>> {
    return this.rules.get(request.name);
  }

  @MessagePattern(rpc.list.pattern)
  list(): Promise<RpcResponse<typeof rpc.list>> {
    return this.rules.list();
  }

  @MessagePattern(rpc.delete.pattern)
  async delete(
    @Payload() request: RpcRequest<typeof rpc.delete>,
  ): Promise<RpcResponse<typeof rpc.delete>> {
    await this.rules.delete(request.name);
    return {};
  }

  @MessagePattern(rpc.resolve.pattern)
  resolve(
    @Payload() request: RpcRequest<typeof rpc.resolve>,
  ): Promise<RpcResponse<typeof rpc.resolve>> {
    return this.rules.resolve(request.repository);
  }

  @MessagePattern(rpc.store.pattern)
  store(
    @Payload() request: RpcRequest<typeof rpc.store>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<typeof rpc.store>> {
    return this.rules.store(request, context);
  }
}
