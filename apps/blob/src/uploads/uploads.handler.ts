import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, blobRpc } from '@meridian/contracts';
import { Caller, type RpcContext } from '@meridian/messaging';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { UploadsService } from './uploads.service';

@Controller()
export class UploadsHandler {
  constructor(private readonly uploads: UploadsService) {}

  @MessagePattern(blobRpc.uploadStart.pattern)
  start(
    @Payload() request: RpcRequest<typeof blobRpc.uploadStart>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<typeof blobRpc.uploadStart>> {
    return this.uploads.start(request, context);
  }

  @MessagePattern(blobRpc.uploadGet.pattern)
  get(
    @Payload() request: RpcRequest<typeof blobRpc.uploadGet>,
  ): Promise<RpcResponse<typeof blobRpc.uploadGet>> {
    return this.uploads.get(request);
  }

  @MessagePattern(blobRpc.uploadAdvance.pattern)
  advance(
    @Payload() request: RpcRequest<typeof blobRpc.uploadAdvance>,
  ): Promise<RpcResponse<typeof blobRpc.uploadAdvance>> {
    return this.uploads.advance(request);
  }

  @MessagePattern(blobRpc.uploadComplete.pattern)
  complete(
    @Payload() request: RpcRequest<typeof blobRpc.uploadComplete>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<typeof blobRpc.uploadComplete>> {
    return this.uploads.complete(request, context);
  }

  @MessagePattern(blobRpc.uploadPut.pattern)
  put(
    @Payload() request: RpcRequest<typeof blobRpc.uploadPut>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<typeof blobRpc.uploadPut>> {
    return this.uploads.put(request, context);
  }

  @MessagePattern(blobRpc.uploadCancel.pattern)
  async cancel(
    @Payload() request: RpcRequest<typeof blobRpc.uploadCancel>,
  ): Promise<RpcResponse<typeof blobRpc.uploadCancel>> {
    await this.uploads.cancel(request.repository, request.uploadId, request.deferred);
    return {};
  }
}
