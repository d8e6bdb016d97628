import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, blobRpc } from '@meridian/contracts';
import { Caller, type RpcContext } from '@meridian/messaging';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { UsageService } from './usage.service';

/** `blob.usage`, `blob.quota-get`, `blob.quota-put`. */
@Controller()
export class UsageHandler {
  constructor(private readonly usage: UsageService) {}

  @MessagePattern(blobRpc.usage.pattern)
  usageOfStore(): Promise<RpcResponse<typeof blobRpc.usage>> {
    return this.usage.usage();
  }

  @MessagePattern(blobRpc.quotaGet.pattern)
  quota(
    @Payload() request: RpcRequest<typeof blobRpc.quotaGet>,
  ): Promise<RpcResponse<typeof blobRpc.quotaGet>> {
    return this.usage.quota(request.repository);
  }

  @MessagePattern(blobRpc.quotaPut.pattern)
  setQuota(
    @Payload() request: RpcRequest<typeof blobRpc.quotaPut>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<typeof blobRpc.quotaPut>> {
    return this.usage.setQuota(request, context);
  }
}
