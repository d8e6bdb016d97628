/**
 * Webhooks (Owner or Contributor), passed to the webhook service's RPCs with the caller as
 * the actor. A webhook created without a secret gets a generated one, shown in that response
 * and never again.
 *
 *   GET    /api/v1/webhooks
 *   PUT    /api/v1/webhooks/{name}          {"serviceUri", "actions": ["push", …], "scope"?,
 *                                            "customHeaders"?, "status"?, "payloadFormat"?,
 *                                            "region"?, "secret"?}  201 created, 200 replaced;
 *                                            400 REQUEST_INVALID for a refused target
 *   GET    /api/v1/webhooks/{name}
 *   PATCH  /api/v1/webhooks/{name}          any of the fields above
 *   DELETE /api/v1/webhooks/{name}          204
 *   POST   /api/v1/webhooks/{name}/ping     202 {"id", "eventId"}
 *   GET    /api/v1/webhooks/{name}/events?n=&last=   the delivery log, newest first
 *   POST   /api/v1/webhooks/{name}/events/{id}/redeliver   202 {"id", "eventId"}
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
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  type RpcResponse,
  WebhookName,
  WebhookSettings,
  type WebhookView,
  webhookRpc as rpc,
} from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Authorize } from '../auth/authorize.decorator';
import { managementContext } from '../management/management-context';
import { readJsonBody, validInput } from '../management/read-json-input';

const LogQuery = z.object({
  n: z.coerce.number().int().positive().max(100).default(20),
  last: z.uuid().optional(),
});

@Controller('api/v1/webhooks')
export class WebhooksController {
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
  ): Promise<WebhookView & { secret?: string }> {
    const options = managementContext(request);
    const settings = validInput(WebhookSettings, await readJsonBody(request.raw));
    const put = await this.client.request(
      rpc.put,
      { name: validInput(WebhookName, name), settings, defaultRegion: this.client.region },
      options,
    );
    void reply.code(put.created ? 201 : 200);
    return { ...put.webhook, ...(put.secret ? { secret: put.secret } : {}) };
  }

  @Get(':name')
  @Authorize('registry:write')
  get(@Req() request: FastifyRequest, @Param('name') name: string): Promise<WebhookView> {
    const options = managementContext(request);
    return this.client.request(rpc.get, { name: validInput(WebhookName, name) }, options);
  }

  @Patch(':name')
  @Authorize('registry:write')
  async update(@Req() request: FastifyRequest, @Param('name') name: string): Promise<WebhookView> {
    const options = managementContext(request);
    const settings = validInput(WebhookSettings.partial(), await readJsonBody(request.raw));
    return this.client.request(
      rpc.update,
      { name: validInput(WebhookName, name), settings },
      options,
    );
  }

  @Delete(':name')
  @HttpCode(204)
  @Authorize('registry:write')
  async delete(@Req() request: FastifyRequest, @Param('name') name: string): Promise<void> {
    const options = managementContext(request);
    await this.client.request(rpc.delete, { name: validInput(WebhookName, name) }, options);
  }

  @Post(':name/ping')
  @HttpCode(202)
  @Authorize('registry:write')
  ping(
    @Req() request: FastifyRequest,
    @Param('name') name: string,
  ): Promise<RpcResponse<typeof rpc.ping>> {
    const options = managementContext(request);
    return this.client.request(rpc.ping, { name: validInput(WebhookName, name) }, options);
  }

  @Get(':name/events')
  @Authorize('registry:write')
  events(
    @Req() request: FastifyRequest,
    @Param('name') name: string,
    @Query() query: unknown,
  ): Promise<RpcResponse<typeof rpc.events>> {
    const options = managementContext(request);
    const page = validInput(LogQuery, query);
    return this.client.request(
      rpc.events,
      { name: validInput(WebhookName, name), ...page },
      options,
    );
  }

  @Post(':name/events/:id/redeliver')
  @HttpCode(202)
  @Authorize('registry:write')
  redeliver(
    @Req() request: FastifyRequest,
    @Param('name') name: string,
    @Param('id') id: string,
  ): Promise<RpcResponse<typeof rpc.redeliver>> {
    const options = managementContext(request);
    return this.client.request(
      rpc.redeliver,
      { name: validInput(WebhookName, name), id: validInput(z.uuid(), id) },
      options,
    );
  }
}
