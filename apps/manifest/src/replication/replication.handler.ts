import { Injectable } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, manifestRpc } from '@meridian/contracts';
import { type RpcContext, RpcHandler } from '@meridian/messaging';
import { ReplicatedWritesService } from './replicated-writes.service';

type Apply = typeof manifestRpc.apply;

/** `manifest.apply`: the replication service hands over another region's event. */
@Injectable()
export class ReplicationHandler {
  constructor(private readonly replication: ReplicatedWritesService) {}

  @RpcHandler(manifestRpc.apply)
  async apply(request: RpcRequest<Apply>, context: RpcContext): Promise<RpcResponse<Apply>> {
    return { outcome: await this.replication.apply(request, context) };
  }
}
