import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, scrubRpc } from '@meridian/contracts';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ScrubService } from './scrub.service';

type Start = typeof scrubRpc.start;
type Get = typeof scrubRpc.get;

/** `blob.scrub-start|scrub-get`: requests arrive validated against their contracts. */
@Controller()
export class ScrubHandler {
  constructor(private readonly scrubs: ScrubService) {}

  @MessagePattern(scrubRpc.start.pattern)
  start(@Payload() request: RpcRequest<Start>): Promise<RpcResponse<Start>> {
    return this.scrubs.start(request);
  }

  @MessagePattern(scrubRpc.get.pattern)
  get(@Payload() request: RpcRequest<Get>): Promise<RpcResponse<Get>> {
    return this.scrubs.get(request.id);
  }
}
