import { Injectable } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, blobRpc } from '@meridian/contracts';
import { type RpcContext, RpcHandler } from '@meridian/messaging';
import { BlobsService } from './blobs.service';

@Injectable()
export class BlobsHandler {
  constructor(private readonly blobs: BlobsService) {}

  @RpcHandler(blobRpc.stat)
  stat(request: RpcRequest<typeof blobRpc.stat>): Promise<RpcResponse<typeof blobRpc.stat>> {
    return this.blobs.stat(request.repository, request.digest);
  }

  @RpcHandler(blobRpc.statMany)
  async statMany(
    request: RpcRequest<typeof blobRpc.statMany>,
  ): Promise<RpcResponse<typeof blobRpc.statMany>> {
    return { found: await this.blobs.statMany(request.repository, request.digests) };
  }

  @RpcHandler(blobRpc.link)
  link(request: RpcRequest<typeof blobRpc.link>): Promise<RpcResponse<typeof blobRpc.link>> {
    return this.blobs.link(request.repository, request.digest, request.size);
  }

  @RpcHandler(blobRpc.delete)
  async delete(
    request: RpcRequest<typeof blobRpc.delete>,
    context: RpcContext,
  ): Promise<RpcResponse<typeof blobRpc.delete>> {
    await this.blobs.delete(request.repository, request.digest, context);
    return {};
  }
}
