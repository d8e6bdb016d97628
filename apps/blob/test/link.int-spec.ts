import { createHash, randomBytes } from 'node:crypto';
import { RegistryError, blobRpc } from '@meridian/contracts';
import { blobKey } from '@meridian/storage';
import { type BlobServiceUnderTest, startBlobService } from './start-blob-service';

let service: BlobServiceUnderTest;

beforeAll(async () => {
  service = await startBlobService();
});
afterAll(async () => {
  await service?.stop();
});

/** Bytes placed at their blob key, as replication leaves them after copying and verifying. */
async function copiedBlob(size = 2048) {
  const bytes = randomBytes(size);
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  await service.store.put(blobKey(digest), bytes, size);
  return { digest, size };
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

describe('blob service: linking replicated blobs', () => {
  it('links bytes the filesystem store holds, idempotently, and announces nothing', async () => {
    const blob = await copiedBlob();

    await expect(
      service.client.request(blobRpc.link, { repository: 'replicated/app', ...blob }),
    ).resolves.toEqual(blob);
    await expect(
      service.client.request(blobRpc.link, { repository: 'replicated/app', ...blob }),
    ).resolves.toEqual(blob);

    await expect(
      service.client.request(blobRpc.stat, { repository: 'replicated/app', digest: blob.digest }),
    ).resolves.toEqual(blob);
    const links = await service.sql`
      select repository from blob.repository_blobs where digest = ${blob.digest}`;
    expect(links.map((row) => row['repository'])).toEqual(['replicated/app']);
    // a linked blob can be mounted like an uploaded one
    await expect(
      service.client.request(blobRpc.uploadStart, {
        repository: 'replicated/other',
        mount: { digest: blob.digest, from: 'replicated/app' },
      }),
    ).resolves.toEqual({ kind: 'mounted', blob });
    const events = (await service.events()).filter(
      (event) => event.payload['repository'] === 'replicated/app',
    );
    expect(events).toEqual([]);
  });

  it('links more blobs at once than its pool has connections, each in a transaction of its own', async () => {
    // a transaction that waited on a query needing a second pooled connection held the whole
    // pool once every connection was in such a transaction: nothing answered again
    const blobs = await Promise.all(Array.from({ length: 40 }, () => copiedBlob(64)));

    const linked = await Promise.all(
      blobs.map((blob) =>
        service.client.request(blobRpc.link, { repository: 'replicated/many', ...blob }),
      ),
    );

    expect(linked).toEqual(blobs);
    const [row] = await service.sql<{ links: number }[]>`
      select count(*)::int as links from blob.repository_blobs where repository = 'replicated/many'`;
    expect(row?.links).toBe(blobs.length);
  });

  it("announces the crossing of a repository's quota that bytes linked in make, once", async () => {
    const repository = 'replicated/quota';
    await service.client.request(blobRpc.quotaPut, { repository, bytes: 100 });
    const blob = await copiedBlob(90);

    await service.client.request(blobRpc.link, { repository, ...blob });
    await service.client.request(blobRpc.link, { repository, ...blob });

    const events = (await service.events()).filter(
      (event) => event.payload['repository'] === repository,
    );
    expect(events.map((event) => event.payload)).toEqual([
      expect.objectContaining({ quota: 'repository', threshold: 80, usedBytes: 90 }),
    ]);
  });

  it('answers BLOB_UNKNOWN for bytes that are not in the store, and links nothing', async () => {
    const digest = `sha256:${createHash('sha256').update('never copied').digest('hex')}`;

    const error = await errorOf(
      service.client.request(blobRpc.link, { repository: 'replicated/missing', digest, size: 12 }),
    );

    expect(error.code).toBe('BLOB_UNKNOWN');
    expect(await service.sql`select 1 from blob.blobs where digest = ${digest}`).toHaveLength(0);
  });

  it('answers SIZE_INVALID when the stored bytes are not the size asked for', async () => {
    const blob = await copiedBlob(100);

    const error = await errorOf(
      service.client.request(blobRpc.link, {
        repository: 'replicated/short',
        digest: blob.digest,
        size: 101,
      }),
    );

    expect(error).toMatchObject({
      code: 'SIZE_INVALID',
      detail: { digest: blob.digest, size: 101, stored: 100 },
    });
    expect(
      await service.sql`select 1 from blob.repository_blobs where digest = ${blob.digest}`,
    ).toHaveLength(0);
  });
});
