import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, replicationsRpc as rpc } from '@meridian/contracts';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ReplicationsService } from './replications.service';

/**
 * `replication.replication-*` (the API's), `peer-stores` (this region's gateway's) and
 * `replications-merge` / `-state` (other regions').
 */
@Controller()
export class ReplicationsHandler {
  constructor(private readonly replications: ReplicationsService) {}

  @MessagePattern(rpc.put.pattern)
  put(@Payload() request: RpcRequest<typeof rpc.put>): Promise<RpcResponse<typeof rpc.put>> {
    return this.replications.put(request.region, request.replication);
  }

  @MessagePattern(rpc.get.pattern)
  get(@Payload() request: RpcRequest<typeof rpc.get>): Promise<RpcResponse<typeof rpc.get>> {
    return this.replications.get(request.region);
  }

  @MessagePattern(rpc.list.pattern)
  list(): Promise<RpcResponse<typeof rpc.list>> {
    return this.replications.list();
  }

  @MessagePattern(rpc.delete.pattern)
  async delete(
    @Payload() request: RpcRequest<typeof rpc.delete>,
  ): Promise<RpcResponse<typeof rpc.delete>> {
    await this.replications.delete(request.region);
    return {};
  }

  @MessagePattern(rpc.merge.pattern)
  merge(@Payload() request: RpcRequest<typeof rpc.merge>): Promise<RpcResponse<typeof rpc.merge>> {
    return this.replications.merge(request.records);
  }

  @MessagePattern(rpc.peerStores.pattern)
  peerStores(): RpcResponse<typeof rpc.peerStores> {
    return this.replications.peerStores();
  }

  @MessagePattern(rpc.state.pattern)
  state(): Promise<RpcResponse<typeof rpc.state>> {
    return this.replications.state();
  }
}
