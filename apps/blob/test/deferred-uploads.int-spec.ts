/**
 * Upload sessions the gateway opened on its own (apps/gateway upload-states.ts), against the
 * blob service's real database, NATS and filesystem store: the service knows them by the
 * `deferred` the gateway sends, writes them down only when they take a chunk, and forgets
 * none that ended.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RegistryError, blobRpc } from '@meridian/contracts';
import { blobKey, uploadPrefix } from '@meridian/storage';
import { appendBytes, sha256Digest } from './push-blob';
import { type BlobServiceUnderTest, startBlobService } from './start-blob-service';

let service: BlobServiceUnderTest;
let repositoryCount = 0;

beforeAll(async () => {
  service = await startBlobService({ uploadIdleTimeoutSeconds: 600 });
});
afterAll(async () => {
  await service?.stop();
});

function opened(openedAgoMs = 0) {
  repositoryCount += 1;
  const repository = `deferred${repositoryCount}/app`;
  const uploadId = randomUUID();
  const deferred = { startedAt: new Date(Date.now() - openedAgoMs).toISOString() };
  return { repository, uploadId, deferred };
}

function put(session: ReturnType<typeof opened>, body: Buffer) {
  return service.client.request(blobRpc.uploadPut, {
    ...session,
    digest: sha256Digest(body),
    body: body.toString('base64'),
  });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(error instanceof RegistryError))
    throw new Error(`expected a RegistryError, got ${String(error)}`);
  return error.code;
}

async function rowsOf(uploadId: string) {
  const [row] = await service.sql<{ sessions: number; ended: number }[]>`
    select (select count(*)::int from blob.uploads where id = ${uploadId}) as sessions,
      (select count(*)::int from blob.ended_uploads where id = ${uploadId}) as ended`;
  return row;
}

describe('upload sessions the gateway opened', () => {
  it('takes a whole PUT with no row written before it, and knows the session no more after it', async () => {
    const session = opened();
    const body = randomBytes(2048);
    const digest = sha256Digest(body);

    await expect(service.client.request(blobRpc.uploadGet, session)).resolves.toMatchObject({
      offset: 0,
      startedAt: session.deferred.startedAt,
    });
    await expect(rowsOf(session.uploadId)).resolves.toEqual({ sessions: 0, ended: 0 });

    await expect(put(session, body)).resolves.toEqual({
      kind: 'blob',
      blob: { digest, size: 2048 },
    });
    await expect(readFile(join(service.storeDir, blobKey(digest)))).resolves.toEqual(body);
    await expect(rowsOf(session.uploadId)).resolves.toEqual({ sessions: 0, ended: 1 });
    await expect(
      service.client.request(blobRpc.stat, { repository: session.repository, digest }),
    ).resolves.toMatchObject({ digest, size: 2048 });

    expect(await codeOf(service.client.request(blobRpc.uploadGet, session))).toBe(
      'BLOB_UPLOAD_UNKNOWN',
    );
    expect(await codeOf(put(session, body))).toBe('BLOB_UPLOAD_UNKNOWN');
    const announced = (await service.events()).filter(
      (event) => event.payload['repository'] === session.repository,
    );
    expect(announced).toHaveLength(1);
  });

  it('records the blob once for two racing PUTs, answering both', async () => {
    const session = opened();
    const body = randomBytes(512);
    const answers = await Promise.allSettled([put(session, body), put(session, body)]);
    const blobs = answers.filter((answer) => answer.status === 'fulfilled');
    expect(blobs.length).toBeGreaterThanOrEqual(1);
    for (const answer of answers) {
      if (answer.status === 'fulfilled') expect(answer.value).toMatchObject({ kind: 'blob' });
      else expect((answer.reason as RegistryError).code).toBe('BLOB_UPLOAD_UNKNOWN');
    }
    const announced = (await service.events()).filter(
      (event) => event.payload['repository'] === session.repository,
    );
    expect(announced).toHaveLength(1);
  });

  it('gets its row and place in the store for a chunk, and ends as a session opened by the service', async () => {
    const session = opened();
    const chunk = randomBytes(3000);
    const open = await service.client.request(blobRpc.uploadGet, { ...session, open: true });
    expect(open).toMatchObject({ offset: 0, startedAt: session.deferred.startedAt });
    await expect(rowsOf(session.uploadId)).resolves.toEqual({ sessions: 1, ended: 0 });
    // opened again, as a retried PATCH would: the same session
    await expect(
      service.client.request(blobRpc.uploadGet, { ...session, open: true }),
    ).resolves.toEqual(open);

    const state = await appendBytes(service, open, open.state, chunk);
    await service.client.request(blobRpc.uploadAdvance, {
      repository: session.repository,
      uploadId: session.uploadId,
      fromOffset: 0,
      state,
    });
    const digest = sha256Digest(chunk);
    await expect(
      service.client.request(blobRpc.uploadComplete, { ...session, digest, state }),
    ).resolves.toEqual({ digest, size: 3000 });
    await expect(rowsOf(session.uploadId)).resolves.toEqual({ sessions: 0, ended: 1 });
    await expect(access(join(service.storeDir, uploadPrefix(session.uploadId)))).rejects.toThrow(
      'ENOENT',
    );
    expect(await codeOf(service.client.request(blobRpc.uploadGet, session))).toBe(
      'BLOB_UPLOAD_UNKNOWN',
    );
  });

  it('cancels a session never written down, which stays unknown', async () => {
    const session = opened();
    await service.client.request(blobRpc.uploadCancel, session);
    expect(await codeOf(service.client.request(blobRpc.uploadGet, session))).toBe(
      'BLOB_UPLOAD_UNKNOWN',
    );
    expect(await codeOf(put(session, randomBytes(10)))).toBe('BLOB_UPLOAD_UNKNOWN');
    expect(await codeOf(service.client.request(blobRpc.uploadCancel, session))).toBe(
      'BLOB_UPLOAD_UNKNOWN',
    );
  });

  it('does not know a session opened longer ago than the idle timeout and never used', async () => {
    const session = opened(601_000);
    expect(await codeOf(service.client.request(blobRpc.uploadGet, session))).toBe(
      'BLOB_UPLOAD_UNKNOWN',
    );
    expect(await codeOf(put(session, randomBytes(10)))).toBe('BLOB_UPLOAD_UNKNOWN');
    expect(await codeOf(service.client.request(blobRpc.uploadCancel, session))).toBe(
      'BLOB_UPLOAD_UNKNOWN',
    );
    await expect(rowsOf(session.uploadId)).resolves.toEqual({ sessions: 0, ended: 0 });
  });

  it('does not know, without `deferred`, a session it never wrote down', async () => {
    const { repository, uploadId } = opened();
    expect(await codeOf(service.client.request(blobRpc.uploadGet, { repository, uploadId }))).toBe(
      'BLOB_UPLOAD_UNKNOWN',
    );
  });
});
