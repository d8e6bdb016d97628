import { Injectable } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, manifestRpc } from '@meridian/contracts';
import { RpcHandler, type RpcContext } from '@meridian/messaging';
import { RepositoriesService } from './repositories.service';

type Catalog = typeof manifestRpc.catalog;
type DeleteRepository = typeof manifestRpc.deleteRepository;

/** `manifest.catalog` and `manifest.delete-repository`. */
@Injectable()
export class RepositoriesHandler {
  constructor(private readonly repositories: RepositoriesService) {}

  @RpcHandler(manifestRpc.catalog)
  catalog(request: RpcRequest<Catalog>): Promise<RpcResponse<Catalog>> {
    return this.repositories.catalog(request);
  }

  @RpcHandler(manifestRpc.deleteRepository)
  delete(
    request: RpcRequest<DeleteRepository>,
    context: RpcContext,
  ): Promise<RpcResponse<DeleteRepository>> {
    return this.repositories.delete(request.repository, context);
  }
}
