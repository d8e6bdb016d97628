/**
 * The rules of upload sessions and mounts. The gateway streams the bytes into the store and
 * hashes them; this service keeps the session's place, moves finished bytes to the blob's
 * content-addressed key and records the blob. A small PUT's whole body comes here instead
 * (`put`): this service hashes it and writes it to the blob's key itself. Every step is safe
 * to retry: the store's complete is idempotent per key, and only the call that ends a
 * session records the blob.
 */
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  type BlobInfo,
  type DeferredUpload,
  RegistryError,
  type RpcRequest,
  type RpcResponse,
  type UploadSession,
  type UploadState,
  type blobRpc,
} from '@meridian/contracts';
import { type EventOrigin, Outbox } from '@meridian/database';
import { digestLike } from '@meridian/oci';
import { blobKey } from '@meridian/storage';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import { BlobsRepository } from '../blobs/blobs.repository';
import { InjectStorageDriver, type UploadStore } from '../inject-storage-driver';
import { type QuotaCheck, UsageService } from '../usage/usage.service';
import { UploadsRepository } from './uploads.repository';

type StartRequest = RpcRequest<typeof blobRpc.uploadStart>;
type GetRequest = RpcRequest<typeof blobRpc.uploadGet>;
type StartResponse = RpcResponse<typeof blobRpc.uploadStart>;
type AdvanceRequest = RpcRequest<typeof blobRpc.uploadAdvance>;
type CompleteRequest = RpcRequest<typeof blobRpc.uploadComplete>;
type PutRequest = RpcRequest<typeof blobRpc.uploadPut>;
type PutResponse = RpcResponse<typeof blobRpc.uploadPut>;

@Injectable()
export class UploadsService {
  constructor(
    private readonly uploads: UploadsRepository,
    private readonly blobs: BlobsRepository,
    @InjectStorageDriver() private readonly store: UploadStore,
    private readonly outbox: Outbox,
    @InjectLogger() private readonly logger: Logger,
    private readonly usage: UsageService,
  ) {}

  /**
   * Mounts when asked to and the source sees the blob; otherwise starts a session (the OCI
   * answer to a refused mount is a fresh upload, not an error).
   *
   * A mount without `from` takes the blob from any repository of the region. Until requests
   * carry the caller's read scopes, that lets a pusher who knows a digest link it into its
   * own repository.
   *
   * A mount past the repository's quota is refused (DENIED); so is, when the client said the
   * blob's size, an upload past a quota, before a session is opened.
   */
  async start(request: StartRequest, origin: EventOrigin): Promise<StartResponse> {
    if (request.mount) {
      await this.usage.checkMount(request.repository, request.mount.digest);
      const mounted = await this.blobs.mount(
        { repository: request.repository, digest: request.mount.digest, from: request.mount.from },
        this.outbox.envelope(origin),
      );
      if (mounted) {
        this.logger.debug(
          { repository: request.repository, digest: mounted.blob.digest, from: request.mount.from },
          'blob mounted',
        );
        return { kind: 'mounted', blob: mounted.blob };
      }
    }
    if (request.expected) {
      await this.usage.checkUpload(
        request.repository,
        request.expected.size,
        request.expected.digest,
      );
    }
    return { kind: 'session', session: await this.startSession(request.repository) };
  }

  /**
   * The session. One the gateway opened (`deferred`) and nothing was written to yet is
   * answered as opened, empty; with `open`, it is given its place in the store and its row
   * first, to take a chunk.
   */
  async get({ repository, uploadId, deferred, open }: GetRequest): Promise<UploadSession> {
    const found = await this.find(repository, uploadId, deferred);
    if (found.stored || !open || !deferred) return found.session;
    return this.openDeferred(repository, uploadId, deferred);
  }

  async advance(request: AdvanceRequest): Promise<UploadSession> {
    const { repository, uploadId, fromOffset, state } = request;
    if (state.size < fromOffset) {
      throw new RegistryError('BLOB_UPLOAD_INVALID', 'an upload cannot shrink', {
        offset: fromOffset,
        size: state.size,
      });
    }
    const result = await this.uploads.advance(uploadId, repository, fromOffset, state);
    switch (result.kind) {
      case 'advanced':
        return result.session;
      case 'moved':
        throw new RegistryError('RANGE_INVALID', 'the upload does not stand at this offset', {
          offset: result.offset,
        });
      case 'unknown':
        return throwUploadUnknown(uploadId);
    }
  }

