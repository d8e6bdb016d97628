import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, replicationRpc } from '@meridian/contracts';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { BlobRepairer } from './blob-repairer';

type RepairBlob = typeof replicationRpc.repairBlob;

/** `replication.repair-blob`: the blob service's scrub found a blob wrong in this region. */
@Controller()
export class BlobRepairsHandler {
  constructor(private readonly repairer: BlobRepairer) {}

  @MessagePattern(replicationRpc.repairBlob.pattern)
  repairBlob(@Payload() request: RpcRequest<RepairBlob>): Promise<RpcResponse<RepairBlob>> {
    return this.repairer.repair(request);
  }
}
