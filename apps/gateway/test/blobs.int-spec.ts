import { type Blob, errorCode, expectStatus, pushBlob, randomBlob } from './oci-requests';
import { type RegistryUnderTest, startRegistry } from './registry.harness';

describe('blobs', () => {
  let registry: RegistryUnderTest;
  let blob: Blob;
  const name = 'blobs/app';
  const path = () => `/v2/${name}/blobs/${blob.digest}`;

  beforeAll(async () => {
    registry = await startRegistry();
    blob = randomBlob(10_000);
    await pushBlob(registry, name, blob);
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
  });

  it('serves a blob with its length, type, digest and ETag', async () => {
    const response = await registry.request(path());

    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe('10000');
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('docker-content-digest')).toBe(blob.digest);
    expect(response.headers.get('etag')).toBe(`"${blob.digest}"`);
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(blob.bytes);
  });

  it('answers HEAD with the same headers and no body', async () => {
    const response = await registry.request(path(), { method: 'HEAD' });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe('10000');
    expect(response.headers.get('docker-content-digest')).toBe(blob.digest);
    expect((await response.arrayBuffer()).byteLength).toBe(0);
  });

  it('answers a conditional GET of the same blob with 304', async () => {
    const response = await registry.request(path(), {
      headers: { 'if-none-match': `"${blob.digest}"` },
    });

    expect(response.status).toBe(304);
  });

  it.each([
    ['bytes=0-99', 0, 99],
    ['bytes=9900-', 9900, 9999],
    ['bytes=-10', 9990, 9999],
    ['bytes=5000-20000', 5000, 9999],
  ])('serves the range %s with 206 and Content-Range', async (range, start, end) => {
    const response = await registry.request(path(), { headers: { range } });

    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe(`bytes ${start}-${end}/10000`);
    expect(response.headers.get('content-length')).toBe(String(end - start + 1));
    expect(Buffer.from(await response.arrayBuffer())).toEqual(blob.bytes.subarray(start, end + 1));
  });

  it.each(['bytes=10000-', 'bytes=50-10', 'bytes=abc', 'bytes=0-1,5-6', 'items 0-1'])(
    'refuses the range %s with 416 RANGE_INVALID and the size',
    async (range) => {
      const response = await registry.request(path(), { headers: { range } });

      expect(response.status).toBe(416);
      expect(response.headers.get('content-range')).toBe('bytes */10000');
      expect(await errorCode(response)).toBe('RANGE_INVALID');
    },
  );

  it('answers 404 BLOB_UNKNOWN for a blob the repository was not given', async () => {
    const other = await registry.request(`/v2/blobs/other/blobs/${blob.digest}`);
    expect(other.status).toBe(404);
    expect(await errorCode(other)).toBe('BLOB_UNKNOWN');

    const head = await registry.request(`/v2/blobs/other/blobs/${blob.digest}`, { method: 'HEAD' });
    expect(head.status).toBe(404);
    expect(head.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
  });

  it('deletes a blob from a repository with 202', async () => {
    const doomed = randomBlob(100);
    await pushBlob(registry, 'blobs/delete', doomed);

    expect(
      (await registry.request(`/v2/blobs/delete/blobs/${doomed.digest}`, { method: 'DELETE' }))
        .status,
    ).toBe(202);
    expect(
      (await registry.request(`/v2/blobs/delete/blobs/${doomed.digest}`, { method: 'HEAD' }))
        .status,
    ).toBe(404);
    const again = await registry.request(`/v2/blobs/delete/blobs/${doomed.digest}`, {
      method: 'DELETE',
    });
    expect(again.status).toBe(404);
    expect(await errorCode(again)).toBe('BLOB_UNKNOWN');
  });

  it('refuses other methods with 405 UNSUPPORTED and Allow', async () => {
    const response = await registry.request(path(), { method: 'PUT', body: 'x' });

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD, DELETE');
    expect(await errorCode(response)).toBe('UNSUPPORTED');
  });

  it('streams a large blob both ways unchanged', async () => {
    const large = randomBlob(24 * 1024 * 1024);
    await pushBlob(registry, 'blobs/large', large);

    const response = await expectStatus(
      await registry.request(`/v2/blobs/large/blobs/${large.digest}`),
      200,
    );
    expect(Buffer.from(await response.arrayBuffer()).equals(large.bytes)).toBe(true);
  });
});
