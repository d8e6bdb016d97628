/**
 * Cache rules (Owner or Contributor, like the credential sets they name): which repositories
 * of this registry are a pull-through cache of which upstream. Kept per region by the
 * replication service, which checks them (credential set known, targets not overlapping).
 *
 *   GET    /api/v1/cache-rules
 *   PUT    /api/v1/cache-rules/{name}   {"source", "target", "credentialSet"?, "tagTtl"?}
 *                                       201 created, 200 replaced
 *   GET    /api/v1/cache-rules/{name}
 *   DELETE /api/v1/cache-rules/{name}   204
 */
import { Controller, Delete, Get, HttpCode, Param, Put, Req, Res } from '@nestjs/common';
import {
  CacheRuleInput,
  CacheRuleName,
  type CacheRuleView,
  type RpcResponse,
  cacheRuleRpc as rpc,
} from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authorize } from '../auth/authorize.decorator';
import { managementContext } from '../management/management-context';
import { readJsonBody, validInput } from '../management/read-json-input';

@Controller('api/v1/cache-rules')
export class CacheRulesController {
  constructor(private readonly client: RpcClient) {}

  @Get()
  @Authorize('registry:write')
  list(@Req() request: FastifyRequest): Promise<RpcResponse<typeof rpc.list>> {
    return this.client.request(rpc.list, {}, managementContext(request));
  }

  @Put(':name')
  @Authorize('registry:write')
  async put(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param('name') name: string,
  ): Promise<CacheRuleView> {
    const options = managementContext(request);
    const rule = validInput(CacheRuleInput, await readJsonBody(request.raw));
    const put = await this.client.request(
      rpc.put,
      { name: validInput(CacheRuleName, name), rule },
      options,
    );
    void reply.code(put.created ? 201 : 200);
    return put.cacheRule;
  }

  @Get(':name')
  @Authorize('registry:write')
  get(@Req() request: FastifyRequest, @Param('name') name: string): Promise<CacheRuleView> {
    const options = managementContext(request);
    return this.client.request(rpc.get, { name: validInput(CacheRuleName, name) }, options);
  }

  @Delete(':name')
  @HttpCode(204)
  @Authorize('registry:write')
  async delete(@Req() request: FastifyRequest, @Param('name') name: string): Promise<void> {
    const options = managementContext(request);
    await this.client.request(rpc.delete, { name: validInput(CacheRuleName, name) }, options);
  }
}
