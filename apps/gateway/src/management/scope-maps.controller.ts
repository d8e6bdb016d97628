/**
 * Scope maps (Owner only): repository names or patterns with the actions a token bound to
 * the map may take.
 *
 *   GET    /api/v1/scope-maps
 *   PUT    /api/v1/scope-maps/{name}   {"description"?, "rules": [{"repository": "team-a/*",
 *                                       "actions": ["content/read", "content/write"]}]}
 *                                      201 created, 200 replaced
 *   GET    /api/v1/scope-maps/{name}
 *   DELETE /api/v1/scope-maps/{name}   204; 403 DENIED while a token uses it
 */
import { Controller, Delete, Get, HttpCode, Param, Put, Req, Res } from '@nestjs/common';
import {
  IdentityName,
  type RpcResponse,
  ScopeMapRule,
  type ScopeMapView,
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
  rules: z.array(ScopeMapRule).min(1).max(500),
});

@Controller('api/v1/scope-maps')
export class ScopeMapsController {
  constructor(private readonly client: RpcClient) {}

  @Get()
  @Authorize('identities:manage')
  list(@Req() request: FastifyRequest): Promise<RpcResponse<typeof rpc.scopeMapList>> {
    return this.client.request(rpc.scopeMapList, {}, managementContext(request));
  }

  @Put(':name')
  @Authorize('identities:manage')
  async put(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param('name') name: string,
  ): Promise<ScopeMapView> {
    const options = managementContext(request);
    const body = validInput(PutBody, await readJsonBody(request.raw));
    const put = await this.client.request(
      rpc.scopeMapPut,
      { name: validInput(IdentityName, name), ...body },
      options,
    );
    void reply.code(put.created ? 201 : 200);
    return put.scopeMap;
  }

  @Get(':name')
  @Authorize('identities:manage')
  get(@Req() request: FastifyRequest, @Param('name') name: string): Promise<ScopeMapView> {
    const options = managementContext(request);
    return this.client.request(rpc.scopeMapGet, { name: validInput(IdentityName, name) }, options);
  }

  @Delete(':name')
  @HttpCode(204)
  @Authorize('identities:manage')
  async delete(@Req() request: FastifyRequest, @Param('name') name: string): Promise<void> {
    const options = managementContext(request);
    await this.client.request(
      rpc.scopeMapDelete,
      { name: validInput(IdentityName, name) },
      options,
    );
  }
}
