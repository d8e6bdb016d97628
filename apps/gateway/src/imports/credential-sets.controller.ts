/**
 * Credential sets (Owner or Contributor): a username and password, or a token, that imports
 * log in to an upstream registry with, saved under a name. The secret is sealed at rest by
 * the replication service and never answered back.
 *
 *   GET    /api/v1/credential-sets
 *   PUT    /api/v1/credential-sets/{name}   {"username", "password"} | {"token"}
 *                                           201 created, 200 replaced
 *   GET    /api/v1/credential-sets/{name}
 *   DELETE /api/v1/credential-sets/{name}   204
 */
import { Controller, Delete, Get, HttpCode, Param, Put, Req, Res } from '@nestjs/common';
import {
  CredentialSetName,
  type CredentialSetView,
  Credentials,
  type RpcResponse,
  credentialSetRpc as rpc,
} from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authorize } from '../auth/authorize.decorator';
import { managementContext } from '../management/management-context';
import { readJsonBody, validInput } from '../management/read-json-input';

@Controller('api/v1/credential-sets')
export class CredentialSetsController {
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
  ): Promise<CredentialSetView> {
    const options = managementContext(request);
    const credentials = validInput(Credentials, await readJsonBody(request.raw));
    const put = await this.client.request(
      rpc.put,
      { name: validInput(CredentialSetName, name), credentials },
      options,
    );
    void reply.code(put.created ? 201 : 200);
    return put.credentialSet;
  }

  @Get(':name')
  @Authorize('registry:write')
  get(@Req() request: FastifyRequest, @Param('name') name: string): Promise<CredentialSetView> {
    const options = managementContext(request);
    return this.client.request(rpc.get, { name: validInput(CredentialSetName, name) }, options);
  }

  @Delete(':name')
  @HttpCode(204)
  @Authorize('registry:write')
  async delete(@Req() request: FastifyRequest, @Param('name') name: string): Promise<void> {
    const options = managementContext(request);
    await this.client.request(rpc.delete, { name: validInput(CredentialSetName, name) }, options);
  }
}
