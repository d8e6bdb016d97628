/**
 * Soft delete (issue 14): while the registry's setting is on, every region keeps each
 * manifest deleted from its copy restorable for `retentionDays` (the manifest service).
 *
 *   GET  /api/v1/settings/soft-delete     {"enabled": false, "retentionDays": 7}      Owner
 *   PUT  /api/v1/settings/soft-delete     {"enabled": bool, "retentionDays": 1–90}    Owner
 *   GET  /api/v1/deleted?repository=R[&n=&last=]   the restorable manifests of R     Reader
 *   POST /api/v1/deleted/{repository}/{digest}/restore   pushes it back with its tags
 *                                                        (unless re-pointed since)   Contributor
 *
 * Bad input is refused (400 REQUEST_INVALID, NAME_INVALID, DIGEST_INVALID) and changes
 * nothing; a repository or digest with nothing restorable is 404 (NAME_UNKNOWN,
 * MANIFEST_UNKNOWN).
 */
import { Controller, Get, Post, Put, Req } from '@nestjs/common';
import {
  Digest,
  RegistryError,
  type RpcResponse,
  SoftDeletePolicy,
  softDeleteRpc as rpc,
} from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';
import { isRepositoryName } from '@meridian/oci';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Authorize } from '../auth/authorize.decorator';
import { managementContext } from '../management/management-context';
import { readJsonBody, validInput } from '../management/read-json-input';

const restorePrefix = '/api/v1/deleted/';
const restoreSuffix = '/restore';

const ListQuery = z.strictObject({
  repository: z.string(),
  n: z.coerce.number().int().positive().max(1000).optional(),
  last: z.string().max(256).optional(),
});

@Controller()
export class SoftDeleteController {
  constructor(private readonly client: RpcClient) {}

  @Get('api/v1/settings/soft-delete')
  @Authorize('identities:manage')
  setting(@Req() request: FastifyRequest): Promise<RpcResponse<typeof rpc.setting>> {
    return this.client.request(rpc.setting, {}, managementContext(request));
  }

  @Put('api/v1/settings/soft-delete')
  @Authorize('identities:manage')
  async setSetting(@Req() request: FastifyRequest): Promise<RpcResponse<typeof rpc.setSetting>> {
    const options = managementContext(request);
    const body = validInput(SoftDeletePolicy, await readJsonBody(request.raw));
    return this.client.request(rpc.setSetting, body, options);
  }

  @Get('api/v1/deleted')
  @Authorize('registry:read')
  list(@Req() request: FastifyRequest): Promise<RpcResponse<typeof rpc.listDeleted>> {
    const options = managementContext(request);
    const query = validInput(ListQuery, request.query);
    return this.client.request(
      rpc.listDeleted,
      { ...query, repository: repositoryName(query.repository) },
      options,
    );
  }

  @Post('api/v1/deleted/*')
  @Authorize('registry:write')
  restore(@Req() request: FastifyRequest): Promise<RpcResponse<typeof rpc.restore>> {
    const options = managementContext(request);
    const path = request.url.split('?', 1)[0] ?? '';
    if (!path.startsWith(restorePrefix) || !path.endsWith(restoreSuffix)) {
      throw new RegistryError('NOT_FOUND', 'no such route', { path });
    }
    const named = path.slice(restorePrefix.length, -restoreSuffix.length);
    const slash = named.lastIndexOf('/');
    const digest = decoded(named.slice(slash + 1));
    if (!Digest.safeParse(digest).success) {
      throw new RegistryError('DIGEST_INVALID', 'invalid digest', { digest });
    }
    const repository = repositoryName(slash < 0 ? '' : named.slice(0, slash));
    return this.client.request(rpc.restore, { repository, digest }, options);
  }
}

/** A path segment a client percent-encoded (`sha256%3A…`) as it was meant. */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new RegistryError('REQUEST_INVALID', 'the path does not decode', { segment });
  }
}

function repositoryName(name: string): string {
  if (!isRepositoryName(name)) {
    throw new RegistryError('NAME_INVALID', 'invalid repository name', { name });
  }
  return name;
}
