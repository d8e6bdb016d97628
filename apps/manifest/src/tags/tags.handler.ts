import { Injectable } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, manifestRpc } from '@meridian/contracts';
import { RpcHandler } from '@meridian/messaging';
import { TagsService } from './tags.service';

type Tags = typeof manifestRpc.tags;

/** `manifest.tags`: one page of a repository's tags. */
@Injectable()
export class TagsHandler {
  constructor(private readonly tags: TagsService) {}

  @RpcHandler(manifestRpc.tags)
  list(request: RpcRequest<Tags>): Promise<RpcResponse<Tags>> {
    return this.tags.list(request);
  }
}
