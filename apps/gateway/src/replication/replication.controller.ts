/**
 * `/api/v1/replication/*`: where an image is ready, and the state of each link to a peer
 * region. Both are answered by this region's replication service; the gateway validates
 * the query and passes the answer on as JSON (errors in the OCI format, like every route).
 *
 *   GET /api/v1/replication/status?repository=<name>&reference=<tag or digest>
 *   GET /api/v1/replication/regions
 *   GET /api/v1/replication/metrics   the regions figures for Prometheus
 *   GET /api/v1/replication/lag-history[?minutes=60]
 *                                      each peer link's lag and backlog as sampled
 *                                      (once a minute by default), oldest first
 */
import { Controller, Get, Header, Req } from '@nestjs/common';
import {
  RegistryError,
  type RpcResponse,
  lagHistoryMaxMinutes,
  replicationRpc,
} from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';
import type { FastifyRequest } from 'fastify';
import { Authorize } from '../auth/authorize.decorator';
import { buildRpcContext } from '../http/build-rpc-context';
import { readQueryParam } from '../http/read-query-param';
import { prometheusContentType, renderReplicationMetrics } from './render-replication-metrics';

@Controller('api/v1/replication')
export class ReplicationController {
  constructor(private readonly rpc: RpcClient) {}

  @Get('status')
  @Authorize('registry:read')
  async status(@Req() request: FastifyRequest): Promise<RpcResponse<typeof replicationRpc.status>> {
    const query = replicationRpc.status.request.safeParse({
      repository: readQueryParam(request, 'repository'),
      reference: readQueryParam(request, 'reference'),
    });
    if (!query.success) {
      throw new RegistryError(
        'REQUEST_INVALID',
        'repository (a repository name) and reference (a tag or digest) are required',
        { invalid: [...new Set(query.error.issues.map((issue) => String(issue.path[0])))] },
      );
    }
    return this.rpc.request(replicationRpc.status, query.data, {
      context: buildRpcContext(request),
    });
  }

  @Get('regions')
  @Authorize('registry:read')
  async regions(
    @Req() request: FastifyRequest,
  ): Promise<RpcResponse<typeof replicationRpc.regions>> {
    return this.rpc.request(replicationRpc.regions, {}, { context: buildRpcContext(request) });
  }

  @Get('lag-history')
  @Authorize('registry:read')
  async lagHistory(
    @Req() request: FastifyRequest,
  ): Promise<RpcResponse<typeof replicationRpc.lagHistory>> {
    const minutes = readQueryParam(request, 'minutes') ?? '60';
    const query = replicationRpc.lagHistory.request.safeParse({
      minutes: /^\d{1,5}$/.test(minutes) ? Number(minutes) : Number.NaN,
    });
    if (!query.success) {
      throw new RegistryError(
        'REQUEST_INVALID',
        `minutes must be a whole number from 1 to ${lagHistoryMaxMinutes}`,
        { invalid: ['minutes'] },
      );
    }
    return this.rpc.request(replicationRpc.lagHistory, query.data, {
      context: buildRpcContext(request),
    });
  }

  @Get('metrics')
  @Authorize('registry:read')
  @Header('content-type', prometheusContentType)
  async metrics(@Req() request: FastifyRequest): Promise<string> {
    return renderReplicationMetrics(await this.regions(request));
  }
}
