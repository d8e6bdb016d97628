import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, manifestRpc } from '@meridian/contracts';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { TagsService } from './tags.service';

type Tags = typeof manifestRpc.tags;

/** `manifest.tags`: one page of a repository's tags. */
@Controller()
export class TagsHandler {
  constructor(private readonly tags: TagsService) {}

  @MessagePattern(manifestRpc.tags.pattern)
  list(@Payload() request: RpcRequest<Tags>): Promise<RpcResponse<Tags>> {
    return this.tags.list(request);
  }
}
