import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, manifestRpc } from '@meridian/contracts';
import { Caller, type RpcContext } from '@meridian/messaging';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ReplicatedWritesService } from './replicated-writes.service';

type Apply = typeof manifestRpc.apply;

/** `manifest.apply`: the replication service hands over another region's event. */
@Controller()
export class ReplicationHandler {
  constructor(private readonly replication: ReplicatedWritesService) {}

  @MessagePattern(manifestRpc.apply.pattern)
  async apply(
    @Payload() request: RpcRequest<Apply>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<Apply>> {
    return { outcome: await this.replication.apply(request, context) };
  }
}
