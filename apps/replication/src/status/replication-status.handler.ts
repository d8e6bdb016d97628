import { Injectable } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, replicationRpc } from '@meridian/contracts';
import { RpcHandler } from '@meridian/messaging';
import { ReplicationStatusService } from './replication-status.service';

type Status = typeof replicationRpc.status;
type Regions = typeof replicationRpc.regions;

/** `replication.status` and `replication.regions`: per-image readiness, per-peer links. */
@Injectable()
export class ReplicationStatusHandler {
  constructor(private readonly status: ReplicationStatusService) {}

  @RpcHandler(replicationRpc.status)
  imageStatus(request: RpcRequest<Status>): Promise<RpcResponse<Status>> {
    return this.status.status(request);
  }

  @RpcHandler(replicationRpc.regions)
  regions(): Promise<RpcResponse<Regions>> {
    return this.status.regions();
  }
}
