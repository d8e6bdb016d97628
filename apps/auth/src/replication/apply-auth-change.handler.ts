import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, authRpc } from '@meridian/contracts';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ApplyAuthChangeService } from './apply-auth-change.service';

type Apply = typeof authRpc.apply;

/** `auth.apply`: the replication service hands over another region's auth changes. */
@Controller()
export class ApplyAuthChangeHandler {
  constructor(private readonly applier: ApplyAuthChangeService) {}

  @MessagePattern(authRpc.apply.pattern)
  async apply(@Payload() request: RpcRequest<Apply>): Promise<RpcResponse<Apply>> {
    return { outcome: await this.applier.apply(request.event) };
  }
}
