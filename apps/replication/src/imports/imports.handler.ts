import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, importRpc } from '@meridian/contracts';
import { Caller, type RpcContext } from '@meridian/messaging';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ImportsService } from './imports.service';

type Start = typeof importRpc.start;
type Get = typeof importRpc.get;

/** `replication.import-start|import-get`: requests arrive validated against their contracts. */
@Controller()
export class ImportsHandler {
  constructor(private readonly imports: ImportsService) {}

  @MessagePattern(importRpc.start.pattern)
  start(
    @Payload() request: RpcRequest<Start>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<Start>> {
    return this.imports.start(request, context);
  }

  @MessagePattern(importRpc.get.pattern)
  get(@Payload() request: RpcRequest<Get>): Promise<RpcResponse<Get>> {
    return this.imports.get(request.id);
  }
}
