/**
 * `GET /api/v1/usage`: how much this region stores, from running totals the blob and manifest
 * services keep as they change (never a scan of the store), so it is cheap to call often.
 *
 *   { "region": "us-east",
 *     "bytes": 123, "blobCount": 4,       the region's store, each blob counted once
 *     "manifestCount": 5,
 *     "quotaBytes": 1000,                  MERIDIAN_STORAGE_QUOTA_BYTES, when set
 *     "repositories": [{ "name", "sizeBytes", "manifestCount", "tagCount",
 *                        "uploadedBytes", "quotaBytes"? }] }
 *
 * A repository's `sizeBytes` is the distinct blobs (configs and layers) its manifests
 * reference, each once; `uploadedBytes` the blobs uploaded, mounted or replicated into it,
 * each once, which is what its quota measures (layers count from their upload, before a
 * manifest names them). Each region answers for itself, from its own services, and a region
 * cut off from its peers still answers at once.
 *
 * `GET /api/v1/usage/regions`: the same for every region of the registry, this one first:
 * the gateway asks each peer region's blob and manifest services across the NATS link
 * (`meridian.<peer>.rpc.blob.usage`, `…manifest.usage`), all at once, each with a short
 * timeout. A region that does not answer in time is listed `available: false` with the
 * reason, never failing the request:
 *
 *   { "regions": [ { "region": "us-east", "available": true, "bytes": …, … },
 *                  { "region": "eu-west", "available": false, "error": "…" } ] }
 */
import { Controller, Get, Req } from '@nestjs/common';
import { blobRpc, manifestRpc } from '@meridian/contracts';
import { RpcClient, type RpcContext } from '@meridian/messaging';
import type { FastifyRequest } from 'fastify';
import { Authorize } from '../auth/authorize.decorator';
import { buildRpcContext } from '../http/build-rpc-context';
import { PeerStores } from '../replication/peer-stores';

/** how long a region's services have to answer for the all-regions view */
export const regionUsageTimeoutMs = 3_000;

export interface RepositoryUsageView {
  name: string;
  sizeBytes: number;
  manifestCount: number;
  tagCount: number;
  uploadedBytes: number;
  quotaBytes?: number;
}

export interface UsageView {
  region: string;
  bytes: number;
  blobCount: number;
  manifestCount: number;
  quotaBytes?: number;
  repositories: RepositoryUsageView[];
}

export type RegionUsageView =
  ({ available: true } & UsageView) | { region: string; available: false; error: string };

@Controller('api/v1/usage')
export class UsageController {
  constructor(
    private readonly client: RpcClient,
    private readonly peers: PeerStores,
  ) {}

  @Get()
  @Authorize('registry:read')
  usage(@Req() request: FastifyRequest): Promise<UsageView> {
    return this.usageOf(this.client.region, buildRpcContext(request));
  }

  @Get('regions')
  @Authorize('registry:read')
  async regions(@Req() request: FastifyRequest): Promise<{ regions: RegionUsageView[] }> {
    const context = buildRpcContext(request);
    const regions = await Promise.all(
      [this.client.region, ...this.peers.regions].map(async (region): Promise<RegionUsageView> => {
        try {
          const usage = await this.usageOf(region, context, regionUsageTimeoutMs);
          return { available: true, ...usage };
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          return { region, available: false, error: reason };
        }
      }),
    );
    return { regions };
  }

  private async usageOf(
    region: string,
    context: RpcContext,
    timeoutMs?: number,
  ): Promise<UsageView> {
    const options = {
      context,
      ...(region === this.client.region ? {} : { region }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    };
    const [store, manifests] = await Promise.all([
      this.client.request(blobRpc.usage, {}, options),
      this.client.request(manifestRpc.usage, {}, options),
    ]);
    const stored = new Map(store.repositories.map((row) => [row.repository, row]));
    return {
      region,
      bytes: store.bytes,
      blobCount: store.blobs,
      manifestCount: manifests.repositories.reduce((sum, row) => sum + row.manifestCount, 0),
      ...(store.quotaBytes === undefined ? {} : { quotaBytes: store.quotaBytes }),
      repositories: manifests.repositories.map((row) => {
        const uploaded = stored.get(row.repository);
        return {
          name: row.repository,
          sizeBytes: row.sizeBytes,
          manifestCount: row.manifestCount,
          tagCount: row.tagCount,
          uploadedBytes: uploaded?.bytes ?? 0,
          ...(uploaded?.quotaBytes === undefined ? {} : { quotaBytes: uploaded.quotaBytes }),
        };
      }),
    };
  }
}
