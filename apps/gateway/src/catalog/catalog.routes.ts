/**
 * `/v2/_catalog?n=&last=`: repositories in lexical order, paged like tag lists; only those the
 * caller may read (catalog-scope.ts).
 */
import { Injectable } from '@nestjs/common';
import { manifestRpc } from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';
import { buildLinkHeader, parsePagination } from '@meridian/oci';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { catalogFilter } from '../auth/catalog-scope';
import { buildRpcContext } from '../http/build-rpc-context';
import { methodNotAllowed } from '../http/method-not-allowed';
import { writeJson } from '../http/write-response';

@Injectable()
export class CatalogRoutes {
  constructor(private readonly rpc: RpcClient) {}

  async handle(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      throw methodNotAllowed(reply, request.method, ['GET', 'HEAD']);
    }
    const page = parsePagination(request.query as Record<string, string | string[]>);
    if (page.n === 0) return writeJson(reply, 200, { repositories: [] });
    const listed = await this.rpc.request(
      manifestRpc.catalog,
      { n: page.n, last: page.last, ...catalogFilter(request) },
      { context: buildRpcContext(request) },
    );
    const last = listed.repositories.at(-1);
    const headers =
      listed.more && last !== undefined
        ? { link: buildLinkHeader('/v2/_catalog', page.n ?? listed.repositories.length, last) }
        : {};
    writeJson(reply, 200, { repositories: listed.repositories }, headers);
  }
}
