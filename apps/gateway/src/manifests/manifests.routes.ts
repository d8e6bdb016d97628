/**
 * `/v2/<name>/manifests/<reference>`: GET, HEAD, PUT, DELETE.
 *
 * Bodies are sent as the bytes that were pushed (never re-serialised: the digest is of
 * those bytes) with the media type the manifest service stored. A GET asks the manifest
 * service for the body only when the body cache does not hold it, so a hot manifest costs
 * one small RPC that resolves the reference and confirms the repository still has it.
 * A GET or HEAD this region cannot answer yet is tried at the peer regions (CatchUp), then,
 * for a repository a cache rule covers, at the rule's upstream (PullThrough), which also
 * re-checks a cached tag once its TTL has passed.
 * A GET that serves a body is announced to the webhooks (PullAnnouncer) after the answer is
 * written, without waiting.
 */
import { type OutgoingHttpHeaders } from 'node:http';
import { Injectable } from '@nestjs/common';
import { RegistryError, manifestRpc, maxManifestBytes } from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';
import { type DistributionRoute, digestLike } from '@meridian/oci';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { buildRpcContext } from '../http/build-rpc-context';
import { matchesIfNoneMatch } from '../http/matches-if-none-match';
import { methodNotAllowed } from '../http/method-not-allowed';
import { readWholeBody } from '../http/read-whole-body';
import { writeResponse } from '../http/write-response';
import { PullThrough } from '../pull-through/pull-through.service';
import { CatchUp } from '../replication/catch-up.service';
import { ManifestBodyCache } from './manifest-body.cache';
import { PullAnnouncer } from './pull-announcer';
import { requirePullable } from './require-pullable';

type ManifestRoute = Extract<DistributionRoute, { kind: 'manifest' }>;

@Injectable()
export class ManifestRoutes {
  constructor(
    private readonly rpc: RpcClient,
    private readonly bodies: ManifestBodyCache,
    private readonly catchUp: CatchUp,
    private readonly pulls: PullAnnouncer,
    private readonly pullThrough: PullThrough,
  ) {}

  async handle(route: ManifestRoute, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    switch (request.method) {
      case 'GET':
      case 'HEAD':
        return this.get(route, request, reply);
      case 'PUT':
        return this.put(route, request, reply);
      case 'DELETE':
        return this.delete(route, request, reply);
      default:
        throw methodNotAllowed(reply, request.method, ['GET', 'HEAD', 'PUT', 'DELETE']);
    }
  }

  private async get(
    route: ManifestRoute,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<void> {
    const context = buildRpcContext(request);
    const wantsBody = request.method === 'GET';
    const cached = route.referenceKind === 'digest' ? this.bodies.get(route.reference) : undefined;
    let found = await this.rpc
      .request(
        manifestRpc.get,
        {
          repository: route.name,
          reference: route.reference,
          // by tag the digest is unknown until resolved; the cache is tried after
          includeBody: wantsBody && route.referenceKind === 'digest' && cached === undefined,
        },
        { context },
      )
      .catch((miss: unknown) =>
        // not here yet: a peer region may have it (replication/catch-up.service.ts)
        this.catchUp.manifestAfterMiss(
          miss,
          { repository: route.name, reference: route.reference, includeBody: wantsBody },
          context,
        ),
      )
      .catch((miss: unknown) =>
        // no region has it: a cache rule's repository fetches it upstream (pull-through/)
        this.pullThrough.manifestAfterMiss(
          miss,
          { repository: route.name, reference: route.reference },
          context,
        ),
      );
    if (route.referenceKind === 'tag') {
      // a cached tag past its rule's TTL is checked upstream; a moved one is served anew
      const moved = await this.pullThrough.recheckTag(
        { repository: route.name, tag: route.reference, digest: found.digest },
        context,
      );
      if (moved) found = moved;
    }
    requirePullable(found, route.referenceKind, request.meridianIdentity);
    const etag = `"${found.digest}"`;
    const headers: OutgoingHttpHeaders = {
      'content-type': found.mediaType,
      'docker-content-digest': found.digest,
      etag,
    };
    if (matchesIfNoneMatch(request, etag)) return writeResponse(reply, 304, headers);
    headers['content-length'] = found.size;
    if (!wantsBody) return writeResponse(reply, 200, headers);

    let body = cached ?? this.bodies.get(found.digest);
    if (found.body !== undefined) {
      body = Buffer.from(found.body, 'base64');
      this.bodies.set(found.digest, body);
    }
    if (body === undefined) {
      const full = await this.rpc.request(
        manifestRpc.get,
        { repository: route.name, reference: found.digest, includeBody: true },
        { context },
      );
      if (full.body === undefined)
        throw new Error('the manifest service answered without the body asked for');
      body = Buffer.from(full.body, 'base64');
      this.bodies.set(found.digest, body);
    }
    writeResponse(reply, 200, headers, body);
    this.pulls.announce(
      {
        repository: route.name,
        digest: found.digest,
        mediaType: found.mediaType,
        size: found.size,
        ...(route.referenceKind === 'tag' ? { tag: route.reference } : {}),
      },
      context,
    );
  }

  private async put(
    route: ManifestRoute,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<void> {
    const body = await readWholeBody(request.raw, maxManifestBytes, manifestTooLarge);
    if (route.referenceKind === 'digest') {
      const actual = digestLike(route.reference, body);
      if (actual !== route.reference) {
        throw new RegistryError(
          'DIGEST_INVALID',
          'the manifest does not match the digest it was pushed by',
          {
            digest: route.reference,
            actual,
          },
        );
      }
    }
    const stored = await this.rpc.request(
      manifestRpc.put,
      {
        repository: route.name,
        reference: route.reference,
        contentType: request.headers['content-type'],
        body: body.toString('base64'),
      },
      { context: buildRpcContext(request) },
    );
    this.bodies.set(stored.digest, body);
    const headers: OutgoingHttpHeaders = {
      location: `/v2/${route.name}/manifests/${stored.digest}`,
      'docker-content-digest': stored.digest,
    };
    if (stored.subject !== undefined) headers['oci-subject'] = stored.subject;
    writeResponse(reply, 201, headers);
  }

  private async delete(
    route: ManifestRoute,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<void> {
    await this.rpc.request(
      manifestRpc.delete,
      { repository: route.name, reference: route.reference },
      { context: buildRpcContext(request) },
    );
    if (route.referenceKind === 'digest') this.bodies.delete(route.reference);
    writeResponse(reply, 202, {});
  }
}

function manifestTooLarge(): RegistryError {
  return new RegistryError(
    'MANIFEST_TOO_LARGE',
    `manifest exceeds ${maxManifestBytes / 1024 / 1024} MiB`,
    { limit: maxManifestBytes },
  );
}