  async complete(request: CompleteRequest, origin: EventOrigin): Promise<BlobInfo> {
    const { repository, uploadId, digest, state, deferred } = request;
    const [{ session }, quota] = await this.findWithQuota(
      repository,
      uploadId,
      deferred,
      state.size,
      digest,
    );
    if (state.size < session.offset) {
      throw new RegistryError('BLOB_UPLOAD_INVALID', 'an upload cannot shrink', {
        offset: session.offset,
        size: state.size,
      });
    }
    const placeBytes = () => this.moveToBlobKey(uploadId, state, digest);
    return this.finish(session, deferred, digest, state.size, placeBytes, quota, origin);
  }

  /**
   * A whole blob in one PUT on a session nothing was appended to: checked against its digest
   * before any byte is written, then written straight to the blob's key (no session file, no
   * move). A session with chunks in it is answered as it stands, unchanged.
   */
  async put(request: PutRequest, origin: EventOrigin): Promise<PutResponse> {
    const { repository, uploadId, digest, deferred } = request;
    const body = Buffer.from(request.body, 'base64');
    const [{ session, stored }, quota] = await this.findWithQuota(
      repository,
      uploadId,
      deferred,
      body.byteLength,
      digest,
    );
    if (session.offset !== 0) return { kind: 'session', session };
    const actual = digestLike(digest, body);
    if (actual !== digest) {
      await this.cancel(repository, uploadId, deferred).catch((err: unknown) => {
        this.logger.warn({ repository, uploadId, err }, 'failed to cancel upload');
      });
      throw new RegistryError('DIGEST_INVALID', 'the uploaded content does not match the digest', {
        digest,
        actual,
      });
    }
    const blob = await this.finish(
      session,
      deferred,
      digest,
      body.byteLength,
      () => this.store.put(blobKey(digest), body, body.byteLength),
      quota,
      origin,
    );
    // The session's own place in the store (its directory) holds nothing any more. Removing
    // it is tidying, not part of the answer: the client is not kept waiting for it. A session
    // the gateway opened and that never took a chunk has no place.
    if (stored) {
      void this.store.abortUpload(uploadId, session.state).catch((err: unknown) => {
        this.logger.warn({ uploadId, err }, 'failed to remove the place of a completed upload');
      });
    }
    return { kind: 'blob', blob };
  }

  /**
   * The session, and the quotas checked for a blob of `size` bytes, asked of the database side
   * by side: one round trip where there were two. The quotas' answer (DENIED past one) is
   * given when `finish` asks for it, after the session's own checks, as if asked then.
   */
  private async findWithQuota(
    repository: string,
    uploadId: string,
    deferred: DeferredUpload | undefined,
    size: number,
    digest: string,
  ): Promise<[FoundSession, () => QuotaCheck]> {
    const [found, quota] = await Promise.allSettled([
      this.find(repository, uploadId, deferred),
      this.usage.checkUpload(repository, size, digest),
    ]);
    if (found.status === 'rejected') throw found.reason;
    return [
      found.value,
      () => {
        if (quota.status === 'rejected') throw quota.reason;
        return quota.value;
      },
    ];
  }

  /**
   * Ends the session with the blob (its quotas checked before the bytes reach the blob's
   * key, so a refused upload changes nothing): the bytes placed, the blob recorded and
   * linked, the session removed, in one transaction.
   */
  private async finish(
    session: UploadSession,
    deferred: DeferredUpload | undefined,
    digest: string,
    size: number,
    placeBytes: () => Promise<void>,
    quota: () => QuotaCheck,
    origin: EventOrigin,
  ): Promise<BlobInfo> {
    const { repository, uploadId } = session;
    const { quotaApplies } = quota();
    const blob = { digest, size };
    const result = await this.uploads.complete(
      {
        uploadId,
        repository,
        ...blob,
        settleQuotas: quotaApplies,
        placeBytes,
        deferred: deferred !== undefined,
      },
      this.outbox.envelope(origin),
    );
    if (result.kind === 'unknown') {
      // Another complete of this session (a retry) ended it first; its answer is ours.
      return (await this.blobs.find(repository, digest)) ?? throwUploadUnknown(uploadId);
    }
    this.logger.debug({ repository, digest, size, linked: result.linked }, 'blob uploaded');
    return blob;
  }

