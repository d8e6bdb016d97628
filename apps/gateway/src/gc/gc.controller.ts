/**
 * Garbage collection on demand, for the region this gateway serves (each region collects
 * its own store), Owner or Contributor like purge. The body is validated here, so bad input
 * starts nothing.
 *
 *   POST /api/v1/gc        {"dryRun"?: boolean}   202 the job, with `started: false` when a
 *                          collection was running already (that one is the answer)
 *   GET  /api/v1/gc/{id}   the job: status, progress, bytes freed (or, dry, that would be)
 */
import { Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { GcRequest, type RpcResponse, gcRpc as rpc } from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Authorize } from '../auth/authorize.decorator';
import { managementContext } from '../management/management-context';
import { readJsonBody, validInput } from '../management/read-json-input';

@Controller('api/v1/gc')
export class GcController {
  constructor(private readonly client: RpcClient) {}

  @Post()
  @HttpCode(202)
  @Authorize('registry:write')
  async start(@Req() request: FastifyRequest) {
    const options = managementContext(request);
    const body = validInput(GcRequest, (await readJsonBody(request.raw)) ?? {});
    const { job, started } = await this.client.request(rpc.start, body, options);
    return { ...job, started };
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
