import { Writable } from 'node:stream';
import { HybridLogicalClock, RegistryError } from '@meridian/contracts';
import { Outbox } from '@meridian/database';
import { sha256Digest, sha512Digest } from '@meridian/oci';
import { blobKey } from '@meridian/storage';
import { createLogger } from '@meridian/telemetry';
import {
  InMemoryBlobData,
  InMemoryBlobsRepository,
  InMemoryUploadsRepository,
  InMemoryUsageRepository,
} from '../../test/fakes/in-memory-repositories';
import { InMemoryUploadStore } from '../../test/fakes/in-memory-upload-store';
import type { BlobConfig } from '../config';
import { UsageService } from '../usage/usage.service';
import { UploadsService } from './uploads.service';

const digestA = `sha256:${'a'.repeat(64)}`;
const digestB = `sha256:${'b'.repeat(64)}`;
const origin = { actor: { name: 'ci-bot' }, request: { id: 'req-1', method: 'POST' } };

function setup(idleTimeoutSeconds = 3600, storageQuotaBytes?: number) {
  const data = new InMemoryBlobData(idleTimeoutSeconds);
  const uploads = new InMemoryUploadsRepository(data);
  const store = new InMemoryUploadStore();
  const logLines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger({ service: 'blob', region: 'us-east', level: 'debug', destination });
  const outbox = new Outbox('blob', new HybridLogicalClock('us-east'));
  const config = { storageQuotaBytes } as BlobConfig;
  const usage = new UsageService(new InMemoryUsageRepository(data), outbox, config);
  const sut = new UploadsService(
    uploads,
    new InMemoryBlobsRepository(data),
    store,
    outbox,
    logger,
    usage,
  );
  return { sut, data, uploads, store, logLines };
}

async function rejection(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(error instanceof RegistryError))
    throw new Error(`expected a RegistryError, got ${String(error)}`);
  return error;
}

