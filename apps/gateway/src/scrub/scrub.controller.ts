/**
 * Storage scrub (zot's `scrub`), Owner only (it reads the whole store and rewrites blobs),
 * passed to the blob service's RPCs. The body is validated here, so bad input starts no job.
 *
 *   POST /api/v1/scrub        {"repository"?: name, "repair"?: true}   202 the job: a new one
 *                              queued, or the one already queued or running
 *   GET  /api/v1/scrub/{id}   the job: state, progress, counts, and the blobs found wrong with
 *                              what was done about each
 */
import { Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { type RpcResponse, ScrubRequest, scrubRpc as rpc } from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Authorize } from '../auth/authorize.decorator';
import { managementContext } from '../management/management-context';
import { readJsonBody, validInput } from '../management/read-json-input';

@Controller('api/v1/scrub')
export class ScrubController {
  constructor(private readonly client: RpcClient) {}

  @Post()
  @HttpCode(202)
  @Authorize('identities:manage')
  async start(@Req() request: FastifyRequest): Promise<RpcResponse<typeof rpc.start>> {
    const options = managementContext(request);
    const body = validInput(ScrubRequest, await readJsonBody(request.raw));
    return this.client.request(rpc.start, body, options);
  }

  @Get(':id')
  @Authorize('identities:manage')
  get(
    @Req() request: FastifyRequest,
    @Param('id') id: string,
  ): Promise<RpcResponse<typeof rpc.get>> {
    const options = managementContext(request);
    return this.client.request(rpc.get, { id: validInput(z.uuid(), id) }, options);
  }
}
