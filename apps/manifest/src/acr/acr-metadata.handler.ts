import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, acrRpc } from '@meridian/contracts';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AcrMetadataService } from './acr-metadata.service';

type Rpc = typeof acrRpc;

/** `manifest.acr-*`: the reads behind ACR's `/acr/v1` API. */
@Controller()
export class AcrMetadataHandler {
  constructor(private readonly metadata: AcrMetadataService) {}

  @MessagePattern(acrRpc.repository.pattern)
  repository(
    @Payload() request: RpcRequest<Rpc['repository']>,
  ): Promise<RpcResponse<Rpc['repository']>> {
    return this.metadata.repository(request.repository);
  }

  @MessagePattern(acrRpc.tags.pattern)
  tags(@Payload() request: RpcRequest<Rpc['tags']>): Promise<RpcResponse<Rpc['tags']>> {
    return this.metadata.tags(request);
  }

  @MessagePattern(acrRpc.tag.pattern)
  tag(@Payload() request: RpcRequest<Rpc['tag']>): Promise<RpcResponse<Rpc['tag']>> {
    return this.metadata.tag(request.repository, request.tag);
  }

  @MessagePattern(acrRpc.manifests.pattern)
  manifests(
    @Payload() request: RpcRequest<Rpc['manifests']>,
  ): Promise<RpcResponse<Rpc['manifests']>> {
    return this.metadata.manifests(request);
  }

  @MessagePattern(acrRpc.manifest.pattern)
  manifest(@Payload() request: RpcRequest<Rpc['manifest']>): Promise<RpcResponse<Rpc['manifest']>> {
    return this.metadata.manifest(request.repository, request.digest);
  }
}
