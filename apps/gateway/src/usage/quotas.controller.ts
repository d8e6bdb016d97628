/**
 * Per-repository quotas in this region: the most bytes of blobs (each once) the repository
 * may see. An upload that would pass it is refused with DENIED; reaching 80% and 100% is
 * announced as `usage.threshold.v1` (webhook action `quota`).
 *
 *   GET /api/v1/quotas/{repository}   {"repository", "bytes"}   bytes null: no quota
 *   PUT /api/v1/quotas/{repository}   {"bytes": 1073741824}     null removes the quota
 *
 * 404 NAME_UNKNOWN for a repository nobody pushed a manifest to; 400 for a name or a byte
 * count that is not one, with nothing changed. The store's quota is the blob service's
 * MERIDIAN_STORAGE_QUOTA_BYTES.
 */
import { Controller, Get, Put, Req } from '@nestjs/common';
import { RegistryError, type RepositoryQuota, blobRpc, manifestRpc } from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';
import { isRepositoryName } from '@meridian/oci';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Authorize } from '../auth/authorize.decorator';
import { managementContext } from '../management/management-context';
import { readJsonBody, validInput } from '../management/read-json-input';

const prefix = '/api/v1/quotas/';

const PutBody = z.strictObject({
  bytes: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).nullable(),
});

@Controller('api/v1/quotas')
export class QuotasController {
  constructor(private readonly client: RpcClient) {}

  @Get('*')
  @Authorize('registry:read')
  async get(@Req() request: FastifyRequest): Promise<RepositoryQuota> {
    const options = managementContext(request);
    const repository = await this.knownRepository(request, options);
    return this.client.request(blobRpc.quotaGet, { repository }, options);
  }

  @Put('*')
  @Authorize('registry:write')
  async put(@Req() request: FastifyRequest): Promise<RepositoryQuota> {
    const options = managementContext(request);
    const body = validInput(PutBody, await readJsonBody(request.raw));
    const repository = await this.knownRepository(request, options);
    return this.client.request(blobRpc.quotaPut, { repository, bytes: body.bytes }, options);
  }

  /** The repository the path names; NAME_INVALID, or NAME_UNKNOWN when nobody pushed to it. */
  private async knownRepository(
    request: FastifyRequest,
    options: ReturnType<typeof managementContext>,
  ): Promise<string> {
    const path = request.url.split('?', 1)[0] ?? '';
    const repository = path.startsWith(prefix) ? path.slice(prefix.length) : '';
    if (!isRepositoryName(repository)) {
      throw new RegistryError('NAME_INVALID', 'invalid repository name', { name: repository });
    }
    await this.client.request(manifestRpc.usage, { repository }, options);
    return repository;
  }
}
