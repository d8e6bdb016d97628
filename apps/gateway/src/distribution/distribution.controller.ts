/**
 * The one route of the distribution API. Repository names contain slashes and may even
 * contain the API's own keywords (`a/blobs/b`), which no route pattern can express, so
 * every `/v2` request lands here and `parseDistributionPath` (libs/oci) matches the path
 * from its end, validating the name, tag or digest it holds before anything else runs.
 * Then RegistryAccess decides whether the caller's token allows the request (401 with a
 * challenge if not) and names the caller for the route handler behind it: the `*.routes.ts`
 * class of the resource, a provider this controller calls, never routed to by Nest itself.
 */
import { All, Controller, Req, Res } from '@nestjs/common';
import { RegistryError, assertUnreachable } from '@meridian/contracts';
import { type DistributionRoute, isOciValidationError, parseDistributionPath } from '@meridian/oci';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RegistryAccess } from '../auth/registry-access.service';
import { BaseRoutes } from './base.routes';
import { BlobRoutes } from '../blobs/blobs.routes';
import { CatalogRoutes } from '../catalog/catalog.routes';
import { ManifestRoutes } from '../manifests/manifests.routes';
import { ReferrerRoutes } from '../referrers/referrers.routes';
import { TagRoutes } from '../tags/tags.routes';
import { UploadRoutes } from '../uploads/uploads.routes';
import { RouteNotFoundError } from '../http/render-error';

@Controller()
export class DistributionController {
  constructor(
    private readonly access: RegistryAccess,
    private readonly base: BaseRoutes,
    private readonly manifests: ManifestRoutes,
    private readonly blobs: BlobRoutes,
    private readonly uploads: UploadRoutes,
    private readonly tags: TagRoutes,
    private readonly catalog: CatalogRoutes,
    private readonly referrers: ReferrerRoutes,
  ) {}

  @All(['v2', 'v2/*'])
  async dispatch(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const route = parseRoute(request);
    if (route === undefined)
      throw new RouteNotFoundError(request.method, request.url.split('?', 1)[0] ?? '');
    await this.access.authorize(route, request);
    switch (route.kind) {
      case 'base':
        return this.base.handle(request, reply);
      case 'catalog':
        return this.catalog.handle(request, reply);
      case 'tags':
        return this.tags.handle(route, request, reply);
      case 'manifest':
        return this.manifests.handle(route, request, reply);
      case 'blob':
        return this.blobs.handle(route, request, reply);
      case 'uploads':
        return this.uploads.start(route, request, reply);
      case 'upload':
        return this.uploads.handle(route, request, reply);
      case 'referrers':
        return this.referrers.handle(route, request, reply);
      default:
        return assertUnreachable(route);
    }
  }
}

/**
 * Reading or deleting a manifest by a tag that cannot exist finds nothing: 404
 * MANIFEST_UNKNOWN, as distribution answers and the conformance suite expects. Only a PUT,
 * which would create the tag, is told the tag is invalid.
 */
function parseRoute(request: FastifyRequest): DistributionRoute | undefined {
  try {
    return parseDistributionPath(request.url);
  } catch (error) {
    if (isOciValidationError(error) && error.code === 'TAG_INVALID' && request.method !== 'PUT') {
      throw new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown', error.detail);
    }
    throw error;
  }
}
