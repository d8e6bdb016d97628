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
 * manifest names them). Each region answers for itself: a region's services are reachable
 * only on its own NATS, and a region cut off from its peers still answers at once.
 */
import { Controller, Get, Req } from '@nestjs/common';
import { blobRpc, manifestRpc } from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';
import type { FastifyRequest } from 'fastify';
import { Authorize } from '../auth/authorize.decorator';
import { buildRpcContext } from '../http/build-rpc-context';

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

@Controller('api/v1/usage')
export class UsageController {
  constructor(private readonly client: RpcClient) {}

  @Get()
  @Authorize('registry:read')
  async usage(@Req() request: FastifyRequest): Promise<UsageView> {
    const options = { context: buildRpcContext(request) };
    const [store, manifests] = await Promise.all([
      this.client.request(blobRpc.usage, {}, options),
      this.client.request(manifestRpc.usage, {}, options),
    ]);
    const stored = new Map(store.repositories.map((row) => [row.repository, row]));
    return {
      region: this.client.region,
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
