/**
 * `/v2/<name>/blobs/<digest>`: GET, HEAD, DELETE.
 *
 * The blob service says whether the repository sees the blob and how big it is; the bytes
 * come straight from the store, streamed (or, with an S3 store and redirects on, fetched
 * by the client itself from a presigned URL). A HEAD never touches the store. A blob this
 * region lacks but a peer region has is streamed from that peer's store (CatchUp); one no
 * region has, of a repository a cache rule covers, from the rule's upstream while it is
 * stored (pull-through/cached-blobs.ts). A HEAD stays local: it is a pusher's question.
 */
import { type OutgoingHttpHeaders } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable } from '@nestjs/common';
import { type BlobInfo, type ErrorCode, RegistryError, blobRpc } from '@meridian/contracts';
import { RpcClient, type RpcContext } from '@meridian/messaging';
import {
  type ByteRange,
  type DistributionRoute,
  isOciValidationError,
  parseRangeHeader,
} from '@meridian/oci';
import {
  type StorageDriver,
  StorageNotFoundError,
  blobKey,
  storageDriverToken,
} from '@meridian/storage';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { buildRpcContext } from '../http/build-rpc-context';
import { matchesIfNoneMatch } from '../http/matches-if-none-match';
import { methodNotAllowed } from '../http/method-not-allowed';
import { writeResponse } from '../http/write-response';
import { CachedBlobs } from '../pull-through/cached-blobs';
import { CacheTargets } from '../pull-through/cache-targets';
import { CatchUp, isCannotTell } from '../replication/catch-up.service';

type BlobRoute = Extract<DistributionRoute, { kind: 'blob' }>;

interface FoundBlob {
  info: BlobInfo;
  store: StorageDriver;
}

/** Answers that mean "this region does not have it": a cache rule's repository fetches it. */
const blobMisses: readonly ErrorCode[] = ['BLOB_UNKNOWN', 'NAME_UNKNOWN'];

/** How long a presigned download URL stays valid: long enough for a slow multi-GiB pull to start. */
const presignedUrlSeconds = 20 * 60;

@Injectable()
export class BlobRoutes {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(storageDriverToken) private readonly storage: StorageDriver,
    @InjectLogger() private readonly logger: Logger,
    private readonly catchUp: CatchUp,
    private readonly cacheTargets: CacheTargets,
    private readonly cachedBlobs: CachedBlobs,
  ) {}

  async handle(route: BlobRoute, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    switch (request.method) {
      case 'GET':
      case 'HEAD':
        return this.get(route, request, reply);
      case 'DELETE':
        return this.delete(route, request, reply);
      default:
        throw methodNotAllowed(reply, request.method, ['GET', 'HEAD', 'DELETE']);
    }
  }

  private async get(
    route: BlobRoute,
    request: FastifyRequest,
    reply: FastifyReply,
    afterCache = false,
  ): Promise<void> {
    const context = buildRpcContext(request);
    const found = await this.find(route, request, context).catch(async (miss: unknown) => {
      // a cache rule's repository: fetched from its upstream while stored (pull-through/)
      const cached =
        request.method === 'GET' &&
        !afterCache &&
        (await this.cacheTargets.coversMiss(miss, route.name, blobMisses));
      if (!cached) throw miss;
      return this.cachedBlobs.fetch(
        { repository: route.name, digest: route.digest },
        reply,
        context,
      );
    });
    // answered by the cache, or stored by another pull meanwhile and now served from here
    if (found === true) return;
    if (found === false) return this.get(route, request, reply, true);
    const blob = found.info;
    const etag = `"${blob.digest}"`;
    const headers: OutgoingHttpHeaders = {
      'docker-content-digest': blob.digest,
      etag,
      'accept-ranges': 'bytes',
    };
    if (matchesIfNoneMatch(request, etag)) return writeResponse(reply, 304, headers);
    const range = this.requestedRange(request, reply, blob);

    if (request.method === 'GET') {
      const url = await found.store.presignGet(blobKey(blob.digest), presignedUrlSeconds);
      if (url !== undefined) return writeResponse(reply, 307, { ...headers, location: url });
    }
    headers['content-type'] = 'application/octet-stream';
    headers['content-length'] = range === undefined ? blob.size : range.end - range.start + 1;
    if (range !== undefined)
      headers['content-range'] = `bytes ${range.start}-${range.end}/${blob.size}`;
    const status = range === undefined ? 200 : 206;
    if (request.method === 'HEAD') return writeResponse(reply, status, headers);

    const body = await this.openBlob(found.store, blob, range);
    reply.hijack();
    reply.raw.writeHead(status, headers);
    await pipeline(body, reply.raw);
  }

  /** The blob here, or at a peer region while this one catches up (CatchUp). */
  private find(route: BlobRoute, request: FastifyRequest, context: RpcContext): Promise<FoundBlob> {
    return this.rpc
      .request(blobRpc.stat, { repository: route.name, digest: route.digest }, { context })
      .then((info) => ({ info, store: this.storage }))
      .catch((miss: unknown) =>
        // not here yet: stream it from the store of a peer region that has it
        this.catchUp
          .blobAfterMiss(miss, { repository: route.name, digest: route.digest }, context)
          .catch((error: unknown) => {
            // A blob HEAD is how a pusher decides whether to upload: "unknown" costs it one
            // upload and never a wrong image, where 503 would fail its push while this
            // region's replication service restarts. A GET (a pull) is told 503.
            if (request.method === 'HEAD' && isCannotTell(error)) throw miss;
            throw error;
          }),
      );
  }

  private async delete(
    route: BlobRoute,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<void> {
    await this.rpc.request(
      blobRpc.delete,
      { repository: route.name, digest: route.digest },
      { context: buildRpcContext(request) },
    );
    writeResponse(reply, 202, {});
  }

  /** The part asked for with `Range`; a bad one is refused with `Content-Range: bytes *\/size`. */
  private requestedRange(
    request: FastifyRequest,
    reply: FastifyReply,
    blob: BlobInfo,
  ): ByteRange | undefined {
    const header = request.headers.range;
    if (header === undefined) return undefined;
    try {
      return parseRangeHeader(header, blob.size);
    } catch (error) {
      if (isOciValidationError(error)) void reply.header('content-range', `bytes */${blob.size}`);
      throw error;
    }
  }

  private async openBlob(store: StorageDriver, blob: BlobInfo, range: ByteRange | undefined) {
    try {
      return await store.read(blobKey(blob.digest), range);
    } catch (error) {
      if (!(error instanceof StorageNotFoundError)) throw error;
      // the blob service knows the blob but the store lost it: an operator's problem
      this.logger.warn({ digest: blob.digest }, 'blob missing from the store');
      throw new RegistryError('BLOB_UNKNOWN', 'blob unknown to registry', { digest: blob.digest });
    }
  }
}
