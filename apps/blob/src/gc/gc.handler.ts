import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, gcRpc } from '@meridian/contracts';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { GcService } from './gc.service';

type Start = typeof gcRpc.start;
type Get = typeof gcRpc.get;

/** `blob.gc-start|gc-get`: requests arrive validated against their contracts. */
@Controller()
export class GcHandler {
  constructor(private readonly gc: GcService) {}

  @MessagePattern(gcRpc.start.pattern)
  start(@Payload() request: RpcRequest<Start>): Promise<RpcResponse<Start>> {
    return this.gc.start(request);
  }

  @MessagePattern(gcRpc.get.pattern)
  get(@Payload() request: RpcRequest<Get>): Promise<RpcResponse<Get>> {
    return this.gc.get(request.id);
  }
}