describe(UploadsService.name, () => {
  describe('start', () => {
    it('starts a session in the store and records it at offset 0', async () => {
      const { sut, store, data } = setup();
      const result = await sut.start({ repository: 'team/app' }, origin);
      if (result.kind !== 'session') throw new Error('expected a session');
      expect(result.session).toMatchObject({
        repository: 'team/app',
        offset: 0,
        state: { size: 0 },
      });
      expect(store.uploads.has(result.session.uploadId)).toBe(true);
      expect(data.uploads.has(result.session.uploadId)).toBe(true);
    });

    it('removes the store upload when the session cannot be recorded', async () => {
      const { sut, store, uploads } = setup();
      uploads.failNextInsert = true;
      await expect(sut.start({ repository: 'team/app' }, origin)).rejects.toThrow(
        'database unavailable',
      );
      expect(store.uploads.size).toBe(0);
    });

    it('mounts from a repository that sees the blob, announcing it with mountedFrom', async () => {
      const { sut, data } = setup();
      data.addBlob({ digest: digestA, size: 42 }, 'base/image');
      const result = await sut.start(
        { repository: 'team/app', mount: { digest: digestA, from: 'base/image' } },
        origin,
      );
      expect(result).toEqual({ kind: 'mounted', blob: { digest: digestA, size: 42 } });
      expect(data.sees('team/app', digestA)).toBe(true);
      expect(data.events).toEqual([
        {
          name: 'blob.uploaded.v1',
          payload: expect.objectContaining({
            repository: 'team/app',
            digest: digestA,
            size: 42,
            mountedFrom: 'base/image',
            originRegion: 'us-east',
            actor: origin.actor,
            request: origin.request,
          }),
        },
      ]);
    });

    it('starts a session instead when `from` does not see the blob, even if another repository does', async () => {
      const { sut, data } = setup();
      data.addBlob({ digest: digestA, size: 42 }, 'other/repo');
      const result = await sut.start(
        { repository: 'team/app', mount: { digest: digestA, from: 'base/image' } },
        origin,
      );
      expect(result.kind).toBe('session');
      expect(data.sees('team/app', digestA)).toBe(false);
      expect(data.events).toEqual([]);
    });

    it('mounts again without a second event', async () => {
      const { sut, data } = setup();
      data.addBlob({ digest: digestA, size: 42 }, 'base/image', 'team/app');
      const result = await sut.start(
        { repository: 'team/app', mount: { digest: digestA, from: 'base/image' } },
        origin,
      );
      expect(result.kind).toBe('mounted');
      expect(data.events).toEqual([]);
    });

    it('mounts automatically, without `from`, a blob some repository sees', async () => {
      const { sut, data } = setup();
      data.addBlob({ digest: digestA, size: 7 }, 'elsewhere/repo');
      const result = await sut.start(
        { repository: 'team/app', mount: { digest: digestA } },
        origin,
      );
      expect(result).toEqual({ kind: 'mounted', blob: { digest: digestA, size: 7 } });
      expect(data.events[0]?.payload).toMatchObject({
        repository: 'team/app',
        mountedFrom: 'elsewhere/repo',
      });
    });

    it('does not mount automatically a blob no repository sees any more', async () => {
      const { sut, data } = setup();
      data.addBlob({ digest: digestA, size: 7 });
      const result = await sut.start(
        { repository: 'team/app', mount: { digest: digestA } },
        origin,
      );
      expect(result.kind).toBe('session');
    });
  });

  describe('get', () => {
    it('answers the session to its repository only', async () => {
      const { sut } = setup();
      const started = await sut.start({ repository: 'team/app' }, origin);
      if (started.kind !== 'session') throw new Error('expected a session');
      await expect(
        sut.get({ repository: 'team/app', uploadId: started.session.uploadId }),
      ).resolves.toEqual(started.session);
      const error = await rejection(
        sut.get({ repository: 'team/other', uploadId: started.session.uploadId }),
      );
      expect(error.code).toBe('BLOB_UPLOAD_UNKNOWN');
    });

    it('forgets a session idle for the timeout', async () => {
      const { sut, data } = setup(60);
      const started = await sut.start({ repository: 'team/app' }, origin);
      if (started.kind !== 'session') throw new Error('expected a session');
      data.nowMs += 60_000;
      expect(
        (await rejection(sut.get({ repository: 'team/app', uploadId: started.session.uploadId })))
          .code,
      ).toBe('BLOB_UPLOAD_UNKNOWN');
    });
  });

  describe('advance', () => {
    async function started() {
      const context = setup();
      const result = await context.sut.start({ repository: 'team/app' }, origin);
      if (result.kind !== 'session') throw new Error('expected a session');
      return { ...context, session: result.session };
    }

    it('moves the session to the size of the new state', async () => {
      const { sut, store, session } = await started();
      const state = store.append(session.uploadId, session.state, 10);
      const advanced = await sut.advance({
        repository: 'team/app',
        uploadId: session.uploadId,
        fromOffset: 0,
        state,
      });
      expect(advanced).toMatchObject({ offset: 10, state });
      await expect(
        sut.get({ repository: 'team/app', uploadId: session.uploadId }),
      ).resolves.toMatchObject({ offset: 10 });
    });

    it('refuses a chunk recorded from a stale offset, naming the current one', async () => {
      const { sut, store, session } = await started();
      const first = store.append(session.uploadId, session.state, 10);
      await sut.advance({
        repository: 'team/app',
        uploadId: session.uploadId,
        fromOffset: 0,
        state: first,
      });
      const replay = await rejection(
        sut.advance({
          repository: 'team/app',
          uploadId: session.uploadId,
          fromOffset: 0,
          state: first,
        }),
      );
      expect(replay).toMatchObject({ code: 'RANGE_INVALID', detail: { offset: 10 } });
    });

    it('does not know the session in another repository', async () => {
      const { sut, session } = await started();
      const error = await rejection(
        sut.advance({
          repository: 'team/other',
          uploadId: session.uploadId,
          fromOffset: 0,
          state: session.state,
        }),
      );
      expect(error.code).toBe('BLOB_UPLOAD_UNKNOWN');
    });

    it('refuses a state smaller than the offset it claims to continue', async () => {
      const { sut, session } = await started();
      const error = await rejection(
        sut.advance({
          repository: 'team/app',
          uploadId: session.uploadId,
          fromOffset: 5,
          state: { size: 4, driver: {} },
        }),
      );
      expect(error.code).toBe('BLOB_UPLOAD_INVALID');
    });
  });

  describe('complete', () => {
    async function uploaded(size = 42) {
      const context = setup();
      const result = await context.sut.start({ repository: 'team/app' }, origin);
      if (result.kind !== 'session') throw new Error('expected a session');
      const state = context.store.append(result.session.uploadId, result.session.state, size);
      const request = {
        repository: 'team/app',
        uploadId: result.session.uploadId,
        digest: digestA,
        state,
      };
      return { ...context, request };
    }

    it('moves the bytes to the blob key, links the blob, ends the session, announces it once', async () => {
      const { sut, store, data, request } = await uploaded(42);
      await expect(sut.complete(request, origin)).resolves.toEqual({ digest: digestA, size: 42 });
      expect(store.objects.get(blobKey(digestA))).toBe(42);
      expect(store.uploads.size).toBe(0);
      expect(data.sees('team/app', digestA)).toBe(true);
      expect(data.uploads.size).toBe(0);
      expect(data.events).toEqual([
        {
          name: 'blob.uploaded.v1',
          payload: expect.objectContaining({ repository: 'team/app', digest: digestA, size: 42 }),
        },
      ]);
      expect(data.events[0]?.payload).not.toHaveProperty('mountedFrom');
    });

    it('does not touch the store for a session of another repository', async () => {
      const { sut, store, request } = await uploaded();
      const error = await rejection(sut.complete({ ...request, repository: 'team/other' }, origin));
      expect(error.code).toBe('BLOB_UPLOAD_UNKNOWN');
      expect(store.objects.size).toBe(0);
      expect(store.uploads.size).toBe(1);
    });

    it('answers both of two racing completes of one session, and announces the blob once', async () => {
      const { sut, data, request } = await uploaded(42);
      const results = await Promise.all([
        sut.complete(request, origin),
        sut.complete(request, origin),
      ]);
      expect(results).toEqual([
        { digest: digestA, size: 42 },
        { digest: digestA, size: 42 },
      ]);
      expect(data.events).toHaveLength(1);
    });

    it('records the blob when the store moved the bytes but its answer was lost', async () => {
      const { sut, store, data, request } = await uploaded(42);
      store.failCompletesAfterMove = true;
      await expect(sut.complete(request, origin)).resolves.toEqual({ digest: digestA, size: 42 });
      expect(data.sees('team/app', digestA)).toBe(true);
    });

    it('keeps the session when the store fails to move the bytes, so the client can retry', async () => {
      const { sut, store, data, request } = await uploaded(42);
      store.uploads.delete(request.uploadId);
      await expect(sut.complete(request, origin)).rejects.toThrow('no upload');
      expect(data.uploads.has(request.uploadId)).toBe(true);
      expect(data.sees('team/app', digestA)).toBe(false);
    });

    it('answers a blob the repository already had without announcing it again', async () => {
      const { sut, data, store, request } = await uploaded(42);
      data.addBlob({ digest: digestA, size: 42 }, 'team/app');
      store.objects.set(blobKey(digestA), 42);
      await expect(sut.complete(request, origin)).resolves.toEqual({ digest: digestA, size: 42 });
      expect(data.events).toEqual([]);
      expect(store.uploads.size).toBe(0);
    });

    it('refuses a final state smaller than what the session recorded', async () => {
      const { sut, request } = await uploaded(42);
      await sut.advance({
        repository: 'team/app',
        uploadId: request.uploadId,
        fromOffset: 0,
        state: request.state,
      });
      const error = await rejection(
        sut.complete({ ...request, state: { size: 10, driver: {} } }, origin),
      );
      expect(error.code).toBe('BLOB_UPLOAD_INVALID');
    });

    it('links a blob another repository uploaded before as a new blob of this one', async () => {
      const { sut, data, store, request } = await uploaded(42);
      data.addBlob({ digest: digestA, size: 42 }, 'other/repo');
      store.objects.set(blobKey(digestA), 42);
      await sut.complete(request, origin);
      expect(data.sees('team/app', digestA)).toBe(true);
      expect(data.events).toHaveLength(1);
      expect(data.sees('team/app', digestB)).toBe(false);
    });
  });

  describe('put', () => {
    const body = Buffer.from('a small layer, pushed whole');
    const digest = sha256Digest(body);

    async function started(size?: number) {
      const context = setup(3600, size);
      const result = await context.sut.start({ repository: 'team/app' }, origin);
      if (result.kind !== 'session') throw new Error('expected a session');
      const request = {
        repository: 'team/app',
        uploadId: result.session.uploadId,
        digest,
        body: body.toString('base64'),
      };
      return { ...context, session: result.session, request };
    }

    it('writes a whole body to the blob key, links it, ends the session, announces it once', async () => {
      const { sut, store, data, request } = await started();
      await expect(sut.put(request, origin)).resolves.toEqual({
        kind: 'blob',
        blob: { digest, size: body.byteLength },
      });
      expect(store.objects.get(blobKey(digest))).toBe(body.byteLength);
      expect(store.uploads.size).toBe(0);
      expect(data.uploads.size).toBe(0);
      expect(data.sees('team/app', digest)).toBe(true);
      expect(data.events).toEqual([
        {
          name: 'blob.uploaded.v1',
          payload: expect.objectContaining({ repository: 'team/app', digest }),
        },
      ]);
    });

    it('refuses a body that is not its digest, storing nothing and cancelling the session', async () => {
      const { sut, store, data, request } = await started();
      const error = await rejection(sut.put({ ...request, digest: digestA }, origin));
      expect(error.code).toBe('DIGEST_INVALID');
      expect(error.detail).toMatchObject({ digest: digestA, actual: digest });
      expect(store.objects.size).toBe(0);
      expect(data.uploads.size).toBe(0);
      expect(data.sees('team/app', digestA)).toBe(false);
      expect(data.events).toEqual([]);
    });

    it('checks a sha512 digest with sha512', async () => {
      const { sut, data, request } = await started();
      const sha512 = sha512Digest(body);
      await expect(sut.put({ ...request, digest: sha512 }, origin)).resolves.toMatchObject({
        kind: 'blob',
      });
      expect(data.sees('team/app', sha512)).toBe(true);
    });

    it('answers a session with chunks in it unchanged, for the gateway to finish', async () => {
      const { sut, store, data, request } = await started();
      const state = store.append(request.uploadId, { size: 0, driver: {} }, 10);
      await sut.advance({
        repository: 'team/app',
        uploadId: request.uploadId,
        fromOffset: 0,
        state,
      });
      const answer = await sut.put(request, origin);
      expect(answer).toMatchObject({ kind: 'session', session: { offset: 10 } });
      expect(store.objects.size).toBe(0);
      expect(data.uploads.has(request.uploadId)).toBe(true);
    });

    it('does not know the session in another repository', async () => {
      const { sut, store, data, request } = await started();
      const error = await rejection(sut.put({ ...request, repository: 'team/other' }, origin));
      expect(error.code).toBe('BLOB_UPLOAD_UNKNOWN');
      expect(store.objects.size).toBe(0);
      expect(data.uploads.has(request.uploadId)).toBe(true);
    });

    it('keeps the session when the store cannot take the bytes, so the client can retry', async () => {
      const { sut, store, data, request } = await started();
      store.failingPuts = true;
      await expect(sut.put(request, origin)).rejects.toThrow('store unavailable');
      expect(data.uploads.has(request.uploadId)).toBe(true);
      expect(data.sees('team/app', digest)).toBe(false);
      store.failingPuts = false;
      await expect(sut.put(request, origin)).resolves.toMatchObject({ kind: 'blob' });
    });

    it('refuses, storing nothing, a body past the store quota', async () => {
      const { sut, store, data, request } = await started(body.byteLength - 1);
      const error = await rejection(sut.put(request, origin));
      expect(error.code).toBe('DENIED');
      expect(store.objects.size).toBe(0);
      expect(data.sees('team/app', digest)).toBe(false);
    });
  });

  describe('quotas', () => {
    async function uploadedUnder(storageQuotaBytes: number | undefined, size: number) {
      const context = setup(3600, storageQuotaBytes);
      const result = await context.sut.start({ repository: 'team/app' }, origin);
      if (result.kind !== 'session') throw new Error('expected a session');
      const state = context.store.append(result.session.uploadId, result.session.state, size);
      const request = { repository: 'team/app', uploadId: result.session.uploadId, state };
      return { ...context, request };
    }

    it('refuses at start an upload whose declared size would pass the store quota', async () => {
      const { sut, data, store } = setup(3600, 100);
      data.addBlob({ digest: digestB, size: 60 }, 'other/repo');
      const error = await rejection(
        sut.start({ repository: 'team/app', expected: { size: 41 } }, origin),
      );
      expect(error.code).toBe('DENIED');
      expect(error.message).toContain('MERIDIAN_STORAGE_QUOTA_BYTES');
      expect(store.uploads.size).toBe(0);
      expect(data.uploads.size).toBe(0);
      await expect(
        sut.start({ repository: 'team/app', expected: { size: 40 } }, origin),
      ).resolves.toMatchObject({ kind: 'session' });
    });

    it('lets a blob the store holds already in, whatever its size', async () => {
      const { sut, data } = setup(3600, 100);
      data.addBlob({ digest: digestA, size: 90 }, 'other/repo');
      await expect(
        sut.start({ repository: 'team/app', expected: { size: 90, digest: digestA } }, origin),
      ).resolves.toMatchObject({ kind: 'session' });
    });

    it('refuses at completion, before the bytes move, an upload past the repository quota', async () => {
      const { sut, data, store, request } = await uploadedUnder(undefined, 42);
      data.quotas.set('team/app', 41);
      const error = await rejection(sut.complete({ ...request, digest: digestA }, origin));
      expect(error.code).toBe('DENIED');
      expect(error.message).toContain('repository team/app past its quota (41 bytes)');
      expect(error.detail).toMatchObject({ quota: 'repository', quotaBytes: 41, size: 42 });
      expect(store.objects.has(blobKey(digestA))).toBe(false);
      expect(data.sees('team/app', digestA)).toBe(false);
      expect(data.uploads.has(request.uploadId)).toBe(true);
      expect(data.events).toEqual([]);
    });

    it('refuses a mount that would take the repository past its quota, linking nothing', async () => {
      const { sut, data } = setup();
      data.addBlob({ digest: digestA, size: 50 }, 'other/repo');
      data.quotas.set('team/app', 49);
      const error = await rejection(
        sut.start(
          { repository: 'team/app', mount: { digest: digestA, from: 'other/repo' } },
          origin,
        ),
      );
      expect(error.code).toBe('DENIED');
      expect(data.sees('team/app', digestA)).toBe(false);
      data.quotas.set('team/app', 50);
      await expect(
        sut.start(
          { repository: 'team/app', mount: { digest: digestA, from: 'other/repo' } },
          origin,
        ),
      ).resolves.toMatchObject({ kind: 'mounted' });
    });

    it('lets an upload reach the quota exactly', async () => {
      const { sut, data, request } = await uploadedUnder(42, 42);
      data.quotas.set('team/app', 42);
      await expect(sut.complete({ ...request, digest: digestA }, origin)).resolves.toEqual({
        digest: digestA,
        size: 42,
      });
    });
  });

  describe('a session the gateway opened (deferred)', () => {
    const body = Buffer.from('a small layer, pushed whole');
    const digest = sha256Digest(body);
    const uploadId = '0a4f7bd2-9e0c-4d8e-9f3a-5c1d2e3f4a5b';

    function opened(idleTimeoutSeconds = 3600) {
      const context = setup(idleTimeoutSeconds);
      const deferred = { startedAt: new Date(context.data.nowMs).toISOString() };
      const request = { repository: 'team/app', uploadId, deferred };
      const put = { ...request, digest, body: body.toString('base64') };
      return { ...context, deferred, request, put };
    }

    it('is empty, with no row and no place in the store, until it takes bytes', async () => {
      const { sut, store, data, request, deferred } = opened();
      await expect(sut.get(request)).resolves.toEqual({
        uploadId,
        repository: 'team/app',
        offset: 0,
        state: { size: 0, driver: {} },
        startedAt: deferred.startedAt,
      });
      expect(data.uploads.size).toBe(0);
      expect(store.uploads.size).toBe(0);
    });

    it('ends with a whole PUT without ever having a row, and is then unknown', async () => {
      const { sut, store, data, request, put } = opened();
      await expect(sut.put(put, origin)).resolves.toEqual({
        kind: 'blob',
        blob: { digest, size: body.byteLength },
      });
      expect(store.objects.get(blobKey(digest))).toBe(body.byteLength);
      expect(data.uploads.size).toBe(0);
      expect(data.sees('team/app', digest)).toBe(true);
      expect(data.events).toHaveLength(1);
      for (const again of [
        sut.get(request),
        sut.put(put, origin),
        sut.cancel('team/app', uploadId, request.deferred),
      ]) {
        expect((await rejection(again)).code).toBe('BLOB_UPLOAD_UNKNOWN');
      }
      expect(data.events).toHaveLength(1);
    });

    it('takes its place in the store and its row when opened for a chunk, and ends as any other', async () => {
      const { sut, store, data, request } = opened();
      const session = await sut.get({ ...request, open: true });
      expect(store.uploads.has(uploadId)).toBe(true);
      expect(data.uploads.get(uploadId)?.session).toEqual(session);
      expect(session.startedAt).toBe(request.deferred.startedAt);
      // opened again (a retried PATCH): the same session
      await expect(sut.get({ ...request, open: true })).resolves.toEqual(session);
      const state = store.append(uploadId, session.state, body.byteLength);
      await sut.advance({ repository: 'team/app', uploadId, fromOffset: 0, state });
      await sut.complete({ ...request, digest, state }, origin);
      expect(data.uploads.size).toBe(0);
      expect(data.sees('team/app', digest)).toBe(true);
      expect((await rejection(sut.get(request))).code).toBe('BLOB_UPLOAD_UNKNOWN');
    });

    it('answers both of two racing PUTs, and announces the blob once', async () => {
      const { sut, data, put } = opened();
      const results = await Promise.all([sut.put(put, origin), sut.put(put, origin)]);
      expect(results).toEqual([
        { kind: 'blob', blob: { digest, size: body.byteLength } },
        { kind: 'blob', blob: { digest, size: body.byteLength } },
      ]);
      expect(data.events).toHaveLength(1);
    });

    it('is unknown once cancelled, and its mark is forgotten after the idle timeout', async () => {
      const { sut, data, uploads, request } = opened();
      await sut.cancel('team/app', uploadId, request.deferred);
      expect((await rejection(sut.get(request))).code).toBe('BLOB_UPLOAD_UNKNOWN');
      expect((await rejection(sut.cancel('team/app', uploadId, request.deferred))).code).toBe(
        'BLOB_UPLOAD_UNKNOWN',
      );
      await expect(uploads.forgetEnded(10)).resolves.toBe(0);
      data.nowMs += 3600_000;
      await expect(uploads.forgetEnded(10)).resolves.toBe(1);
    });

    it('is unknown, even never used, once opened longer ago than the idle timeout', async () => {
      const { sut, data, request, put } = opened(60);
      data.nowMs += 60_000;
      for (const late of [sut.get(request), sut.put(put, origin)]) {
        expect((await rejection(late)).code).toBe('BLOB_UPLOAD_UNKNOWN');
      }
      expect(data.blobs.size).toBe(0);
    });

    it('refuses a body that is not its digest and ends the session', async () => {
      const { sut, data, request, put } = opened();
      expect((await rejection(sut.put({ ...put, digest: digestA }, origin))).code).toBe(
        'DIGEST_INVALID',
      );
      expect(data.blobs.size).toBe(0);
      expect((await rejection(sut.get(request))).code).toBe('BLOB_UPLOAD_UNKNOWN');
    });
  });

  describe('cancel', () => {
    it('ends the session and removes its bytes', async () => {
      const { sut, store, data } = setup();
      const started = await sut.start({ repository: 'team/app' }, origin);
      if (started.kind !== 'session') throw new Error('expected a session');
      await sut.cancel('team/app', started.session.uploadId);
      expect(store.uploads.size).toBe(0);
      expect(data.uploads.size).toBe(0);
      expect((await rejection(sut.cancel('team/app', started.session.uploadId))).code).toBe(
        'BLOB_UPLOAD_UNKNOWN',
      );
    });

    it('ends the session even when its bytes cannot be removed now, and says so in the log', async () => {
      const { sut, store, data, logLines } = setup();
      const started = await sut.start({ repository: 'team/app' }, origin);
      if (started.kind !== 'session') throw new Error('expected a session');
      store.failingAborts.add(started.session.uploadId);
      await sut.cancel('team/app', started.session.uploadId);
      expect(data.uploads.size).toBe(0);
      expect(logLines).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          msg: 'failed to remove bytes of a cancelled upload',
        }),
      );
    });
  });
});
