import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, credentialSetRpc as rpc } from '@meridian/contracts';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CredentialSetsService } from './credential-sets.service';

/** `replication.credential-set-*`: requests arrive validated against their contracts. */
@Controller()
export class CredentialSetsHandler {
  constructor(private readonly sets: CredentialSetsService) {}

  @MessagePattern(rpc.put.pattern)
  put(@Payload() request: RpcRequest<typeof rpc.put>): Promise<RpcResponse<typeof rpc.put>> {
    return this.sets.put(request.name, request.credentials);
  }

  @MessagePattern(rpc.get.pattern)
  get(@Payload() request: RpcRequest<typeof rpc.get>): Promise<RpcResponse<typeof rpc.get>> {
    return this.sets.get(request.name);
  }

  @MessagePattern(rpc.list.pattern)
  list(): Promise<RpcResponse<typeof rpc.list>> {
    return this.sets.list();
  }

  @MessagePattern(rpc.delete.pattern)
  async delete(
    @Payload() request: RpcRequest<typeof rpc.delete>,
  ): Promise<RpcResponse<typeof rpc.delete>> {
    await this.sets.delete(request.name);
    return {};
  }
}
