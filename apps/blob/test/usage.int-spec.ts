import { createHash, randomBytes } from 'node:crypto';
import { RegistryError, blobRpc } from '@meridian/contracts';
import { blobKey } from '@meridian/storage';
import { appendBytes, pushBlob, sha256Digest, startSession } from './push-blob';
import { type BlobServiceUnderTest, startBlobService } from './start-blob-service';

const storeQuota = 20_000;
let service: BlobServiceUnderTest;

beforeAll(async () => {
  service = await startBlobService({ storageQuotaBytes: storeQuota });
});
afterAll(async () => {
  await service?.stop();
});

async function errorOf(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(error instanceof RegistryError))
    throw new Error(`expected a RegistryError, got ${String(error)}`);
  return error;
}

async function usageOf(repository: string) {
  const usage = await service.client.request(blobRpc.usage, {});
  return usage.repositories.find((row) => row.repository === repository);
}

async function thresholdEvents() {
  return (await service.events())
    .filter((event) => event.subject.endsWith('.usage.threshold.v1'))
    .map((event) => event.payload);
}

describe('blob service: usage', () => {
  it('counts a blob once in the store and once in each repository that sees it', async () => {
    const before = await service.client.request(blobRpc.usage, {});
    const sharedBytes = randomBytes(100);
    const shared = await pushBlob(service, 'usage/one', [sharedBytes]);
    await service.client.request(blobRpc.uploadStart, {
      repository: 'usage/two',
      mount: { digest: shared.digest, from: 'usage/one' },
    });
    await pushBlob(service, 'usage/two', [randomBytes(50)]);
    // the same bytes pushed again, into either repository, add nothing anywhere
    await pushBlob(service, 'usage/one', [sharedBytes]);
    await pushBlob(service, 'usage/two', [sharedBytes]);

    const after = await service.client.request(blobRpc.usage, {});
    expect(after.bytes - before.bytes).toBe(150);
    expect(after.blobs - before.blobs).toBe(2);
    expect(after.quotaBytes).toBe(storeQuota);
    expect(await usageOf('usage/one')).toEqual({ repository: 'usage/one', bytes: 100, blobs: 1 });
    expect(await usageOf('usage/two')).toEqual({ repository: 'usage/two', bytes: 150, blobs: 2 });

    // a delete unlinks: the repository loses the blob, the store keeps its bytes until GC
    await service.client.request(blobRpc.delete, {
      repository: 'usage/two',
      digest: shared.digest,
    });
    expect(await usageOf('usage/two')).toEqual({ repository: 'usage/two', bytes: 50, blobs: 1 });
    expect((await service.client.request(blobRpc.usage, {})).bytes - before.bytes).toBe(150);
  });

  it('counts blobs replication links into the region', async () => {
    const bytes = randomBytes(64);
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    await service.store.put(blobKey(digest), bytes, 64);
    await service.client.request(blobRpc.link, {
      repository: 'usage/replicated',
      digest,
      size: 64,
    });
    expect(await usageOf('usage/replicated')).toEqual({
      repository: 'usage/replicated',
      bytes: 64,
      blobs: 1,
    });
  });
});

