/**
 * `/v2/<name>/blobs/uploads/` (POST) and `/v2/<name>/blobs/uploads/<uuid>` (GET, PATCH, PUT,
 * DELETE): blob pushes, monolithic or chunked, and cross-repository mounts.
 *
 * The blob service keeps each session (its offset and the driver's state); the gateway
 * streams the bytes into the store, hashing them as they pass, and tells the blob
 * service where the session now stands. A blob is committed only once the gateway has
 * checked that everything uploaded hashes to the digest the client named.
 *
 * A mount with `from` was authorized (pull on `from`) before these routes ran; a mount
 * without `from` is attempted only for callers who may read every repository.
 */
import { Inject, Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import {
  RegistryError,
  type UploadSession,
  type UploadState,
  blobRpc,
  maxUploadPutBytes,
} from '@meridian/contracts';
import { type RpcContext, RpcClient } from '@meridian/messaging';
import {
  type DistributionRoute,
  OciValidationError,
  isRepositoryName,
  isUploadId,
  parseContentRange,
  parseDigest,
} from '@meridian/oci';
import { type StorageDriver, storageDriverToken } from '@meridian/storage';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mayReadEveryRepository } from '../auth/management-permissions';
import { buildRpcContext } from '../http/build-rpc-context';
import { methodNotAllowed } from '../http/method-not-allowed';
import { readQueryParam } from '../http/read-query-param';
import { readWholeBody } from '../http/read-whole-body';
import { declaredContentLength, hasRequestBody } from '../http/request-body';
import { writeResponse } from '../http/write-response';
import { appendChunk } from './append-chunk';
import { UploadDigesters } from './upload-digesters';
import { blobLocation, uploadHeaders } from './upload-headers';
import { UploadLocks } from './upload-locks';
import { UploadStates, type VerifiedUploadState, uploadStateParam } from './upload-states';

type UploadsRoute = Extract<DistributionRoute, { kind: 'uploads' }>;
type UploadRoute = Extract<DistributionRoute, { kind: 'upload' }>;

@Injectable()
export class UploadRoutes {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(storageDriverToken) private readonly storage: StorageDriver,
    private readonly digesters: UploadDigesters,
    private readonly locks: UploadLocks,
    private readonly states: UploadStates,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  /** POST: a new session, a mount (`?mount=&from=`), or a whole blob in one request (`?digest=`). */
  async start(route: UploadsRoute, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (request.method !== 'POST') throw methodNotAllowed(reply, request.method, ['POST']);
    const context = buildRpcContext(request);
    const mount = readQueryParam(request, 'mount') || undefined;
    const digest = readQueryParam(request, 'digest');
    if (mount !== undefined) return this.mount(route, mount, request, reply, context);
    if (digest !== undefined) parseDigest(digest);

    // A plain POST opens a session the blob service hears of only when it takes bytes; a
    // small whole blob in the POST goes to it as a PUT to such a session would: one RPC.
    const small = digest === undefined || isSmallWholeBody(request);
    const opened = small ? this.states.open(route.name) : undefined;
    if (opened) {
      const upload = { name: route.name, uploadId: opened.uploadId, opened };
      if (digest !== undefined) return this.putWhole(upload, request, reply, context);
      return writeResponse(
        reply,
        202,
        uploadHeaders(route.name, { uploadId: opened.uploadId, offset: 0 }, opened.token),
      );
    }

    // a whole blob in one request says its size: the quotas are checked before it is read
    const size = digest === undefined ? undefined : declaredContentLength(request.raw);
    const started = await this.rpc.request(
      blobRpc.uploadStart,
      {
        repository: route.name,
        ...(size === undefined ? {} : { expected: { size, digest } }),
      },
      { context },
    );
    if (started.kind !== 'session')
      throw new Error('the blob service mounted a blob it was not asked to');
    if (digest === undefined)
      return writeResponse(reply, 202, uploadHeaders(route.name, started.session));
    const upload = { name: route.name, uploadId: started.session.uploadId, opened: undefined };
    return this.finish(upload, started.session, digest, request, reply, context);
  }

