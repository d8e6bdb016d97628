import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, manifestRpc } from '@meridian/contracts';
import { Caller, type RpcContext } from '@meridian/messaging';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ManifestsService } from './manifests.service';

type Put = typeof manifestRpc.put;
type Get = typeof manifestRpc.get;
type Delete = typeof manifestRpc.delete;

/** `manifest.put|get|delete`: requests arrive validated against their contracts. */
@Controller()
export class ManifestsHandler {
  constructor(private readonly manifests: ManifestsService) {}

  @MessagePattern(manifestRpc.put.pattern)
  put(
    @Payload() request: RpcRequest<Put>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<Put>> {
    return this.manifests.put(request, context);
  }

  @MessagePattern(manifestRpc.get.pattern)
  get(@Payload() request: RpcRequest<Get>): Promise<RpcResponse<Get>> {
    return this.manifests.get(request);
  }

  @MessagePattern(manifestRpc.delete.pattern)
  async delete(
    @Payload() request: RpcRequest<Delete>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<Delete>> {
    await this.manifests.delete(request, context);
    return {};
  }
}
