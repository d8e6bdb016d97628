/**
 * `/v2/<name>/tags/list?n=&last=`: tags in lexical order, a `Link` header when more follow.
 * `n=0` is answered with an empty list without asking anyone (distribution-spec 1.1).
 */
import { Injectable } from '@nestjs/common';
import { manifestRpc } from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';
import { type DistributionRoute, buildLinkHeader, parsePagination } from '@meridian/oci';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { buildRpcContext } from '../http/build-rpc-context';
import { methodNotAllowed } from '../http/method-not-allowed';
import { writeJson } from '../http/write-response';

type TagsRoute = Extract<DistributionRoute, { kind: 'tags' }>;

@Injectable()
export class TagRoutes {
  constructor(private readonly rpc: RpcClient) {}

  async handle(route: TagsRoute, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      throw methodNotAllowed(reply, request.method, ['GET', 'HEAD']);
    }
    const page = parsePagination(request.query as Record<string, string | string[]>);
    if (page.n === 0) return writeJson(reply, 200, { name: route.name, tags: [] });
    const listed = await this.rpc.request(
      manifestRpc.tags,
      { repository: route.name, n: page.n, last: page.last },
      { context: buildRpcContext(request) },
    );
    const last = listed.tags.at(-1);
    const headers =
      listed.more && last !== undefined
        ? {
            link: buildLinkHeader(
              `/v2/${route.name}/tags/list`,
              page.n ?? listed.tags.length,
              last,
            ),
          }
        : {};
    writeJson(reply, 200, { name: listed.name, tags: listed.tags }, headers);
  }
}
