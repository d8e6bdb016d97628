import { Injectable } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, manifestRpc } from '@meridian/contracts';
import { RpcHandler, type RpcContext } from '@meridian/messaging';
import { ManifestsService } from './manifests.service';

type Put = typeof manifestRpc.put;
type Get = typeof manifestRpc.get;
type Delete = typeof manifestRpc.delete;

/** `manifest.put|get|delete`: requests arrive validated against their contracts. */
@Injectable()
export class ManifestsHandler {
  constructor(private readonly manifests: ManifestsService) {}

  @RpcHandler(manifestRpc.put)
  put(request: RpcRequest<Put>, context: RpcContext): Promise<RpcResponse<Put>> {
    return this.manifests.put(request, context);
  }

  @RpcHandler(manifestRpc.get)
  get(request: RpcRequest<Get>): Promise<RpcResponse<Get>> {
    return this.manifests.get(request);
  }

  @RpcHandler(manifestRpc.delete)
  async delete(request: RpcRequest<Delete>, context: RpcContext): Promise<RpcResponse<Delete>> {
    await this.manifests.delete(request, context);
    return {};
  }
}
