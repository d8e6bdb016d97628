import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, replicationRpc } from '@meridian/contracts';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { LagHistoryService } from './lag-history.service';
import { ReplicationStatusService } from './replication-status.service';

type Status = typeof replicationRpc.status;
type Regions = typeof replicationRpc.regions;
type LagHistory = typeof replicationRpc.lagHistory;

/**
 * `replication.status`, `replication.regions` and `replication.lag-history`: per-image
 * readiness, per-peer links now and as sampled.
 */
@Controller()
export class ReplicationStatusHandler {
  constructor(
    private readonly status: ReplicationStatusService,
    private readonly lag: LagHistoryService,
  ) {}

  @MessagePattern(replicationRpc.status.pattern)
  imageStatus(@Payload() request: RpcRequest<Status>): Promise<RpcResponse<Status>> {
    return this.status.status(request);
  }

  @MessagePattern(replicationRpc.regions.pattern)
  regions(): Promise<RpcResponse<Regions>> {
    return this.status.regions();
  }

  @MessagePattern(replicationRpc.lagHistory.pattern)
  lagHistory(@Payload() request: RpcRequest<LagHistory>): Promise<RpcResponse<LagHistory>> {
    return this.lag.history(request);
  }
}
