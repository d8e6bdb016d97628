/**
 * The pull-through cache's blobs (docs/architecture.md, "Artifact cache"). A blob GET of a
 * repository a cache rule covers that neither this region nor a peer has is streamed from
 * the upstream to the client and into this region's store in one pass: the bytes are hashed
 * on the way and the last chunk is held back until digest and size match (libs/storage's
 * verifyDigest), so the store's put never completes for wrong bytes and the client, which
 * never waits for the whole blob to land, gets a short body it refuses. Once stored, the blob
 * is linked to the repository, so the import that keeps the image mounts it.
 *
 * One fetch per digest: pulls of a blob being fetched wait for it (the gateway's workers
 * share the lock through the primary, as uploads do), then find it stored, link it to their
 * repository and serve it from the store. A waiter gives up after the lock's bound with 503.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import { PassThrough } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { blobRpc } from '@meridian/contracts';
import { RpcClient, type RpcContext } from '@meridian/messaging';
import { ImportFailure } from '@meridian/outbound';
import { type StorageDriver, blobKey, storageDriverToken, verifyDigest } from '@meridian/storage';
import { InjectLogger, type Logger, metrics } from '@meridian/telemetry';
import type { FastifyReply } from 'fastify';
import { UploadLocks } from '../uploads/upload-locks';
import { type CacheUpstream, CacheTargets } from './cache-targets';
import { upstreamPullError } from './upstream-pull-error';

@Injectable()
export class CachedBlobs {
  constructor(
    private readonly rpc: RpcClient,
    private readonly targets: CacheTargets,
    @Inject(storageDriverToken) private readonly store: StorageDriver,
    private readonly locks: UploadLocks,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  /**
   * Streams the blob from the upstream while storing it: true once answered; false when
   * another pull stored it meanwhile (it is linked to `repository` now: serve it locally).
   * Throws the pull's error when the upstream fails before an answer is started.
   */
  fetch(
    request: { repository: string; digest: string },
    reply: FastifyReply,
    context: RpcContext,
  ): Promise<boolean> {
    return this.locks.run(
      `pull-through:${request.digest}`,
      () => this.fetchOnce(request, reply, context),
      'another pull is still fetching the blob from the upstream',
    );
  }

  private async fetchOnce(
    { repository, digest }: { repository: string; digest: string },
    reply: FastifyReply,
    context: RpcContext,
  ): Promise<boolean> {
    const stored = await this.store.stat(blobKey(digest));
    if (stored) {
      await this.rpc.request(blobRpc.link, { repository, digest, size: stored.size }, { context });
      return false;
    }
    const upstream = await this.targets.upstream(repository, context);
    const what = `blob ${digest}`;
    let blob;
    try {
      blob = await upstream.client.blob(upstream.repository, digest);
    } catch (error) {
      throw this.failed(error, upstream, what);
    }
    if (blob.length === undefined || !Number.isSafeInteger(blob.length)) {
      blob.stream.destroy();
      throw this.failed(
        new ImportFailure('UPSTREAM_INVALID', `the upstream sent ${what} without a Content-Length`),
        upstream,
        what,
      );
    }
    const size = blob.length;
    const verified = verifyDigest({ digest, size });
    const toStore = new PassThrough();
    blob.stream.on('error', (error) => verified.destroy(error));
    verified.on('error', (error) => {
      toStore.destroy(error);
      // the client has not had the last chunk: its body is short, and it refuses it
      reply.raw.destroy();
    });
    const headers: OutgoingHttpHeaders = {
      'content-type': 'application/octet-stream',
      'content-length': size,
      'docker-content-digest': digest,
      etag: `"${digest}"`,
    };
    reply.hijack();
    reply.raw.writeHead(200, headers);
    // a client that goes away is unpiped; the store still gets every byte
    verified.pipe(toStore);
    verified.pipe(reply.raw);
    blob.stream.pipe(verified);
    try {
      await this.store.put(blobKey(digest), toStore, size);
      await this.rpc.request(blobRpc.link, { repository, digest, size }, { context });
      this.logger.debug({ repository, digest, size }, 'blob fetched through the cache');
    } catch (error) {
      reply.raw.destroy();
      const failure = this.failed(error, upstream, what);
      this.logger.warn(
        { repository, digest, err: failure },
        'failed to fetch a blob through the cache',
      );
    }
    return true;
  }

  private failed(error: unknown, upstream: CacheUpstream, what: string) {
    const failure = upstreamPullError(error, upstream, what);
    metrics().cacheUpstreamFailures.add(1, { rule: upstream.rule.name, reason: failure.reason });
    return failure.error;
  }
}
