/**
 * Imports from other registries (ACR's `az acr import`), Owner or Contributor (they write
 * the target repositories), passed to the replication service's RPCs with the caller as the
 * actor of the pushes. The body is validated here, so bad input queues no job. Credentials
 * given inline are sealed by the replication service and never answered back.
 *
 *   POST /api/v1/imports       {"source", "target": "repo:tag" | [...], "credentials"?,
 *                               "credentialSet"?, "caBundle"?, "force"?, "allPlatforms"?,
 *                               "platform"?}   202 {"id", "state": "queued"}
 *   GET  /api/v1/imports/{id}  the job: state, progress (bytes and blobs), the digest
 *                               imported, or why it failed
 */
import { Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ImportRequest, type RpcResponse, importRpc as rpc } from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Authorize } from '../auth/authorize.decorator';
import { managementContext } from '../management/management-context';
import { readJsonBody, validInput } from '../management/read-json-input';

@Controller('api/v1/imports')
export class ImportsController {
  constructor(private readonly client: RpcClient) {}

  @Post()
  @HttpCode(202)
  @Authorize('registry:write')
  async start(@Req() request: FastifyRequest): Promise<RpcResponse<typeof rpc.start>> {
    const options = managementContext(request);
    const body = validInput(ImportRequest, await readJsonBody(request.raw));
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
