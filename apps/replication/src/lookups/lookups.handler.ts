import { Injectable } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, replicationRpc } from '@meridian/contracts';
import { RpcHandler } from '@meridian/messaging';
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
@Injectable()
export class LookupsHandler {
  constructor(private readonly lookups: LookupsService) {}

  @RpcHandler(replicationRpc.lookupManifest)
  lookupManifest(request: RpcRequest<LookupManifest>): Promise<RpcResponse<LookupManifest>> {
    return this.lookups.lookupManifest(request);
  }

  @RpcHandler(replicationRpc.locateBlob)
  locateBlob(request: RpcRequest<LocateBlob>): Promise<RpcResponse<LocateBlob>> {
    return this.lookups.locateBlob(request);
  }

  @RpcHandler(replicationRpc.fetchBlobs)
  fetchBlobs(request: RpcRequest<FetchBlobs>): Promise<RpcResponse<FetchBlobs>> {
    return this.lookups.fetchBlobs(request);
  }

  @RpcHandler(replicationRpc.fetchManifests)
  fetchManifests(request: RpcRequest<FetchManifests>): Promise<RpcResponse<FetchManifests>> {
    return this.lookups.fetchManifests(request);
  }
}
