import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, replicationRpc } from '@meridian/contracts';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ReplicationStatusService } from './replication-status.service';

type Status = typeof replicationRpc.status;
type Regions = typeof replicationRpc.regions;

/** `replication.status` and `replication.regions`: per-image readiness, per-peer links. */
@Controller()
export class ReplicationStatusHandler {
  constructor(private readonly status: ReplicationStatusService) {}

  @MessagePattern(replicationRpc.status.pattern)
  imageStatus(@Payload() request: RpcRequest<Status>): Promise<RpcResponse<Status>> {
    return this.status.status(request);
  }

  @MessagePattern(replicationRpc.regions.pattern)
  regions(): Promise<RpcResponse<Regions>> {
    return this.status.regions();
  }
}
