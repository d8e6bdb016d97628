/**
 * Purge on demand (ACR's `acr purge`), Owner or Contributor (the roles that may delete every
 * repository), passed to the manifest service's RPCs with the caller as the actor of the
 * deletes. The body is validated here, so bad input starts no job.
 *
 *   POST /api/v1/purge        {"filters": [{"repository": regex, "tag": regex}], "ago": "30d",
 *                              "untagged"?, "keep"?, "dryRun"?}   202 {"id", "status"}
 *   GET  /api/v1/purge/{id}   the job: status, progress, and item by item what was (or would
 *                              be) deleted, kept or skipped, and why
 */
import { Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { PurgeRequest, type RpcResponse, purgeRpc as rpc } from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Authorize } from '../auth/authorize.decorator';
import { managementContext } from '../management/management-context';
import { readJsonBody, validInput } from '../management/read-json-input';

@Controller('api/v1/purge')
export class PurgeController {
  constructor(private readonly client: RpcClient) {}

  @Post()
  @HttpCode(202)
  @Authorize('registry:write')
  async start(@Req() request: FastifyRequest): Promise<RpcResponse<typeof rpc.start>> {
    const options = managementContext(request);
    const body = validInput(PurgeRequest, await readJsonBody(request.raw));
    return this.client.request(rpc.start, body, options);
  }

  @Get(':id')
  @Authorize('registry:write')
  get(
    @Req() request: FastifyRequest,
    @Param('id') id: string,
  ): Promise<RpcResponse<typeof rpc.get>> {
    const options = managementContext(request);
    return this.client.request(rpc.get, { id: validInput(z.uuid(), id) }, options);
  }
}
