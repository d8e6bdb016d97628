import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, manifestRpc } from '@meridian/contracts';
import { Caller, type RpcContext } from '@meridian/messaging';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { RepositoriesService } from './repositories.service';

type Catalog = typeof manifestRpc.catalog;
type DeleteRepository = typeof manifestRpc.deleteRepository;

/** `manifest.catalog` and `manifest.delete-repository`. */
@Controller()
export class RepositoriesHandler {
  constructor(private readonly repositories: RepositoriesService) {}

  @MessagePattern(manifestRpc.catalog.pattern)
  catalog(@Payload() request: RpcRequest<Catalog>): Promise<RpcResponse<Catalog>> {
    return this.repositories.catalog(request);
  }

  @MessagePattern(manifestRpc.deleteRepository.pattern)
  delete(
    @Payload() request: RpcRequest<DeleteRepository>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<DeleteRepository>> {
    return this.repositories.delete(request.repository, context);
  }
}
