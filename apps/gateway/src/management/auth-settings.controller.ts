/**
 * Registry-wide auth settings and the signing keys (Owner only).
 *
 *   GET  /api/v1/settings                {"anonymousPull": false}
 *   PUT  /api/v1/settings                {"anonymousPull": true|false}
 *   GET  /api/v1/signing-keys            every region's keys that verify live tokens
 *   POST /api/v1/signing-keys/rotate     this region signs with a new key from now on
 */
import { Controller, Get, HttpCode, Post, Put, Req } from '@nestjs/common';
import { type RpcResponse, authManagementRpc as rpc } from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';
import type { FastifyRequest } from 'fastify';
import { Authorize } from '../auth/authorize.decorator';
import { managementContext } from './management-context';
import { readJsonBody, validInput } from './read-json-input';

@Controller('api/v1')
export class AuthSettingsController {
  constructor(private readonly client: RpcClient) {}

  @Get('settings')
  @Authorize('identities:manage')
  get(@Req() request: FastifyRequest): Promise<RpcResponse<typeof rpc.settingsGet>> {
    return this.client.request(rpc.settingsGet, {}, managementContext(request));
  }

  @Put('settings')
  @Authorize('identities:manage')
  async put(@Req() request: FastifyRequest): Promise<RpcResponse<typeof rpc.settingsPut>> {
    const options = managementContext(request);
    const body = validInput(rpc.settingsPut.request, await readJsonBody(request.raw));
    return this.client.request(rpc.settingsPut, body, options);
  }

  @Get('signing-keys')
  @Authorize('identities:manage')
  keys(@Req() request: FastifyRequest): Promise<RpcResponse<typeof rpc.signingKeyList>> {
    return this.client.request(rpc.signingKeyList, {}, managementContext(request));
  }

  @Post('signing-keys/rotate')
  @HttpCode(200)
  @Authorize('identities:manage')
  rotate(@Req() request: FastifyRequest): Promise<RpcResponse<typeof rpc.signingKeyRotate>> {
    return this.client.request(rpc.signingKeyRotate, {}, managementContext(request));
  }
}