  async cancel(repository: string, uploadId: string, deferred?: DeferredUpload): Promise<void> {
    const state = deferred
      ? (
          (await this.uploads.removeDeferred(uploadId, repository, deferred.startedAt)) ??
          throwUploadUnknown(uploadId)
        ).state
      : ((await this.uploads.remove(uploadId, repository)) ?? throwUploadUnknown(uploadId));
    // a session the gateway opened that never took a chunk has nothing in the store
    if (state === undefined) return;
    try {
      await this.store.abortUpload(uploadId, state);
    } catch (err) {
      // The session is gone either way; its leftover bytes sit under the upload's own prefix.
      this.logger.warn({ uploadId, err }, 'failed to remove bytes of a cancelled upload');
    }
  }

  /**
   * The session `uploadId` names: its row (`stored`), or, when the gateway opened it and
   * nothing was written to it yet, the session as opened: empty, with no place in the store.
   */
  private async find(
    repository: string,
    uploadId: string,
    deferred: DeferredUpload | undefined,
  ): Promise<FoundSession> {
    if (!deferred) {
      const session = await this.uploads.find(uploadId, repository);
      return session ? { session, stored: true } : throwUploadUnknown(uploadId);
    }
    const found = await this.uploads.findDeferred(uploadId, repository, deferred.startedAt);
    switch (found.kind) {
      case 'open':
        return { session: found.session, stored: true };
      case 'empty':
        return {
          session: {
            uploadId,
            repository,
            offset: 0,
            state: { size: 0, driver: {} },
            startedAt: deferred.startedAt,
          },
          stored: false,
        };
      case 'unknown':
        return throwUploadUnknown(uploadId);
    }
  }

  /** Gives a session the gateway opened its place in the store and its row. */
  private async openDeferred(
    repository: string,
    uploadId: string,
    deferred: DeferredUpload,
  ): Promise<UploadSession> {
    let state: UploadState;
    try {
      state = await this.store.startUpload(uploadId);
    } catch (err) {
      // a request racing this one may have opened the same place (a directory exists)
      const opened = await this.uploads.find(uploadId, repository);
      if (opened) return opened;
      throw err;
    }
    let session: UploadSession | undefined;
    try {
      session = await this.uploads.insertDeferred(uploadId, repository, state, deferred.startedAt);
    } catch (err) {
      await this.store.abortUpload(uploadId, state).catch(() => undefined);
      throw err;
    }
    // Another request opened it first (its place is the one just asked for: kept), or it ended
    // meanwhile (then the place is a leftover, garbage collection's to remove).
    return (
      session ?? (await this.uploads.find(uploadId, repository)) ?? throwUploadUnknown(uploadId)
    );
  }

  private async startSession(repository: string): Promise<UploadSession> {
    const uploadId = randomUUID();
    const state = await this.store.startUpload(uploadId);
    try {
      return await this.uploads.insert(uploadId, repository, state);
    } catch (err) {
      await this.store.abortUpload(uploadId, state).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Moves the upload's bytes to the blob's key. When a racing complete of the same session
   * moved them first, the store has the blob already: that is success too.
   */
  private async moveToBlobKey(
    uploadId: string,
    state: CompleteRequest['state'],
    digest: string,
  ): Promise<void> {
    const key = blobKey(digest);
    try {
      await this.store.completeUpload(uploadId, state, key);
    } catch (err) {
      const stored = await this.store.stat(key).catch(() => undefined);
      if (stored?.size !== state.size) throw err;
    }
  }
}

interface FoundSession {
  session: UploadSession;
  /** the session has a row (and a place in the store); false for one the gateway opened and nothing used yet */
  stored: boolean;
}

function throwUploadUnknown(uploadId: string): never {
  throw new RegistryError('BLOB_UPLOAD_UNKNOWN', 'upload unknown to registry', { uploadId });
}