  async handle(route: UploadRoute, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const allowed = ['GET', 'HEAD', 'PATCH', 'PUT', 'DELETE'];
    if (!allowed.includes(request.method)) throw methodNotAllowed(reply, request.method, allowed);
    // not a uuid: no session has that id, and the blob service need not be asked
    if (!isUploadId(route.uploadId)) throw uploadUnknown(route.uploadId);
    const context = buildRpcContext(request);
    const uploadId = route.uploadId.toLowerCase();
    const opened = this.states.verify(
      route.name,
      uploadId,
      readQueryParam(request, uploadStateParam),
    );
    const upload: Upload = { name: route.name, uploadId, opened };
    if (request.method === 'DELETE') return this.cancel(upload, reply, context);

    return this.locks.run(uploadId, async () => {
      if (request.method === 'PUT' && isSmallWholeBody(request))
        return this.putWhole(upload, request, reply, context);
      const session = await this.rpc.request(
        blobRpc.uploadGet,
        {
          repository: route.name,
          uploadId,
          ...deferredOf(upload),
          // bytes are coming: a session the gateway opened needs its place in the store now
          ...(opened && request.method !== 'GET' && request.method !== 'HEAD'
            ? { open: true }
            : {}),
        },
        { context },
      );
      switch (request.method) {
        case 'PATCH':
          return this.patch(upload, session, request, reply, context);
        case 'PUT':
          return this.close(upload, session, request, reply, context);
        default:
          return writeResponse(reply, 204, uploadHeaders(route.name, session, opened?.token));
      }
    });
  }

  private async mount(
    route: UploadsRoute,
    digest: string,
    request: FastifyRequest,
    reply: FastifyReply,
    context: RpcContext,
  ): Promise<void> {
    parseDigest(digest);
    const from = readQueryParam(request, 'from') || undefined;
    if (from !== undefined && !isRepositoryName(from)) {
      throw new OciValidationError('NAME_INVALID', 'invalid repository name to mount from', {
        from,
      });
    }
    // Without `from`, the blob service takes the blob from any repository that has it: only
    // a caller who may read every repository may have that; anyone else gets a plain session.
    const mountable = from !== undefined || mayReadEveryRepository(request.meridianIdentity);
    const started = await this.rpc.request(
      blobRpc.uploadStart,
      mountable ? { repository: route.name, mount: { digest, from } } : { repository: route.name },
      { context },
    );
    if (started.kind === 'session')
      return writeResponse(reply, 202, uploadHeaders(route.name, started.session));
    writeResponse(reply, 201, {
      location: blobLocation(route.name, started.blob.digest),
      'docker-content-digest': started.blob.digest,
    });
  }

  private async patch(
    upload: Upload,
    session: UploadSession,
    request: FastifyRequest,
    reply: FastifyReply,
    context: RpcContext,
  ): Promise<void> {
    const { name } = upload;
    const expectedBytes = this.chunkLength(upload, session, request, reply);
    const digester = await this.digesters.take(session);
    const state = await appendChunk({
      storage: this.storage,
      uploadId: session.uploadId,
      state: session.state,
      body: request.raw,
      digester,
      expectedBytes,
    });
    const advanced = await this.rpc.request(
      blobRpc.uploadAdvance,
      { repository: name, uploadId: session.uploadId, fromOffset: session.offset, state },
      { context },
    );
    if (digester.size === advanced.offset) this.digesters.keep(session.uploadId, digester);
    writeResponse(reply, 202, uploadHeaders(name, advanced, upload.opened?.token));
  }

  /** PUT `?digest=`: the last chunk, if the request has one, then the check and the commit. */
  private async close(
    upload: Upload,
    session: UploadSession,
    request: FastifyRequest,
    reply: FastifyReply,
    context: RpcContext,
  ): Promise<void> {
    return this.finish(upload, session, closingDigest(request), request, reply, context);
  }

  /**
   * PUT `?digest=` with a small body (or none) and no Content-Range: the body is read whole
   * and handed to the blob service with the digest (`upload-put`), which checks and commits
   * it when the session holds nothing yet. A session with chunks in it comes back as it
   * stands, and the body is appended here like any closing chunk, hashed on top of the
   * earlier chunks' running hash: one RPC either way, as `upload-get` would have been.
   */
  private async putWhole(
    upload: Upload,
    request: FastifyRequest,
    reply: FastifyReply,
    context: RpcContext,
  ): Promise<void> {
    const { name, uploadId } = upload;
    const digest = closingDigest(request);
    const body = await readWholeBody(
      request.raw,
      maxUploadPutBytes,
      () =>
        // only a body that declared itself small comes here: past the cap it lied about its length
        new RegistryError('SIZE_INVALID', 'the body is longer than its Content-Length'),
    );
    const put = await this.rpc.request(
      blobRpc.uploadPut,
      { repository: name, uploadId, digest, body: body.toString('base64'), ...deferredOf(upload) },
      { context },
    );
    if (put.kind === 'session') {
      const rest = Readable.from([body]);
      return this.finish(upload, put.session, digest, request, reply, context, rest);
    }
    this.digesters.forget(uploadId);
    writeResponse(reply, 201, {
      location: blobLocation(name, put.blob.digest),
      'docker-content-digest': put.blob.digest,
    });
  }

