import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, authManagementRpc as rpc } from '@meridian/contracts';
import { Caller, type RpcContext } from '@meridian/messaging';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { originOf } from '../records/event-origin';
import { RepositoryTokensService } from './repository-tokens.service';

/** Repository-scoped tokens' management RPCs. */
@Controller()
export class RepositoryTokensHandler {
  constructor(private readonly tokens: RepositoryTokensService) {}

  @MessagePattern(rpc.tokenPut.pattern)
  put(
    @Payload() request: RpcRequest<typeof rpc.tokenPut>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<typeof rpc.tokenPut>> {
    return this.tokens.put(request, originOf(context));
  }

  @MessagePattern(rpc.tokenGet.pattern)
  get(@Payload() request: RpcRequest<typeof rpc.tokenGet>) {
    return this.tokens.get(request.name);
  }

  @MessagePattern(rpc.tokenList.pattern)
  async list(): Promise<RpcResponse<typeof rpc.tokenList>> {
    return { tokens: await this.tokens.list() };
  }

  @MessagePattern(rpc.tokenUpdate.pattern)
  update(@Payload() request: RpcRequest<typeof rpc.tokenUpdate>, @Caller() context: RpcContext) {
    return this.tokens.update(request, originOf(context));
  }

  @MessagePattern(rpc.tokenDelete.pattern)
  async delete(
    @Payload() request: RpcRequest<typeof rpc.tokenDelete>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<typeof rpc.tokenDelete>> {
    await this.tokens.delete(request.name, originOf(context));
    return {};
  }

  @MessagePattern(rpc.tokenGeneratePassword.pattern)
  generatePassword(
    @Payload() request: RpcRequest<typeof rpc.tokenGeneratePassword>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<typeof rpc.tokenGeneratePassword>> {
    return this.tokens.generatePassword(
      request.name,
      request.slot,
      request.expiresAt,
      originOf(context),
    );
  }
}
