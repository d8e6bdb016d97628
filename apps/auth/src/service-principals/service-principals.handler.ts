import { Injectable } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, authManagementRpc as rpc } from '@meridian/contracts';
import { type RpcContext, RpcHandler } from '@meridian/messaging';
import { originOf } from '../records/event-origin';
import { ServicePrincipalsService } from './service-principals.service';

/** Service principals and their role assignments. */
@Injectable()
export class ServicePrincipalsHandler {
  constructor(private readonly principals: ServicePrincipalsService) {}

  @RpcHandler(rpc.servicePrincipalPut)
  put(
    request: RpcRequest<typeof rpc.servicePrincipalPut>,
    context: RpcContext,
  ): Promise<RpcResponse<typeof rpc.servicePrincipalPut>> {
    return this.principals.put(request, originOf(context));
  }

  @RpcHandler(rpc.servicePrincipalGet)
  get(request: RpcRequest<typeof rpc.servicePrincipalGet>) {
    return this.principals.get(request.id);
  }

  @RpcHandler(rpc.servicePrincipalList)
  async list(): Promise<RpcResponse<typeof rpc.servicePrincipalList>> {
    return { servicePrincipals: await this.principals.list() };
  }

  @RpcHandler(rpc.servicePrincipalDelete)
  async delete(
    request: RpcRequest<typeof rpc.servicePrincipalDelete>,
    context: RpcContext,
  ): Promise<RpcResponse<typeof rpc.servicePrincipalDelete>> {
    await this.principals.delete(request.id, originOf(context));
    return {};
  }

  @RpcHandler(rpc.servicePrincipalResetSecret)
  resetSecret(
    request: RpcRequest<typeof rpc.servicePrincipalResetSecret>,
    context: RpcContext,
  ): Promise<RpcResponse<typeof rpc.servicePrincipalResetSecret>> {
    return this.principals.resetSecret(request.id, originOf(context));
  }

  @RpcHandler(rpc.roleAssign)
  assign(request: RpcRequest<typeof rpc.roleAssign>, context: RpcContext) {
    return this.principals.assign(request.id, request.role, originOf(context));
  }

  @RpcHandler(rpc.roleUnassign)
  unassign(request: RpcRequest<typeof rpc.roleUnassign>, context: RpcContext) {
    return this.principals.unassign(request.id, request.role, originOf(context));
  }
}
