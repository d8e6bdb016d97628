import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, acrRpc } from '@meridian/contracts';
import { Caller, type RpcContext } from '@meridian/messaging';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { LocksService } from './locks.service';

type UpdateAttributes = typeof acrRpc.updateAttributes;

/** `manifest.acr-update-attributes`: ACR's PATCH of changeable attributes. */
@Controller()
export class LocksHandler {
  constructor(private readonly locks: LocksService) {}

  @MessagePattern(acrRpc.updateAttributes.pattern)
  updateAttributes(
    @Payload() request: RpcRequest<UpdateAttributes>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<UpdateAttributes>> {
    return this.locks.update(request, context);
  }
}
