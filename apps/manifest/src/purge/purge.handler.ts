import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, purgeRpc } from '@meridian/contracts';
import { Caller, type RpcContext } from '@meridian/messaging';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { PurgeService } from './purge.service';

type Start = typeof purgeRpc.start;
type Get = typeof purgeRpc.get;

/** `manifest.purge-start|purge-get`: requests arrive validated against their contracts. */
@Controller()
export class PurgeHandler {
  constructor(private readonly purges: PurgeService) {}

  @MessagePattern(purgeRpc.start.pattern)
  start(
    @Payload() request: RpcRequest<Start>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<Start>> {
    return this.purges.start(request, context);
  }

  @MessagePattern(purgeRpc.get.pattern)
  get(@Payload() request: RpcRequest<Get>): Promise<RpcResponse<Get>> {
    return this.purges.get(request.id);
  }
}
