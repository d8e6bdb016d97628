/**
 * Repository-scoped tokens (Owner only). A token is created without passwords; each of its
 * two passwords is generated on its own, optionally expiring, and shown once.
 *
 *   GET    /api/v1/tokens
 *   PUT    /api/v1/tokens/{name}                          {"scopeMap", "status"?: "enabled"|"disabled"}
 *   GET    /api/v1/tokens/{name}
 *   PATCH  /api/v1/tokens/{name}                          {"scopeMap"?, "status"?}
 *   DELETE /api/v1/tokens/{name}                          204
 *   POST   /api/v1/tokens/{name}/passwords/{1|2}/generate {"expiresAt"?: ISO 8601 time}
 */
import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Req,
  Res,
} from '@nestjs/common';
import {
  IdentityName,
  type RpcResponse,
  TokenStatus,
  type TokenView,
  authManagementRpc as rpc,
} from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Authorize } from '../auth/authorize.decorator';
import { managementContext } from './management-context';
import { SlotParam } from './password-slot.param';
import { readJsonBody, validInput } from './read-json-input';

const PutBody = z.object({ scopeMap: IdentityName, status: TokenStatus.optional() });
const PatchBody = z.object({ scopeMap: IdentityName.optional(), status: TokenStatus.optional() });
const GenerateBody = z.object({ expiresAt: z.iso.datetime({ offset: true }).optional() });

@Controller('api/v1/tokens')
export class RepositoryTokensController {
  constructor(private readonly client: RpcClient) {}

  @Get()
  @Authorize('identities:manage')
  list(@Req() request: FastifyRequest): Promise<RpcResponse<typeof rpc.tokenList>> {
    return this.client.request(rpc.tokenList, {}, managementContext(request));
  }

  @Put(':name')
  @Authorize('identities:manage')
  async put(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param('name') name: string,
  ): Promise<TokenView> {
    const options = managementContext(request);
    const body = validInput(PutBody, await readJsonBody(request.raw));
    const put = await this.client.request(
      rpc.tokenPut,
      { name: validInput(IdentityName, name), ...body },
      options,
    );
    void reply.code(put.created ? 201 : 200);
    return put.token;
  }

  @Get(':name')
  @Authorize('identities:manage')
  get(@Req() request: FastifyRequest, @Param('name') name: string): Promise<TokenView> {
    const options = managementContext(request);
    return this.client.request(rpc.tokenGet, { name: validInput(IdentityName, name) }, options);
  }

  @Patch(':name')
  @Authorize('identities:manage')
  async update(@Req() request: FastifyRequest, @Param('name') name: string): Promise<TokenView> {
    const options = managementContext(request);
    const body = validInput(PatchBody, await readJsonBody(request.raw));
    return this.client.request(
      rpc.tokenUpdate,
      { name: validInput(IdentityName, name), ...body },
      options,
    );
  }

  @Delete(':name')
  @HttpCode(204)
  @Authorize('identities:manage')
  async delete(@Req() request: FastifyRequest, @Param('name') name: string): Promise<void> {
    const options = managementContext(request);
    await this.client.request(rpc.tokenDelete, { name: validInput(IdentityName, name) }, options);
  }

  @Post(':name/passwords/:slot/generate')
  @HttpCode(200)
  @Authorize('identities:manage')
  async generatePassword(
    @Req() request: FastifyRequest,
    @Param('name') name: string,
    @Param('slot') slot: string,
  ): Promise<RpcResponse<typeof rpc.tokenGeneratePassword>> {
    const options = managementContext(request);
    const body = validInput(GenerateBody, await readJsonBody(request.raw));
    return this.client.request(
      rpc.tokenGeneratePassword,
      {
        name: validInput(IdentityName, name),
        slot: validInput(SlotParam, slot),
        ...(body.expiresAt ? { expiresAt: new Date(body.expiresAt).toISOString() } : {}),
      },
      options,
    );
  }
}
