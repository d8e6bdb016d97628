import { randomBytes, randomUUID } from 'node:crypto';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { RegistryError, blobRpc } from '@meridian/contracts';
import { uploadPrefix } from '@meridian/storage';
import { expectEventually } from '@meridian/testing';
import { appendBytes, startSession } from './push-blob';
import { type BlobServiceUnderTest, startBlobService } from './start-blob-service';

let service: BlobServiceUnderTest;

beforeAll(async () => {
  // sessions expire after two seconds; the sweeper runs every 500 ms
  service = await startBlobService({ uploadIdleTimeoutSeconds: 2 });
});
afterAll(async () => {
  await service?.stop();
});

describe('upload sweeper', () => {
  it('removes sessions idle past the timeout with their bytes, and keeps sessions in use', async () => {
    const repository = 'team/app';
    const idle = await startSession(service, repository);
    await appendBytes(service, idle, idle.state, randomBytes(4096));
    const busy = await startSession(service, repository);
    let busyState = busy.state;

    await expectEventually(
      async () => {
        // the busy session gets a chunk every few hundred milliseconds, so it never expires
        const fromOffset = busyState.size;
        busyState = await appendBytes(service, busy, busyState, randomBytes(16));
        await service.client.request(blobRpc.uploadAdvance, {
          repository,
          uploadId: busy.uploadId,
          fromOffset,
          state: busyState,
        });
        const rows = await service.sql<{ id: string }[]>`select id from blob.uploads`;
        expect(rows.map((row) => row.id)).toEqual([busy.uploadId]);
      },
      { timeoutMs: 15_000, intervalMs: 200 },
    );

    await expect(access(join(service.storeDir, uploadPrefix(idle.uploadId)))).rejects.toThrow(
      'ENOENT',
    );
    await expect(
      access(join(service.storeDir, uploadPrefix(busy.uploadId))),
    ).resolves.toBeUndefined();
    const gone = await service.client
      .request(blobRpc.uploadGet, { repository, uploadId: idle.uploadId })
      .catch((err: unknown) => err);
    expect(gone).toBeInstanceOf(RegistryError);
    expect(gone).toMatchObject({ code: 'BLOB_UPLOAD_UNKNOWN' });
    expect(service.logLines).toContainEqual(
      expect.objectContaining({ level: 'info', msg: 'expired uploads swept', removed: 1, kept: 0 }),
    );
  });
});

describe('upload sweeper and sessions the gateway opened', () => {
  it('forgets the mark of an ended session once its `_state` has expired', async () => {
    const repository = 'team/opened';
    const uploadId = randomUUID();
    const deferred = { startedAt: new Date().toISOString() };
    await service.client.request(blobRpc.uploadCancel, { repository, uploadId, deferred });
    const marks = () =>
      service.sql<{ id: string }[]>`select id from blob.ended_uploads where id = ${uploadId}`;
    expect(await marks()).toHaveLength(1);
    await expectEventually(async () => expect(await marks()).toHaveLength(0), {
      timeoutMs: 15_000,
      intervalMs: 200,
    });
  });
});
