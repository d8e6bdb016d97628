/**
 * Service principals and their roles (Owner only). A secret is in the answer once: when the
 * principal is created (201) and when it is reset.
 *
 *   GET    /api/v1/service-principals
 *   PUT    /api/v1/service-principals/{id}                  {"description"?, "roles"?: [...]}
 *   GET    /api/v1/service-principals/{id}
 *   DELETE /api/v1/service-principals/{id}                  204; its refresh tokens are revoked
 *   POST   /api/v1/service-principals/{id}/reset-secret
 *   PUT    /api/v1/service-principals/{id}/roles/{role}     AcrPull, AcrPush, AcrDelete, Reader,
 *   DELETE /api/v1/service-principals/{id}/roles/{role}     Contributor, Owner, AcrQuarantine…
 */
import { Controller, Delete, Get, HttpCode, Param, Post, Put, Req, Res } from '@nestjs/common';
import {
  IdentityName,
  RoleName,
  type RpcResponse,
  type ServicePrincipalView,
  authManagementRpc as rpc,
} from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Authorize } from '../auth/authorize.decorator';
import { managementContext } from './management-context';
import { readJsonBody, validInput } from './read-json-input';

const PutBody = z.object({
  description: z.string().max(512).optional(),
  roles: z.array(RoleName).optional(),
});

@Controller('api/v1/service-principals')
export class ServicePrincipalsController {
  constructor(private readonly client: RpcClient) {}

  @Get()
  @Authorize('identities:manage')
  list(@Req() request: FastifyRequest): Promise<RpcResponse<typeof rpc.servicePrincipalList>> {
    return this.client.request(rpc.servicePrincipalList, {}, managementContext(request));
  }

  @Put(':id')
  @Authorize('identities:manage')
  async put(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param('id') id: string,
  ): Promise<ServicePrincipalView & { secret?: string }> {
    const options = managementContext(request);
    const body = validInput(PutBody, await readJsonBody(request.raw));
    const put = await this.client.request(
      rpc.servicePrincipalPut,
      { id: validInput(IdentityName, id), ...body },
      options,
    );
    void reply.code(put.created ? 201 : 200);
    return { ...put.servicePrincipal, ...(put.secret ? { secret: put.secret } : {}) };
  }

  @Get(':id')
  @Authorize('identities:manage')
  get(@Req() request: FastifyRequest, @Param('id') id: string): Promise<ServicePrincipalView> {
    const options = managementContext(request);
    return this.client.request(
      rpc.servicePrincipalGet,
      { id: validInput(IdentityName, id) },
      options,
    );
  }

  @Delete(':id')
  @HttpCode(204)
  @Authorize('identities:manage')
  async delete(@Req() request: FastifyRequest, @Param('id') id: string): Promise<void> {
    const options = managementContext(request);
    await this.client.request(
      rpc.servicePrincipalDelete,
      { id: validInput(IdentityName, id) },
      options,
    );
  }

  @Post(':id/reset-secret')
  @HttpCode(200)
  @Authorize('identities:manage')
  resetSecret(
    @Req() request: FastifyRequest,
    @Param('id') id: string,
  ): Promise<RpcResponse<typeof rpc.servicePrincipalResetSecret>> {
    const options = managementContext(request);
    return this.client.request(
      rpc.servicePrincipalResetSecret,
      { id: validInput(IdentityName, id) },
      options,
    );
  }

  @Put(':id/roles/:role')
  @Authorize('identities:manage')
  assign(
    @Req() request: FastifyRequest,
    @Param('id') id: string,
    @Param('role') role: string,
  ): Promise<ServicePrincipalView> {
    const options = managementContext(request);
    return this.client.request(
      rpc.roleAssign,
      { id: validInput(IdentityName, id), role: validInput(RoleName, role) },
      options,
    );
  }

  @Delete(':id/roles/:role')
  @Authorize('identities:manage')
  unassign(
    @Req() request: FastifyRequest,
    @Param('id') id: string,
    @Param('role') role: string,
  ): Promise<ServicePrincipalView> {
    const options = managementContext(request);
    return this.client.request(
      rpc.roleUnassign,
      { id: validInput(IdentityName, id), role: validInput(RoleName, role) },
      options,
    );
  }
}
