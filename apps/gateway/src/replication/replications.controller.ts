/**
 * Replications (ACR's `az acr replication`): the regions of this registry, added and removed
 * at runtime. Owners change them, any identity that may read the registry reads them. Kept
 * and replicated by the replication service, which answers each one's status as this region
 * sees it (`provisioning`, `ready`, `degraded`); the store's secret is never answered back.
 *
 *   GET    /api/v1/replications
 *   PUT    /api/v1/replications/{region}   {"natsDomain"?, "storage": {"type": "filesystem",
 *                                          "path"} | {"type": "s3", "endpoint", "bucket",
 *                                          "region"?, "accessKeyId", "secretAccessKey",
 *                                          "forcePathStyle"?}}  201 created, 200 updated
 *   GET    /api/v1/replications/{region}
 *   DELETE /api/v1/replications/{region}   204; not the region called
 */
import { Controller, Delete, Get, HttpCode, Param, Put, Req, Res } from '@nestjs/common';
import {
  RegionId,
  ReplicationInput,
  type ReplicationView,
  type RpcResponse,
  replicationsRpc as rpc,
} from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authorize } from '../auth/authorize.decorator';
import { managementContext } from '../management/management-context';
import { readJsonBody, validInput } from '../management/read-json-input';

/** a replication's status asks the region's NATS, store and replication service (a few seconds at worst) */
const statusTimeoutMs = 15_000;

@Controller('api/v1/replications')
export class ReplicationsController {
  constructor(private readonly client: RpcClient) {}

  @Get()
  @Authorize('registry:read')
  list(@Req() request: FastifyRequest): Promise<RpcResponse<typeof rpc.list>> {
    return this.client.request(rpc.list, {}, options(request));
  }

  @Put(':region')
  @Authorize('identities:manage')
  async put(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param('region') region: string,
  ): Promise<ReplicationView> {
    const valid = validInput(RegionId, region);
    const replication = validInput(ReplicationInput, await readJsonBody(request.raw));
    const put = await this.client.request(
      rpc.put,
      { region: valid, replication },
      options(request),
    );
    void reply.code(put.created ? 201 : 200);
    return put.replication;
  }

  @Get(':region')
  @Authorize('registry:read')
  get(@Req() request: FastifyRequest, @Param('region') region: string): Promise<ReplicationView> {
    return this.client.request(rpc.get, { region: validInput(RegionId, region) }, options(request));
  }

  @Delete(':region')
  @HttpCode(204)
  @Authorize('identities:manage')
  async delete(@Req() request: FastifyRequest, @Param('region') region: string): Promise<void> {
    await this.client.request(
      rpc.delete,
      { region: validInput(RegionId, region) },
      options(request),
    );
  }
}

function options(request: FastifyRequest) {
  return { ...managementContext(request), timeoutMs: statusTimeoutMs };
}
