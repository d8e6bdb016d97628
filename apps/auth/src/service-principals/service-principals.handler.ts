import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, authManagementRpc as rpc } from '@meridian/contracts';
import { Caller, type RpcContext } from '@meridian/messaging';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { originOf } from '../records/event-origin';
import { ServicePrincipalsService } from './service-principals.service';

/** Service principals and their role assignments. */
@Controller()
export class ServicePrincipalsHandler {
  constructor(private readonly principals: ServicePrincipalsService) {}

  @MessagePattern(rpc.servicePrincipalPut.pattern)
  put(
    @Payload() request: RpcRequest<typeof rpc.servicePrincipalPut>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<typeof rpc.servicePrincipalPut>> {
    return this.principals.put(request, originOf(context));
  }

  @MessagePattern(rpc.servicePrincipalGet.pattern)
  get(@Payload() request: RpcRequest<typeof rpc.servicePrincipalGet>) {
    return this.principals.get(request.id);
  }

  @MessagePattern(rpc.servicePrincipalList.pattern)
  async list(): Promise<RpcResponse<typeof rpc.servicePrincipalList>> {
    return { servicePrincipals: await this.principals.list() };
  }

  @MessagePattern(rpc.servicePrincipalDelete.pattern)
  async delete(
    @Payload() request: RpcRequest<typeof rpc.servicePrincipalDelete>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<typeof rpc.servicePrincipalDelete>> {
    await this.principals.delete(request.id, originOf(context));
    return {};
  }

  @MessagePattern(rpc.servicePrincipalResetSecret.pattern)
  resetSecret(
    @Payload() request: RpcRequest<typeof rpc.servicePrincipalResetSecret>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<typeof rpc.servicePrincipalResetSecret>> {
    return this.principals.resetSecret(request.id, originOf(context));
  }

  @MessagePattern(rpc.roleAssign.pattern)
  assign(@Payload() request: RpcRequest<typeof rpc.roleAssign>, @Caller() context: RpcContext) {
    return this.principals.assign(request.id, request.role, originOf(context));
  }

  @MessagePattern(rpc.roleUnassign.pattern)
  unassign(@Payload() request: RpcRequest<typeof rpc.roleUnassign>, @Caller() context: RpcContext) {
    return this.principals.unassign(request.id, request.role, originOf(context));
  }
}
