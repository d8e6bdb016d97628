import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, blobRpc } from '@meridian/contracts';
import { Caller, type RpcContext } from '@meridian/messaging';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { BlobsService } from './blobs.service';

@Controller()
export class BlobsHandler {
  constructor(private readonly blobs: BlobsService) {}

  @MessagePattern(blobRpc.stat.pattern)
  stat(
    @Payload() request: RpcRequest<typeof blobRpc.stat>,
  ): Promise<RpcResponse<typeof blobRpc.stat>> {
    return this.blobs.stat(request.repository, request.digest);
  }

  @MessagePattern(blobRpc.statMany.pattern)
  async statMany(
    @Payload() request: RpcRequest<typeof blobRpc.statMany>,
  ): Promise<RpcResponse<typeof blobRpc.statMany>> {
    return { found: await this.blobs.statMany(request.repository, request.digests) };
  }

  @MessagePattern(blobRpc.link.pattern)
  link(
    @Payload() request: RpcRequest<typeof blobRpc.link>,
  ): Promise<RpcResponse<typeof blobRpc.link>> {
    return this.blobs.link(request.repository, request.digest, request.size);
  }

  @MessagePattern(blobRpc.delete.pattern)
  async delete(
    @Payload() request: RpcRequest<typeof blobRpc.delete>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<typeof blobRpc.delete>> {
    await this.blobs.delete(request.repository, request.digest, context);
    return {};
  }
}
