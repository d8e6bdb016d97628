import { Injectable } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, authManagementRpc as rpc } from '@meridian/contracts';
import { type RpcContext, RpcHandler } from '@meridian/messaging';
import { originOf } from '../records/event-origin';
import { AdminAccountService } from './admin-account.service';

/** The admin account's management RPCs. */
@Injectable()
export class AdminAccountHandler {
  constructor(private readonly admin: AdminAccountService) {}

  @RpcHandler(rpc.adminShow)
  show(): Promise<RpcResponse<typeof rpc.adminShow>> {
    return this.admin.show();
  }

  @RpcHandler(rpc.adminUpdate)
  update(
    request: RpcRequest<typeof rpc.adminUpdate>,
    context: RpcContext,
  ): Promise<RpcResponse<typeof rpc.adminUpdate>> {
    return this.admin.update(request.enabled, originOf(context));
  }

  @RpcHandler(rpc.adminRenewPassword)
  renew(
    request: RpcRequest<typeof rpc.adminRenewPassword>,
    context: RpcContext,
  ): Promise<RpcResponse<typeof rpc.adminRenewPassword>> {
    return this.admin.renew(request.slot, originOf(context));
  }
}
