/**
 * ACR's data-plane reads (`/acr/v1`), shaped as ACR answers them, so `az acr repository
 * show|show-tags|show-manifests` and ACR's SDKs work against Meridian:
 *
 *   GET /acr/v1/_catalog?n=&last=                          repositories the caller may read
 *   GET /acr/v1/{name}                                     the repository's attributes
 *   GET /acr/v1/{name}/_tags?n=&last=&orderby=&digest=     tags, by name or by time
 *   GET /acr/v1/{name}/_tags/{tag}
 *   GET /acr/v1/{name}/_manifests?n=&last=&orderby=        manifests, by digest or by time
 *   GET /acr/v1/{name}/_manifests/{digest}
 *
 * Authorized as ACR does, with the caller's token as on `/v2` (RegistryAccess): the catalog
 * needs `registry:catalog:*` and lists only what the token may read; everything else needs
 * `repository:{name}:metadata_read` (AcrPull and up, or a scope map's `metadata/read`).
 * Paging is `/v2`'s (`n`, `last`, a `Link` to the next page); `orderby` is `timedesc` or
 * `timeasc` (by last update), else by name. Errors are the OCI error body ACR answers too.
 * An image's architecture and os come from its config (image-platforms.ts), an index's
 * children's from the index.
 */
import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import {
  type AcrManifestInfo,
  type AcrOrderBy,
  type AcrTagInfo,
  RegistryError,
  acrRpc,
  assertUnreachable,
  manifestRpc,
} from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';
import { isDigest, isSupportedDigest, parsePagination } from '@meridian/oci';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthorizedByToken } from '../auth/authorize.decorator';
import { gatewayAuthConfigToken } from '../auth/auth-tokens';
import { catalogFilter } from '../auth/catalog-scope';
import { RegistryAccess } from '../auth/registry-access.service';
import type { RequiredAccess } from '../auth/required-access';
import type { GatewayAuthConfig } from '../config';
import { buildRpcContext } from '../http/build-rpc-context';
import { readQueryParam } from '../http/read-query-param';
import { writeJson } from '../http/write-response';
import { changeableAttributes, isListed } from './changeable-attributes';
import { ImagePlatforms } from './image-platforms';
import { type AcrRoute, parseAcrPath } from './parse-acr-path';

const catalogScope = { type: 'registry', name: 'catalog', actions: ['*'] };

