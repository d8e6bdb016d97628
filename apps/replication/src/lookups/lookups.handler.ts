import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, replicationRpc } from '@meridian/contracts';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { LookupsService } from './lookups.service';

type LookupManifest = typeof replicationRpc.lookupManifest;
type LocateBlob = typeof replicationRpc.locateBlob;
type FetchBlobs = typeof replicationRpc.fetchBlobs;
type FetchManifests = typeof replicationRpc.fetchManifests;

/**
 * `replication.lookup-manifest` and `replication.locate-blob`: pulls that miss locally;
 * `replication.fetch-blobs` / `replication.fetch-manifests`: a push whose blobs (or an
 * index's children) a peer holds.
 */
@Controller()
export class LookupsHandler {
  constructor(private readonly lookups: LookupsService) {}

  @MessagePattern(replicationRpc.lookupManifest.pattern)
  lookupManifest(
    @Payload() request: RpcRequest<LookupManifest>,
  ): Promise<RpcResponse<LookupManifest>> {
    return this.lookups.lookupManifest(request);
  }

  @MessagePattern(replicationRpc.locateBlob.pattern)
  locateBlob(@Payload() request: RpcRequest<LocateBlob>): Promise<RpcResponse<LocateBlob>> {
    return this.lookups.locateBlob(request);
  }

  @MessagePattern(replicationRpc.fetchBlobs.pattern)
  fetchBlobs(@Payload() request: RpcRequest<FetchBlobs>): Promise<RpcResponse<FetchBlobs>> {
    return this.lookups.fetchBlobs(request);
  }

  @MessagePattern(replicationRpc.fetchManifests.pattern)
  fetchManifests(
    @Payload() request: RpcRequest<FetchManifests>,
  ): Promise<RpcResponse<FetchManifests>> {
    return this.lookups.fetchManifests(request);
  }
}