  private async finish(
    upload: Upload,
    session: UploadSession,
    digest: string,
    request: FastifyRequest,
    reply: FastifyReply,
    context: RpcContext,
    /** the body when it was read already (`putWhole`), else the request's own stream */
    body?: Readable,
  ): Promise<void> {
    const { name } = upload;
    const digester = await this.digesters.take(session, parseDigest(digest).algorithm);
    let state: UploadState = session.state;
    if (hasRequestBody(request.raw)) {
      state = await appendChunk({
        storage: this.storage,
        uploadId: session.uploadId,
        state,
        body: body ?? request.raw,
        digester,
        expectedBytes: this.chunkLength(upload, session, request, reply),
      });
    }
    const actual = digester.digest();
    if (actual !== digest) {
      await this.cancelQuietly(upload, context);
      throw new RegistryError('DIGEST_INVALID', 'the uploaded content does not match the digest', {
        digest,
        actual,
      });
    }
    const blob = await this.rpc.request(
      blobRpc.uploadComplete,
      { repository: name, uploadId: session.uploadId, digest, state, ...deferredOf(upload) },
      { context },
    );
    writeResponse(reply, 201, {
      location: blobLocation(name, blob.digest),
      'docker-content-digest': blob.digest,
    });
  }

  private async cancel(upload: Upload, reply: FastifyReply, context: RpcContext): Promise<void> {
    await this.rpc.request(blobRpc.uploadCancel, cancelRequest(upload), { context });
    this.digesters.forget(upload.uploadId);
    writeResponse(reply, 204, {});
  }

  /** A failed upload is cancelled so nothing of it stays; failing to do so must not hide why it failed. */
  private async cancelQuietly(upload: Upload, context: RpcContext): Promise<void> {
    const { name, uploadId } = upload;
    this.digesters.forget(uploadId);
    try {
      await this.rpc.request(blobRpc.uploadCancel, cancelRequest(upload), { context });
    } catch (error) {
      this.logger.warn({ repository: name, uploadId, err: error }, 'failed to cancel upload');
    }
  }

  /**
   * The chunk's length from `Content-Range` (or `Content-Length` without one), after checking
   * that it starts where the upload stands: a chunk out of order or overlapping is refused
   * with 416 and the upload's current `Range`, so the client can resume from there.
   */
  private chunkLength(
    upload: Upload,
    session: UploadSession,
    request: FastifyRequest,
    reply: FastifyReply,
  ): number | undefined {
    const declared = declaredContentLength(request.raw);
    const header = request.headers['content-range'];
    if (header === undefined) return declared;
    void reply.headers(uploadHeaders(upload.name, session, upload.opened?.token));
    const range = parseContentRange(header);
    if (range.start !== session.offset) {
      throw new RegistryError(
        'RANGE_INVALID',
        `the chunk starts at ${range.start}, the upload stands at ${session.offset}`,
        {
          range: header,
          offset: session.offset,
        },
      );
    }
    const length = range.end - range.start + 1;
    if (declared !== undefined && declared !== length) {
      throw new RegistryError('SIZE_INVALID', 'Content-Length does not match Content-Range', {
        contentLength: declared,
        range: header,
      });
    }
    return length;
  }
}

/** The session a request names: its repository, its id, and what its `_state` proved, if anything. */
interface Upload {
  name: string;
  uploadId: string;
  /** the gateway opened it (upload-states.ts) */
  opened: VerifiedUploadState | undefined;
}

/** `deferred` for the blob service, when the gateway opened the session. */
function deferredOf(upload: Upload): { deferred?: VerifiedUploadState['deferred'] } {
  return upload.opened ? { deferred: upload.opened.deferred } : {};
}

function cancelRequest(upload: Upload) {
  return { repository: upload.name, uploadId: upload.uploadId, ...deferredOf(upload) };
}

/** The closing PUT's `?digest=`, required and well-formed. */
function closingDigest(request: FastifyRequest): string {
  const digest = readQueryParam(request, 'digest');
  if (digest === undefined) {
    throw new OciValidationError(
      'DIGEST_INVALID',
      'the digest query parameter is required to close an upload',
    );
  }
  parseDigest(digest);
  return digest;
}

/**
 * A body of at most `maxUploadPutBytes` by its Content-Length, or none, and no Content-Range:
 * what `putWhole` takes. A chunked body's length is not known before it is read: streamed.
 */
function isSmallWholeBody(request: FastifyRequest): boolean {
  if (request.headers['content-range'] !== undefined) return false;
  if (!hasRequestBody(request.raw)) return true;
  const declared = declaredContentLength(request.raw);
  return declared !== undefined && declared <= maxUploadPutBytes;
}

function uploadUnknown(uploadId: string): RegistryError {
  return new RegistryError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry', { uploadId });
}
