import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, manifestRpc } from '@meridian/contracts';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ReferrersService } from './referrers.service';

type Referrers = typeof manifestRpc.referrers;

/** `manifest.referrers`: the manifests whose subject is a digest. */
@Controller()
export class ReferrersHandler {
  constructor(private readonly referrers: ReferrersService) {}

  @MessagePattern(manifestRpc.referrers.pattern)
  list(@Payload() request: RpcRequest<Referrers>): Promise<RpcResponse<Referrers>> {
    return this.referrers.list(request);
  }
}