@Controller()
export class AcrController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly access: RegistryAccess,
    private readonly platforms: ImagePlatforms,
    @Inject(gatewayAuthConfigToken) private readonly config: GatewayAuthConfig,
  ) {}

  @Get('acr/v1/*')
  @AuthorizedByToken()
  async read(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const route = parseAcrPath(request.url);
    const query = request.query as Record<string, string | string[]>;
    const page = parsePagination(query);
    const orderby = parseOrderBy(readQueryParam(request, 'orderby'));
    await this.access.authorizeAccess(requiredAccess(route), request);
    const options = { context: buildRpcContext(request) };

    if (route.kind === 'catalog') {
      if (page.n === 0) return writeJson(reply, 200, { repositories: [] });
      const listed = await this.rpc.request(
        manifestRpc.catalog,
        { n: page.n, last: page.last, ...catalogFilter(request) },
        options,
      );
      const repositories = listed.repositories.filter((repository) =>
        isListed(changeableAttributes({ repository })),
      );
      const next = listed.more ? listed.repositories.at(-1) : undefined;
      const n = page.n ?? listed.repositories.length;
      return writeJson(reply, 200, { repositories }, nextLink('/acr/v1/_catalog', n, next));
    }

    const image = { registry: this.config.registryName, imageName: route.name };
    switch (route.kind) {
      case 'repository': {
        const { name: _name, ...info } = await this.rpc.request(
          acrRpc.repository,
          { repository: route.name },
          options,
        );
        return writeJson(reply, 200, {
          ...image,
          ...info,
          changeableAttributes: changeableAttributes({ repository: route.name }),
        });
      }
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
        const tags = listed.tags
          .map((tag) => tagView(route.name, tag))
          .filter((tag) => isListed(tag.changeableAttributes));
        const next = listed.more ? listed.tags.at(-1)?.name : undefined;
        const n = page.n ?? listed.tags.length;
        const link = nextLink(`/acr/v1/${route.name}/_tags`, n, next, { orderby, digest });
        return writeJson(reply, 200, { ...image, tags }, link);
      }
      case 'tag': {
        const tag = await this.rpc.request(
          acrRpc.tag,
          { repository: route.name, tag: route.tag },
          options,
        );
        return writeJson(reply, 200, { ...image, tag: tagView(route.name, tag) });
      }
      case 'manifests': {
        if (page.n === 0) return writeJson(reply, 200, { ...image, manifests: [] });
        const listed = await this.rpc.request(
          acrRpc.manifests,
          { repository: route.name, n: page.n, last: page.last, orderby },
          options,
        );
        const manifests = (
          await Promise.all(
            listed.manifests.map((manifest) => manifestView(this.platforms, route.name, manifest)),
          )
        ).filter((manifest) => isListed(manifest.changeableAttributes));
        const next = listed.more ? listed.manifests.at(-1)?.digest : undefined;
        const n = page.n ?? listed.manifests.length;
        const link = nextLink(`/acr/v1/${route.name}/_manifests`, n, next, { orderby });
        return writeJson(reply, 200, { ...image, manifests }, link);
      }
      case 'manifest': {
        const manifest = await this.rpc.request(
          acrRpc.manifest,
          { repository: route.name, digest: route.digest },
          options,
        );
        const view = await manifestView(this.platforms, route.name, manifest);
        return writeJson(reply, 200, { ...image, manifest: view });
      }
      default:
        return assertUnreachable(route);
    }
  }
}

function requiredAccess(route: AcrRoute): RequiredAccess {
  const entry =
    route.kind === 'catalog'
      ? catalogScope
      : { type: 'repository', name: route.name, actions: ['metadata_read'] };
  return { needed: [entry], challenge: [entry] };
}

/** `timedesc` and `timeasc` as ACR names them; absent or empty, by name. */
function parseOrderBy(value: string | undefined): AcrOrderBy {
  if (value === undefined || value === '') return 'name';
  if (value === 'timedesc' || value === 'timeasc') return value;
  throw new RegistryError('REQUEST_INVALID', 'orderby must be timedesc or timeasc', {
    orderby: value,
  });
}

function tagView(repository: string, tag: AcrTagInfo) {
  return {
    ...tag,
    changeableAttributes: changeableAttributes({ repository, tag: tag.name }),
  };
}

/** ACR's manifest attributes: an image's platform and config type where the config says them. */
async function manifestView(
  platforms: ImagePlatforms,
  repository: string,
  { config, ...manifest }: AcrManifestInfo,
) {
  const platform = config === undefined ? {} : await platforms.of(config);
  return {
    ...manifest,
    ...platform,
    ...(config === undefined ? {} : { configMediaType: config.mediaType }),
    changeableAttributes: changeableAttributes({ repository, digest: manifest.digest }),
  };
}

/** The `Link` to the page after `last`, keeping the listing's order and filter; none at the end. */
function nextLink(
  path: string,
  n: number,
  last: string | undefined,
  keep: { orderby?: AcrOrderBy; digest?: string } = {},
): Record<string, string> {
  if (last === undefined) return {};
  const query = new URLSearchParams({ n: String(n), last });
  if (keep.orderby !== undefined && keep.orderby !== 'name') query.set('orderby', keep.orderby);
  if (keep.digest !== undefined) query.set('digest', keep.digest);
  return { link: `<${path}?${query.toString()}>; rel="next"` };
}
