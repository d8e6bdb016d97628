import { Injectable } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, blobRpc } from '@meridian/contracts';
import { type RpcContext, RpcHandler } from '@meridian/messaging';
import { UploadsService } from './uploads.service';

@Injectable()
export class UploadsHandler {
  constructor(private readonly uploads: UploadsService) {}

  @RpcHandler(blobRpc.uploadStart)
  start(
    request: RpcRequest<typeof blobRpc.uploadStart>,
    context: RpcContext,
  ): Promise<RpcResponse<typeof blobRpc.uploadStart>> {
    return this.uploads.start(request, context);
  }

  @RpcHandler(blobRpc.uploadGet)
  get(
    request: RpcRequest<typeof blobRpc.uploadGet>,
  ): Promise<RpcResponse<typeof blobRpc.uploadGet>> {
    return this.uploads.get(request.repository, request.uploadId);
  }

  @RpcHandler(blobRpc.uploadAdvance)
  advance(
    request: RpcRequest<typeof blobRpc.uploadAdvance>,
  ): Promise<RpcResponse<typeof blobRpc.uploadAdvance>> {
    return this.uploads.advance(request);
  }

  @RpcHandler(blobRpc.uploadComplete)
  complete(
    request: RpcRequest<typeof blobRpc.uploadComplete>,
    context: RpcContext,
  ): Promise<RpcResponse<typeof blobRpc.uploadComplete>> {
    return this.uploads.complete(request, context);
  }

  @RpcHandler(blobRpc.uploadCancel)
  async cancel(
    request: RpcRequest<typeof blobRpc.uploadCancel>,
  ): Promise<RpcResponse<typeof blobRpc.uploadCancel>> {
    await this.uploads.cancel(request.repository, request.uploadId);
    return {};
  }
}
