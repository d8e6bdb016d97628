/**
 * ACR's data-plane API (`/acr/v1`), shaped as ACR answers it, so `az acr repository
 * show|show-tags|show-manifests|update|delete` and ACR's SDKs work against Meridian:
 *
 *   GET    /acr/v1/_catalog?n=&last=                        repositories the caller may read
 *   GET    /acr/v1/{name}                                   the repository's attributes
 *   GET    /acr/v1/{name}/_tags?n=&last=&orderby=&digest=   tags, by name or by time
 *   GET    /acr/v1/{name}/_tags/{tag}
 *   GET    /acr/v1/{name}/_manifests?n=&last=&orderby=      manifests, by digest or by time
 *   GET    /acr/v1/{name}/_manifests/{digest}
 *   PATCH  /acr/v1/{name}[/_tags/{tag}|/_manifests/{digest}] sets changeable attributes (locks):
 *          200 with the item as its GET answers it
 *   PATCH  /acr/v1/{name}/_manifests/{digest}               or decides a quarantined image
 *          {"quarantineState": "Passed"|"Failed", "quarantineDetails": "…"} (AcrQuarantineWriter)
 *   DELETE /acr/v1/{name}                                   the repository, in every region: 202
 *   DELETE /acr/v1/{name}/_tags/{tag}                       the tag: 202
 *   DELETE /acr/v1/{name}/_manifests/{digest}               the manifest and its tags: 202
 *
 * Authorized as ACR does, with the caller's token as on `/v2` (RegistryAccess): the catalog
 * needs `registry:catalog:*` and lists only what the token may read; reads need
 * `repository:{name}:metadata_read` (AcrPull and up, or a scope map's `metadata/read`), a
 * PATCH of attributes `metadata_write` (Contributor, Owner, `metadata/write`), a DELETE
 * `delete` as on `/v2`. A quarantine decision needs the quarantine writer's role instead
 * (ManagementAuthGuard's `quarantine:write`): only the body tells which PATCH it is.
 * Paging is `/v2`'s (`n`, `last`, a `Link` to the next page); `orderby` is `timedesc` or
 * `timeasc` (by last update), else by name. Errors are the OCI error body ACR answers too.
 * The manifest service answers every item with its changeable attributes and leaves
 * `listEnabled=false` items out of its listings, and it enforces the locks: a locked delete
 * comes back as its 403 DENIED naming the lock. The deletes are the `/v2` DELETE's RPCs, so
 * they emit the same events (webhooks' `delete` action, replication).
 * An image's architecture and os come from its config (image-platforms.ts), an index's
 * children's from the index.
 */
import { Controller, Delete, Get, Inject, Patch, Req, Res } from '@nestjs/common';
import {
  type AcrOrderBy,
  RegistryError,
  acrRpc,
  assertUnreachable,
  manifestRpc,
} from '@meridian/contracts';
import { RpcClient, type RpcContext } from '@meridian/messaging';
import { isDigest, isSupportedDigest, parsePagination } from '@meridian/oci';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthorizedByToken } from '../auth/authorize.decorator';
import { gatewayAuthConfigToken } from '../auth/auth-tokens';
import { catalogFilter } from '../auth/catalog-scope';
import { ManagementAuthGuard } from '../auth/management-auth.guard';
import { RegistryAccess } from '../auth/registry-access.service';
import type { GatewayAuthConfig } from '../config';
import { buildRpcContext } from '../http/build-rpc-context';
import { methodNotAllowed } from '../http/method-not-allowed';
import { readQueryParam } from '../http/read-query-param';
import { writeJson, writeResponse } from '../http/write-response';
import { managementContext } from '../management/management-context';
import { ManifestBodyCache } from '../manifests/manifest-body.cache';
import { type AcrItemRoute, isItemRoute, requiredAcrAccess } from './acr-access';
import { manifestView, nextLink } from './acr-views';
import { ImagePlatforms } from './image-platforms';
import { type AcrRoute, parseAcrPath } from './parse-acr-path';
import { readAcrPatch, validAttributes, validQuarantineDecision } from './read-acr-patch';

