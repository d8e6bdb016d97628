/**
 * The admin account (ACR's `credential show` / `credential renew`; Owner only):
 *
 *   GET   /api/v1/admin                          enabled, user name, password dates
 *   PATCH /api/v1/admin                          {"enabled": true|false}; enabling an account
 *                                                without passwords returns both, once
 *   POST  /api/v1/admin/passwords/{1|2}/renew    a new password, shown once
 */
import { Controller, Get, HttpCode, Param, Patch, Post, Req } from '@nestjs/common';
import { type RpcResponse, authManagementRpc as rpc } from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';
import type { FastifyRequest } from 'fastify';
import { Authorize } from '../auth/authorize.decorator';
import { managementContext } from './management-context';
import { SlotParam } from './password-slot.param';
import { readJsonBody, validInput } from './read-json-input';

@Controller('api/v1/admin')
export class AdminAccountController {
  constructor(private readonly client: RpcClient) {}

  @Get()
  @Authorize('identities:manage')
  show(@Req() request: FastifyRequest): Promise<RpcResponse<typeof rpc.adminShow>> {
    return this.client.request(rpc.adminShow, {}, managementContext(request));
  }

  @Patch()
  @Authorize('identities:manage')
  async update(@Req() request: FastifyRequest): Promise<RpcResponse<typeof rpc.adminUpdate>> {
    const options = managementContext(request);
    const body = validInput(rpc.adminUpdate.request, await readJsonBody(request.raw));
    return this.client.request(rpc.adminUpdate, body, options);
  }

  @Post('passwords/:slot/renew')
  @HttpCode(200)
  @Authorize('identities:manage')
  renew(
    @Req() request: FastifyRequest,
    @Param('slot') slot: string,
  ): Promise<RpcResponse<typeof rpc.adminRenewPassword>> {
    const options = managementContext(request);
    return this.client.request(
      rpc.adminRenewPassword,
      { slot: validInput(SlotParam, slot) },
      options,
    );
  }
}