describe('blob service: repository quotas', () => {
  const repository = 'quota/app';

  it('sets, reads and removes a quota', async () => {
    await expect(
      service.client.request(blobRpc.quotaPut, { repository: 'quota/other', bytes: 5 }),
    ).resolves.toEqual({ repository: 'quota/other', bytes: 5 });
    await expect(
      service.client.request(blobRpc.quotaGet, { repository: 'quota/other' }),
    ).resolves.toEqual({ repository: 'quota/other', bytes: 5 });
    expect(await usageOf('quota/other')).toEqual({
      repository: 'quota/other',
      bytes: 0,
      blobs: 0,
      quotaBytes: 5,
    });
    await service.client.request(blobRpc.quotaPut, { repository: 'quota/other', bytes: null });
    await expect(
      service.client.request(blobRpc.quotaGet, { repository: 'quota/other' }),
    ).resolves.toEqual({ repository: 'quota/other', bytes: null });
  });

  it('refuses uploads past the quota, changing nothing, and announces 80% and 100% once each', async () => {
    await service.client.request(blobRpc.quotaPut, { repository, bytes: 1000 });
    await pushBlob(service, repository, [randomBytes(700)]);
    expect(await thresholdEvents()).toEqual([]);

    await pushBlob(service, repository, [randomBytes(150)]); // 85%
    await pushBlob(service, repository, [randomBytes(50)]); // 90%: no second announcement

    // refused at start, when the client says the size
    const atStart = await errorOf(
      service.client.request(blobRpc.uploadStart, { repository, expected: { size: 101 } }),
    );
    expect(atStart.code).toBe('DENIED');
    expect(atStart.message).toContain(`repository ${repository} past its quota (1000 bytes)`);

    // refused at completion, once the digest is verified, before anything is linked
    const bytes = randomBytes(101);
    const digest = sha256Digest(bytes);
    const session = await startSession(service, repository);
    const state = await appendBytes(service, session, session.state, bytes);
    const atCompletion = await errorOf(
      service.client.request(blobRpc.uploadComplete, {
        repository,
        uploadId: session.uploadId,
        digest,
        state,
      }),
    );
    expect(atCompletion.code).toBe('DENIED');
    expect(await service.sql`select 1 from blob.blobs where digest = ${digest}`).toHaveLength(0);
    expect(await service.store.stat(blobKey(digest))).toBeUndefined();
    expect(await usageOf(repository)).toMatchObject({ bytes: 900, blobs: 3, quotaBytes: 1000 });

    // reaching the quota exactly is allowed, and announced
    await pushBlob(service, repository, [randomBytes(100)]);
    expect(await usageOf(repository)).toMatchObject({ bytes: 1000, blobs: 4 });

    const events = await thresholdEvents();
    expect(events).toEqual([
      expect.objectContaining({
        quota: 'repository',
        repository,
        threshold: 80,
        usedBytes: 850,
        quotaBytes: 1000,
      }),
      expect.objectContaining({
        quota: 'repository',
        repository,
        threshold: 100,
        usedBytes: 1000,
        quotaBytes: 1000,
      }),
    ]);
  });

  it('announces a crossing again after usage fell back below it', async () => {
    const [row] = await service.sql<{ digest: string }[]>`
      select l.digest from blob.repository_blobs l join blob.blobs b on b.digest = l.digest
      where l.repository = ${repository} and b.size = 700`;
    await service.client.request(blobRpc.delete, { repository, digest: row!.digest }); // 30%
    await pushBlob(service, repository, [randomBytes(600)]); // 90%
    const events = await thresholdEvents();
    expect(events.map((event) => event['threshold'])).toEqual([80, 100, 80]);
  });
});

describe('blob service: the store quota', () => {
  it('refuses an upload that would take the store past MERIDIAN_STORAGE_QUOTA_BYTES', async () => {
    const { bytes: used } = await service.client.request(blobRpc.usage, {});
    const error = await errorOf(
      service.client.request(blobRpc.uploadStart, {
        repository: 'store/app',
        expected: { size: storeQuota - used + 1 },
      }),
    );
    expect(error.code).toBe('DENIED');
    expect(error.message).toContain('MERIDIAN_STORAGE_QUOTA_BYTES');
    expect(error.detail).toMatchObject({ quota: 'registry', quotaBytes: storeQuota });

    await pushBlob(service, 'store/app', [randomBytes(Math.ceil(storeQuota * 0.8) - used)]);
    const events = (await thresholdEvents()).filter((event) => event['quota'] === 'registry');
    expect(events).toEqual([expect.objectContaining({ threshold: 80, quotaBytes: storeQuota })]);
    expect(events[0]).not.toHaveProperty('repository');
  });
});