@Controller()
export class AcrController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly access: RegistryAccess,
    private readonly managementAuth: ManagementAuthGuard,
    private readonly platforms: ImagePlatforms,
    private readonly bodies: ManifestBodyCache,
    @Inject(gatewayAuthConfigToken) private readonly config: GatewayAuthConfig,
  ) {}

  @Get('acr/v1/*')
  @AuthorizedByToken()
  async read(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const route = parseAcrPath(request.url);
    const query = request.query as Record<string, string | string[]>;
    const page = parsePagination(query);
    const orderby = parseOrderBy(readQueryParam(request, 'orderby'));
    await this.access.authorizeAccess(requiredAcrAccess(route, 'GET'), request);
    const options = { context: buildRpcContext(request) };

    if (route.kind === 'catalog') {
      if (page.n === 0) return writeJson(reply, 200, { repositories: [] });
      const listed = await this.rpc.request(
        manifestRpc.catalog,
        { n: page.n, last: page.last, ...catalogFilter(request) },
        options,
      );
      const next = listed.more ? listed.repositories.at(-1) : undefined;
      const n = page.n ?? listed.repositories.length;
      return writeJson(
        reply,
        200,
        { repositories: listed.repositories },
        nextLink('/acr/v1/_catalog', n, next),
      );
    }

    const image = this.image(route.name);
    switch (route.kind) {
      case 'tags': {
        const digest = readQueryParam(request, 'digest') || undefined;
        if (digest !== undefined && !(isDigest(digest) && isSupportedDigest(digest))) {
          throw new RegistryError('DIGEST_INVALID', 'invalid or unsupported digest', { digest });
        }
        if (page.n === 0) return writeJson(reply, 200, { ...image, tags: [] });
        const listed = await this.rpc.request(
          acrRpc.tags,
          { repository: route.name, n: page.n, last: page.last, orderby, digest },
          options,
        );
        const next = listed.more ? listed.tags.at(-1)?.name : undefined;
        const n = page.n ?? listed.tags.length;
        const link = nextLink(`/acr/v1/${route.name}/_tags`, n, next, { orderby, digest });
        return writeJson(reply, 200, { ...image, tags: listed.tags }, link);
      }
      case 'manifests': {
        if (page.n === 0) return writeJson(reply, 200, { ...image, manifests: [] });
        const listed = await this.rpc.request(
          acrRpc.manifests,
          { repository: route.name, n: page.n, last: page.last, orderby },
          options,
        );
        const manifests = await Promise.all(
          listed.manifests.map((manifest) => manifestView(this.platforms, manifest)),
        );
        const next = listed.more ? listed.manifests.at(-1)?.digest : undefined;
        const n = page.n ?? listed.manifests.length;
        const link = nextLink(`/acr/v1/${route.name}/_manifests`, n, next, { orderby });
        return writeJson(reply, 200, { ...image, manifests }, link);
      }
      case 'repository':
      case 'tag':
      case 'manifest':
        return writeJson(reply, 200, await this.item(route, options.context));
      default:
        return assertUnreachable(route);
    }
  }

  /** Sets changeable attributes and answers the item as its GET does; or decides quarantine. */
  @Patch('acr/v1/*')
  @AuthorizedByToken()
  async update(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const route = itemRoute(parseAcrPath(request.url), request, reply);
    const patch = await readAcrPatch(request, route);

    if (patch.kind === 'quarantine' && route.kind === 'manifest') {
      await this.managementAuth.requirePermission(request, 'quarantine:write');
      const decision = validQuarantineDecision(patch.body);
      await this.rpc.request(
        manifestRpc.decideQuarantine,
        {
          repository: route.name,
          digest: route.digest,
          state: decision.quarantineState === 'Passed' ? 'passed' : 'failed',
          details: decision.quarantineDetails,
          onlyIfQuarantined: false,
        },
        managementContext(request),
      );
      return writeJson(reply, 200, decision);
    }

    await this.access.authorizeAccess(requiredAcrAccess(route, 'PATCH'), request);
    const attributes = validAttributes(patch.body);
    const context = buildRpcContext(request);
    await this.rpc.request(
      acrRpc.updateAttributes,
      { repository: route.name, target: lockTarget(route), attributes },
      { context },
    );
    return writeJson(reply, 200, await this.item(route, context));
  }

  /**
   * Deletes as `/v2` DELETE does (the same RPCs, so the same events and webhooks), answered
   * 202 as ACR answers, without a body for a tag or manifest. ACR lists a deleted
   * repository's manifests and tags; the manifest service counts them only, so that answer
   * is `{"deletedManifests": n}`.
   */
  @Delete('acr/v1/*')
  @AuthorizedByToken()
  async remove(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const route = itemRoute(parseAcrPath(request.url), request, reply);
    await this.access.authorizeAccess(requiredAcrAccess(route, 'DELETE'), request);
    const options = { context: buildRpcContext(request) };
    switch (route.kind) {
      case 'repository': {
        const deleted = await this.rpc.request(
          manifestRpc.deleteRepository,
          { repository: route.name },
          options,
        );
        return writeJson(reply, 202, deleted);
      }
      case 'tag':
        await this.rpc.request(
          manifestRpc.delete,
          { repository: route.name, reference: route.tag },
          options,
        );
        return writeResponse(reply, 202, {});
      case 'manifest':
        await this.rpc.request(
          manifestRpc.delete,
          { repository: route.name, reference: route.digest },
          options,
        );
        this.bodies.delete(route.digest);
        return writeResponse(reply, 202, {});
      default:
        return assertUnreachable(route);
    }
  }

  private image(name: string) {
    return { registry: this.config.registryName, imageName: name };
  }

  /** A repository, tag or manifest as ACR shows one. */
  private async item(route: AcrItemRoute, context: RpcContext): Promise<Record<string, unknown>> {
    const image = this.image(route.name);
    switch (route.kind) {
      case 'repository': {
        const { name: _name, ...info } = await this.rpc.request(
          acrRpc.repository,
          { repository: route.name },
          { context },
        );
        return { ...image, ...info };
      }
      case 'tag': {
        const tag = await this.rpc.request(
          acrRpc.tag,
          { repository: route.name, tag: route.tag },
          { context },
        );
        return { ...image, tag };
      }
      case 'manifest': {
        const manifest = await this.rpc.request(
          acrRpc.manifest,
          { repository: route.name, digest: route.digest },
          { context },
        );
        return { ...image, manifest: await manifestView(this.platforms, manifest) };
      }
      default:
        return assertUnreachable(route);
    }
  }
}

/** PATCH and DELETE name one item; the catalog and the listings only answer GET. */
function itemRoute(route: AcrRoute, request: FastifyRequest, reply: FastifyReply): AcrItemRoute {
  if (!isItemRoute(route)) throw methodNotAllowed(reply, request.method, ['GET']);
  return route;
}

function lockTarget(route: AcrItemRoute) {
  switch (route.kind) {
    case 'repository':
      return { kind: 'repository' } as const;
    case 'tag':
      return { kind: 'tag', tag: route.tag } as const;
    case 'manifest':
      return { kind: 'manifest', digest: route.digest } as const;
    default:
      return assertUnreachable(route);
  }
}

/** `timedesc` and `timeasc` as ACR names them; absent or empty, by name. */
function parseOrderBy(value: string | undefined): AcrOrderBy {
  if (value === undefined || value === '') return 'name';
  if (value === 'timedesc' || value === 'timeasc') return value;
  throw new RegistryError('REQUEST_INVALID', 'orderby must be timedesc or timeasc', {
    orderby: value,
  });
}
