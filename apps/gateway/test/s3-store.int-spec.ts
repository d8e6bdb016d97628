/**
 * The gateway on an S3 store (a real Ceph RGW): chunks become multipart parts, and blob
 * GETs send the client to a presigned URL of the store with 307. A chunked upload closed
 * with a sha512 digest is read back from its parts and hashed with sha512 at the close.
 */
import { errorCode, expectStatus, pushBlob, randomBlob, startUpload } from './oci-requests';
import { type RegistryUnderTest, startRegistry } from './registry.harness';

describe('gateway on an S3 store', () => {
  let registry: RegistryUnderTest;

  beforeAll(async () => {
    registry = await startRegistry({ storage: 's3' });
  }, 180_000);

  afterAll(async () => {
    await registry?.stop();
  });

  it('redirects a blob GET to a presigned URL that serves the blob', async () => {
    const blob = randomBlob(3 * 1024 * 1024);
    await pushBlob(registry, 's3/mono', blob);

    const response = await registry.request(`/v2/s3/mono/blobs/${blob.digest}`, {
      redirect: 'manual',
    });

    expect(response.status).toBe(307);
    expect(response.headers.get('docker-content-digest')).toBe(blob.digest);
    const location = response.headers.get('location')!;
    const storage = registry.config.storage;
    expect(new URL(location).origin).toBe(
      new URL(storage.driver === 's3' ? storage.endpoint! : '').origin,
    );
    const fetched = await fetch(location);
    expect(fetched.status).toBe(200);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(blob.bytes)).toBe(true);
  });

  it('answers HEAD itself, without sending the client to the store', async () => {
    const blob = randomBlob(1000);
    await pushBlob(registry, 's3/head', blob);

    const response = await registry.request(`/v2/s3/head/blobs/${blob.digest}`, {
      method: 'HEAD',
      redirect: 'manual',
    });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe('1000');
  });

  it.each(['sha256', 'sha512'] as const)(
    'assembles chunks of any size into the blob (%s)',
    async (algorithm) => {
      const blob = randomBlob(13 * 1024 * 1024, algorithm);
      const location = await startUpload(registry, 's3/chunked');
      const cuts = [0, 1024 * 1024, 7 * 1024 * 1024, 8 * 1024 * 1024, blob.size];

      for (let index = 0; index < cuts.length - 1; index += 1) {
        const [start, end] = [cuts[index]!, cuts[index + 1]!];
        await expectStatus(
          await registry.request(location, {
            method: 'PATCH',
            headers: { 'content-range': `${start}-${end - 1}` },
            body: blob.bytes.subarray(start, end),
          }),
          202,
        );
      }
      await expectStatus(
        await registry.request(`${location}?digest=${blob.digest}`, { method: 'PUT' }),
        201,
      );

      const response = await registry.request(`/v2/s3/chunked/blobs/${blob.digest}`);
      expect(Buffer.from(await response.arrayBuffer()).equals(blob.bytes)).toBe(true);
    },
  );

  it('takes a small blob whole in its PUT, leaving nothing of the session in the bucket', async () => {
    const blob = randomBlob(2048);
    const location = await startUpload(registry, 's3/small');
    const uploadId = location.split('/').at(-1)!;

    await expectStatus(
      await registry.request(`${location}?digest=${blob.digest}`, {
        method: 'PUT',
        body: blob.bytes,
      }),
      201,
    );

    const response = await registry.request(`/v2/s3/small/blobs/${blob.digest}`);
    expect(Buffer.from(await response.arrayBuffer()).equals(blob.bytes)).toBe(true);
    const leftovers: string[] = [];
    for await (const key of registry.store.list(`_uploads/${uploadId}`)) leftovers.push(key);
    expect(leftovers).toEqual([]);
  });

  it('keeps nothing of an upload whose digest does not match', async () => {
    const blob = randomBlob(6 * 1024 * 1024);
    const claimed = randomBlob(10).digest;
    const location = await startUpload(registry, 's3/mismatch');

    const refused = await registry.request(`${location}?digest=${claimed}`, {
      method: 'PUT',
      body: blob.bytes,
    });

    expect(refused.status).toBe(400);
    expect(await errorCode(refused)).toBe('DIGEST_INVALID');
    expect(
      (await registry.request(`/v2/s3/mismatch/blobs/${claimed}`, { method: 'HEAD' })).status,
    ).toBe(404);
    expect(
      await registry.store.stat(`blobs/sha256/${claimed.slice(7, 9)}/${claimed.slice(7)}`),
    ).toBeUndefined();
  });
});
