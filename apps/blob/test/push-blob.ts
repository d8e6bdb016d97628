/**
 * The gateway's side of a blob push, for tests: it streams each chunk into the store with
 * the driver, then tells the blob service where the session stands.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { type BlobInfo, type UploadSession, type UploadState, blobRpc } from '@meridian/contracts';
import type { RpcContext } from '@meridian/messaging';
import type { BlobServiceUnderTest } from './start-blob-service';

export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Appends bytes in the store; the session in the blob service does not move yet. */
export function appendBytes(
  service: BlobServiceUnderTest,
  session: UploadSession,
  state: UploadState,
  bytes: Buffer,
) {
  return service.store.appendUpload(session.uploadId, state, Readable.from([bytes]), bytes.length);
}

export async function startSession(
  service: BlobServiceUnderTest,
  repository: string,
  context?: RpcContext,
): Promise<UploadSession> {
  const started = await service.client.request(blobRpc.uploadStart, { repository }, { context });
  if (started.kind !== 'session') throw new Error(`expected a session, got ${started.kind}`);
  return started.session;
}

/** A whole push: start, one advance per chunk but the last, complete with the last chunk. */
export async function pushBlob(
  service: BlobServiceUnderTest,
  repository: string,
  chunks: Buffer[],
  context?: RpcContext,
): Promise<BlobInfo> {
  const session = await startSession(service, repository, context);
  let state = session.state;
  for (const [index, chunk] of chunks.entries()) {
    const fromOffset = state.size;
    state = await appendBytes(service, session, state, chunk);
    if (index < chunks.length - 1) {
      await service.client.request(blobRpc.uploadAdvance, {
        repository,
        uploadId: session.uploadId,
        fromOffset,
        state,
      });
    }
  }
  const digest = sha256Digest(Buffer.concat(chunks));
  return service.client.request(
    blobRpc.uploadComplete,
    { repository, uploadId: session.uploadId, digest, state },
    { context },
  );
}
