/**
 * ACR's retention policy for untagged manifests (issue 14), a registry setting (Owner):
 *
 *   GET  /api/v1/settings/retention     {"enabled": false, "days": 7}
 *   PUT  /api/v1/settings/retention     {"enabled": true|false, "days": 0–365}
 *
 * While enabled, each region deletes the manifests of its copy that have had no tag for longer
 * than `days` (the manifest service's sweep). Both fields are required; anything else in the
 * body is refused (400 REQUEST_INVALID), and nothing changes.
 */
import { Controller, Get, Put, Req } from '@nestjs/common';
import { RetentionPolicy, type RpcResponse, manifestRpc } from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';
import type { FastifyRequest } from 'fastify';
import { Authorize } from '../auth/authorize.decorator';
import { managementContext } from '../management/management-context';
import { readJsonBody, validInput } from '../management/read-json-input';

@Controller('api/v1/settings/retention')
export class RetentionController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @Authorize('identities:manage')
  policy(
    @Req() request: FastifyRequest,
  ): Promise<RpcResponse<typeof manifestRpc.retentionSetting>> {
    return this.rpc.request(manifestRpc.retentionSetting, {}, managementContext(request));
  }

  @Put()
  @Authorize('identities:manage')
  async setPolicy(
    @Req() request: FastifyRequest,
  ): Promise<RpcResponse<typeof manifestRpc.setRetentionSetting>> {
    const options = managementContext(request);
    const body = validInput(RetentionPolicy, await readJsonBody(request.raw));
    return this.rpc.request(manifestRpc.setRetentionSetting, body, options);
  }
}
