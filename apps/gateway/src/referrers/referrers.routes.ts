/**
 * `/v2/<name>/referrers/<digest>?artifactType=`: an OCI image index of the manifests whose
 * `subject` is the digest. distribution-spec 1.1 forbids a 404 here: a subject nobody
 * refers to, or that does not exist yet, or a repository not pushed to yet, all get an
 * empty index.
 */
import { Injectable } from '@nestjs/common';
import { type Descriptor, isRegistryError, manifestRpc } from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';
import { type DistributionRoute, mediaTypes } from '@meridian/oci';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { buildRpcContext } from '../http/build-rpc-context';
import { methodNotAllowed } from '../http/method-not-allowed';
import { readQueryParam } from '../http/read-query-param';
import { writeJson } from '../http/write-response';

type ReferrersRoute = Extract<DistributionRoute, { kind: 'referrers' }>;

@Injectable()
export class ReferrerRoutes {
  constructor(private readonly rpc: RpcClient) {}

  async handle(route: ReferrersRoute, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      throw methodNotAllowed(reply, request.method, ['GET', 'HEAD']);
    }
    const artifactType = readQueryParam(request, 'artifactType') || undefined;
    const manifests = await this.referrers(route, artifactType, request);
    writeJson(
      reply,
      200,
      { schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests },
      {
        'content-type': mediaTypes.ociIndex,
        ...(artifactType !== undefined ? { 'oci-filters-applied': 'artifactType' } : {}),
      },
    );
  }

  private async referrers(
    route: ReferrersRoute,
    artifactType: string | undefined,
    request: FastifyRequest,
  ): Promise<Descriptor[]> {
    try {
      const found = await this.rpc.request(
        manifestRpc.referrers,
        { repository: route.name, digest: route.digest, artifactType },
        { context: buildRpcContext(request) },
      );
      return found.manifests;
    } catch (error) {
      if (isRegistryError(error) && error.code === 'NAME_UNKNOWN') return [];
      throw error;
    }
  }
}
