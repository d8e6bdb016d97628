import { randomBytes, randomUUID } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RegistryError, blobRpc, eventSubject } from '@meridian/contracts';
import { blobKey, uploadPrefix } from '@meridian/storage';
import { appendBytes, pushBlob, sha256Digest, startSession } from './push-blob';
import { type BlobServiceUnderTest, startBlobService } from './start-blob-service';

let service: BlobServiceUnderTest;
let repositoryCount = 0;

beforeAll(async () => {
  service = await startBlobService();
});
afterAll(async () => {
  await service?.stop();
});

/** A repository no other test uses, so tests can share the service. */
function newRepository(): string {
  repositoryCount += 1;
  return `team${repositoryCount}/app`;
}

async function errorOf(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(error instanceof RegistryError))
    throw new Error(`expected a RegistryError, got ${String(error)}`);
  return error;
}

async function eventsOf(repositories: string[]) {
  return (await service.events()).filter((event) =>
    repositories.includes(event.payload['repository'] as string),
  );
}

describe('blob service', () => {
  it('takes a blob in chunks, moves it to its content address and ends the session', async () => {
    const repository = newRepository();
    const first = randomBytes(3000);
    const second = randomBytes(1234);
    const session = await startSession(service, repository);
    expect(session).toMatchObject({ repository, offset: 0, state: { size: 0 } });

    const afterFirst = await appendBytes(service, session, session.state, first);
    const advanced = await service.client.request(blobRpc.uploadAdvance, {
      repository,
      uploadId: session.uploadId,
      fromOffset: 0,
      state: afterFirst,
    });
    expect(advanced).toMatchObject({
      offset: 3000,
      state: afterFirst,
      startedAt: session.startedAt,
    });
    await expect(
      service.client.request(blobRpc.uploadGet, { repository, uploadId: session.uploadId }),
    ).resolves.toMatchObject({ offset: 3000 });

    const final = await appendBytes(service, session, afterFirst, second);
    const digest = sha256Digest(Buffer.concat([first, second]));
    const blob = await service.client.request(blobRpc.uploadComplete, {
      repository,
      uploadId: session.uploadId,
      digest,
      state: final,
    });

    expect(blob).toEqual({ digest, size: 4234 });
    await expect(readFile(join(service.storeDir, blobKey(digest)))).resolves.toEqual(
      Buffer.concat([first, second]),
    );
    await expect(access(join(service.storeDir, uploadPrefix(session.uploadId)))).rejects.toThrow(
      'ENOENT',
    );
    await expect(service.client.request(blobRpc.stat, { repository, digest })).resolves.toEqual(
      blob,
    );
    const gone = await errorOf(
      service.client.request(blobRpc.uploadGet, { repository, uploadId: session.uploadId }),
    );
    expect(gone.code).toBe('BLOB_UPLOAD_UNKNOWN');
  });

  it('refuses a chunk recorded from a stale offset, naming the current one', async () => {
    const repository = newRepository();
    const session = await startSession(service, repository);
    const state = await appendBytes(service, session, session.state, randomBytes(100));
    const advance = { repository, uploadId: session.uploadId, fromOffset: 0, state };
    await service.client.request(blobRpc.uploadAdvance, advance);

    const stale = await errorOf(service.client.request(blobRpc.uploadAdvance, advance));
    expect(stale).toMatchObject({ code: 'RANGE_INVALID', detail: { offset: 100 } });
  });

  it('knows a session only in the repository that started it', async () => {
    const repository = newRepository();
    const other = newRepository();
    const session = await startSession(service, repository);
    const state = await appendBytes(service, session, session.state, Buffer.from('layer'));
    const uploadId = session.uploadId;
    const digest = sha256Digest(Buffer.from('layer'));

    const calls = [
      service.client.request(blobRpc.uploadGet, { repository: other, uploadId }),
      service.client.request(blobRpc.uploadAdvance, {
        repository: other,
        uploadId,
        fromOffset: 0,
        state,
      }),
      service.client.request(blobRpc.uploadComplete, {
        repository: other,
        uploadId,
        digest,
        state,
      }),
      service.client.request(blobRpc.uploadCancel, { repository: other, uploadId }),
      service.client.request(blobRpc.uploadGet, { repository, uploadId: randomUUID() }),
    ];
    for (const call of calls) expect((await errorOf(call)).code).toBe('BLOB_UPLOAD_UNKNOWN');

    await expect(
      service.client.request(blobRpc.uploadGet, { repository, uploadId }),
    ).resolves.toMatchObject({ offset: 0 });
    await expect(access(join(service.storeDir, uploadPrefix(uploadId)))).resolves.toBeUndefined();
    expect(
      (await errorOf(service.client.request(blobRpc.stat, { repository: other, digest }))).code,
    ).toBe('BLOB_UNKNOWN');
  });

  it('cancels a session and removes its bytes', async () => {
    const repository = newRepository();
    const session = await startSession(service, repository);
    await appendBytes(service, session, session.state, randomBytes(10));
    await service.client.request(blobRpc.uploadCancel, { repository, uploadId: session.uploadId });

    await expect(access(join(service.storeDir, uploadPrefix(session.uploadId)))).rejects.toThrow(
      'ENOENT',
    );
    const gone = await errorOf(
      service.client.request(blobRpc.uploadGet, { repository, uploadId: session.uploadId }),
    );
    expect(gone.code).toBe('BLOB_UPLOAD_UNKNOWN');
  });

  it('answers stat and statMany per repository', async () => {
    const repository = newRepository();
    const other = newRepository();
    const mine = await pushBlob(service, repository, [randomBytes(10)]);
    const theirs = await pushBlob(service, other, [randomBytes(20)]);
    const nowhere = sha256Digest(randomBytes(5));

    expect(
      (await errorOf(service.client.request(blobRpc.stat, { repository, digest: theirs.digest })))
        .code,
    ).toBe('BLOB_UNKNOWN');
    const { found } = await service.client.request(blobRpc.statMany, {
      repository,
      digests: [mine.digest, theirs.digest, nowhere, mine.digest],
    });
    expect(found).toEqual([mine]);
    await expect(
      service.client.request(blobRpc.statMany, { repository, digests: [] }),
    ).resolves.toEqual({ found: [] });
  });

  it('mounts a blob from a repository that sees it, and starts a session when `from` does not', async () => {
    const source = newRepository();
    const target = newRepository();
    const stranger = newRepository();
    const blob = await pushBlob(service, source, [randomBytes(64)]);

    const refused = await service.client.request(blobRpc.uploadStart, {
      repository: target,
      mount: { digest: blob.digest, from: stranger },
    });
    expect(refused).toMatchObject({ kind: 'session', session: { repository: target, offset: 0 } });
    expect(
      (
        await errorOf(
          service.client.request(blobRpc.stat, { repository: target, digest: blob.digest }),
        )
      ).code,
    ).toBe('BLOB_UNKNOWN');

    const mounted = await service.client.request(blobRpc.uploadStart, {
      repository: target,
      mount: { digest: blob.digest, from: source },
    });
    expect(mounted).toEqual({ kind: 'mounted', blob });
    await expect(
      service.client.request(blobRpc.stat, { repository: target, digest: blob.digest }),
    ).resolves.toEqual(blob);
  });

  it('mounts automatically, without `from`, a blob any repository of the region sees', async () => {
    const source = newRepository();
    const target = newRepository();
    const blob = await pushBlob(service, source, [randomBytes(64)]);

    const mounted = await service.client.request(blobRpc.uploadStart, {
      repository: target,
      mount: { digest: blob.digest },
    });
    expect(mounted).toEqual({ kind: 'mounted', blob });

    const unknown = sha256Digest(randomBytes(8));
    const fresh = await service.client.request(blobRpc.uploadStart, {
      repository: target,
      mount: { digest: unknown },
    });
    expect(fresh.kind).toBe('session');
  });

  it('deletes a blob from one repository only', async () => {
    const repository = newRepository();
    const other = newRepository();
    const blob = await pushBlob(service, repository, [Buffer.from('shared layer')]);
    await service.client.request(blobRpc.uploadStart, {
      repository: other,
      mount: { digest: blob.digest, from: repository },
    });

    await service.client.request(blobRpc.delete, { repository, digest: blob.digest });

    expect(
      (await errorOf(service.client.request(blobRpc.stat, { repository, digest: blob.digest })))
        .code,
    ).toBe('BLOB_UNKNOWN');
    await expect(
      service.client.request(blobRpc.stat, { repository: other, digest: blob.digest }),
    ).resolves.toEqual(blob);
    await expect(access(join(service.storeDir, blobKey(blob.digest)))).resolves.toBeUndefined();
    expect(
      (await errorOf(service.client.request(blobRpc.delete, { repository, digest: blob.digest })))
        .code,
    ).toBe('BLOB_UNKNOWN');
  });

  it('says a blob deleted from a repository here was deleted, until an upload, mount or link brings it back', async () => {
    const stat = (repository: string, digest: string) =>
      errorOf(service.client.request(blobRpc.stat, { repository, digest }));
    const repository = newRepository();
    const source = newRepository();
    const blob = await pushBlob(service, repository, [Buffer.from('deleted, then back')]);
    await pushBlob(service, source, [Buffer.from('deleted, then back')]);

    expect((await stat(repository, sha256Digest(Buffer.from('never pushed')))).detail).toEqual({
      digest: sha256Digest(Buffer.from('never pushed')),
    });
    const comeBack: (() => Promise<unknown>)[] = [
      () => pushBlob(service, repository, [Buffer.from('deleted, then back')]),
      () =>
        service.client.request(blobRpc.uploadStart, {
          repository,
          mount: { digest: blob.digest, from: source },
        }),
      () =>
        service.client.request(blobRpc.link, { repository, digest: blob.digest, size: blob.size }),
    ];
    for (const bringBack of comeBack) {
      await service.client.request(blobRpc.delete, { repository, digest: blob.digest });
      const deleted = await stat(repository, blob.digest);
      expect(deleted.code).toBe('BLOB_UNKNOWN');
      expect(deleted.detail).toEqual({ digest: blob.digest, deleted: true });
      await bringBack();
      await expect(
        service.client.request(blobRpc.stat, { repository, digest: blob.digest }),
      ).resolves.toEqual(blob);
    }
  });

  it('answers both of two racing completes of one session with the blob', async () => {
    const repository = newRepository();
    const bytes = randomBytes(2048);
    const session = await startSession(service, repository);
    const state = await appendBytes(service, session, session.state, bytes);
    const complete = { repository, uploadId: session.uploadId, digest: sha256Digest(bytes), state };

    const answers = await Promise.all([
      service.client.request(blobRpc.uploadComplete, complete),
      service.client.request(blobRpc.uploadComplete, complete),
    ]);

    expect(answers).toEqual([
      { digest: complete.digest, size: 2048 },
      { digest: complete.digest, size: 2048 },
    ]);
    expect(await eventsOf([repository])).toHaveLength(1);
  });

  it('publishes each change once to the region stream, with who made it', async () => {
    const repository = newRepository();
    const mirror = newRepository();
    const context = {
      actor: { name: 'ci-pipeline' },
      request: { id: 'req-42', host: 'registry.example', method: 'PUT', useragent: 'skopeo/1.13' },
    };
    const chunks = [randomBytes(500), randomBytes(500)];
    const blob = await pushBlob(service, repository, chunks, context);
    // the same blob again and a repeated mount change nothing, so announce nothing
    await expect(pushBlob(service, repository, chunks, context)).resolves.toEqual(blob);
    const mount = { repository: mirror, mount: { digest: blob.digest, from: repository } };
    await service.client.request(blobRpc.uploadStart, mount, { context });
    await service.client.request(blobRpc.uploadStart, mount, { context });
    await service.client.request(blobRpc.delete, { repository, digest: blob.digest }, { context });

    const events = await eventsOf([repository, mirror]);

    const envelope = {
      eventId: expect.any(String),
      originRegion: 'us-east',
      hlc: expect.stringMatching(/\.us-east$/),
      occurredAt: expect.any(String),
      ...context,
    };
    expect(events.map(({ subject, payload }) => ({ subject, payload }))).toEqual([
      {
        subject: eventSubject('us-east', 'blob.uploaded.v1'),
        payload: { ...envelope, repository, digest: blob.digest, size: 1000 },
      },
      {
        subject: eventSubject('us-east', 'blob.uploaded.v1'),
        payload: {
          ...envelope,
          repository: mirror,
          digest: blob.digest,
          size: 1000,
          mountedFrom: repository,
        },
      },
      {
        subject: eventSubject('us-east', 'blob.deleted.v1'),
        payload: { ...envelope, repository, digest: blob.digest },
      },
    ]);
    expect(events.map((event) => event.msgId)).toEqual(
      events.map((event) => event.payload['eventId']),
    );
    const clocks = events.map((event) => event.payload['hlc'] as string);
    expect([...clocks].sort()).toEqual(clocks);
  });
});
