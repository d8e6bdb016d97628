import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, authManagementRpc as rpc } from '@meridian/contracts';
import { Caller, type RpcContext } from '@meridian/messaging';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { originOf } from '../records/event-origin';
import { AdminAccountService } from './admin-account.service';

/** The admin account's management RPCs. */
@Controller()
export class AdminAccountHandler {
  constructor(private readonly admin: AdminAccountService) {}

  @MessagePattern(rpc.adminShow.pattern)
  show(): Promise<RpcResponse<typeof rpc.adminShow>> {
    return this.admin.show();
  }

  @MessagePattern(rpc.adminUpdate.pattern)
  update(
    @Payload() request: RpcRequest<typeof rpc.adminUpdate>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<typeof rpc.adminUpdate>> {
    return this.admin.update(request.enabled, originOf(context));
  }

  @MessagePattern(rpc.adminRenewPassword.pattern)
  renew(
    @Payload() request: RpcRequest<typeof rpc.adminRenewPassword>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<typeof rpc.adminRenewPassword>> {
    return this.admin.renew(request.slot, originOf(context));
  }
}
