import { Injectable } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, authRpc } from '@meridian/contracts';
import { RpcHandler } from '@meridian/messaging';
import { ApplyAuthChangeService } from './apply-auth-change.service';

type Apply = typeof authRpc.apply;

/** `auth.apply`: the replication service hands over another region's auth changes. */
@Injectable()
export class ApplyAuthChangeHandler {
  constructor(private readonly applier: ApplyAuthChangeService) {}

  @RpcHandler(authRpc.apply)
  async apply(request: RpcRequest<Apply>): Promise<RpcResponse<Apply>> {
    return { outcome: await this.applier.apply(request.event) };
  }
}
