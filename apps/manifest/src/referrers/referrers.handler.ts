import { Injectable } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, manifestRpc } from '@meridian/contracts';
import { RpcHandler } from '@meridian/messaging';
import { ReferrersService } from './referrers.service';

type Referrers = typeof manifestRpc.referrers;

/** `manifest.referrers`: the manifests whose subject is a digest. */
@Injectable()
export class ReferrersHandler {
  constructor(private readonly referrers: ReferrersService) {}

  @RpcHandler(manifestRpc.referrers)
  list(request: RpcRequest<Referrers>): Promise<RpcResponse<Referrers>> {
    return this.referrers.list(request);
  }
}
