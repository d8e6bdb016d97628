import { Injectable } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, authManagementRpc as rpc } from '@meridian/contracts';
import { type RpcContext, RpcHandler } from '@meridian/messaging';
import { originOf } from '../records/event-origin';
import { RepositoryTokensService } from './repository-tokens.service';

/** Repository-scoped tokens' management RPCs. */
@Injectable()
export class RepositoryTokensHandler {
  constructor(private readonly tokens: RepositoryTokensService) {}

  @RpcHandler(rpc.tokenPut)
  put(
    request: RpcRequest<typeof rpc.tokenPut>,
    context: RpcContext,
  ): Promise<RpcResponse<typeof rpc.tokenPut>> {
    return this.tokens.put(request, originOf(context));
  }

  @RpcHandler(rpc.tokenGet)
  get(request: RpcRequest<typeof rpc.tokenGet>) {
    return this.tokens.get(request.name);
  }

  @RpcHandler(rpc.tokenList)
  async list(): Promise<RpcResponse<typeof rpc.tokenList>> {
    return { tokens: await this.tokens.list() };
  }

  @RpcHandler(rpc.tokenUpdate)
  update(request: RpcRequest<typeof rpc.tokenUpdate>, context: RpcContext) {
    return this.tokens.update(request, originOf(context));
  }

  @RpcHandler(rpc.tokenDelete)
  async delete(
    request: RpcRequest<typeof rpc.tokenDelete>,
    context: RpcContext,
  ): Promise<RpcResponse<typeof rpc.tokenDelete>> {
    await this.tokens.delete(request.name, originOf(context));
    return {};
  }

  @RpcHandler(rpc.tokenGeneratePassword)
  generatePassword(
    request: RpcRequest<typeof rpc.tokenGeneratePassword>,
    context: RpcContext,
  ): Promise<RpcResponse<typeof rpc.tokenGeneratePassword>> {
    return this.tokens.generatePassword(
      request.name,
      request.slot,
      request.expiresAt,
      originOf(context),
    );
  }
}
