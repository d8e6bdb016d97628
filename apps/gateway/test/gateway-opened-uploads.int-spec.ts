/**
 * Upload sessions the gateway opens itself (MERIDIAN_UPLOAD_STATE_KEY set, as `npm start`
 * sets it): a plain POST asks nothing of the blob service, the session's `_state` rides in
 * every Location, and the blob service writes the session down only when a chunk comes.
 */
import { blobRpcsDuring, errorCode, expectStatus, randomBlob, withQuery } from './oci-requests';
import { type RegistryUnderTest, startRegistry } from './registry.harness';

describe('upload sessions the gateway opens', () => {
  let registry: RegistryUnderTest;

  beforeAll(async () => {
    registry = await startRegistry({
      gatewayEnv: { MERIDIAN_UPLOAD_STATE_KEY: 'the upload state key of the test gateway' },
    });
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
  });

  async function open(name: string): Promise<string> {
    const response = await expectStatus(
      await registry.request(`/v2/${name}/blobs/uploads/`, { method: 'POST' }),
      202,
    );
    return response.headers.get('location')!;
  }

  it('opens a session with no RPC, and takes a small blob with one', async () => {
    const blob = randomBlob(2000);
    let location = '';
    const verbs = await blobRpcsDuring(registry, async () => {
      const response = await expectStatus(
        await registry.request('/v2/opened/small/blobs/uploads/', { method: 'POST' }),
        202,
      );
      location = response.headers.get('location')!;
      const uuid = response.headers.get('docker-upload-uuid');
      expect(location).toMatch(
        new RegExp(`^/v2/opened/small/blobs/uploads/${uuid}\\?_state=[0-9a-z]+\\.[\\w-]{22}$`),
      );
      expect(response.headers.get('range')).toBe('0-0');

      const status = await expectStatus(await registry.request(location), 204);
      expect(status.headers.get('location')).toBe(location);
      expect(status.headers.get('range')).toBe('0-0');

      const put = await registry.request(withQuery(location, 'digest', blob.digest), {
        method: 'PUT',
        body: blob.bytes,
      });
      await expectStatus(put, 201);
      expect(put.headers.get('docker-content-digest')).toBe(blob.digest);
    });

    expect(verbs).toEqual(['upload-get', 'upload-put']);
    const fetched = await registry.request(`/v2/opened/small/blobs/${blob.digest}`);
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(blob.bytes);
    const ended = await registry.request(location);
    expect(ended.status).toBe(404);
    expect(await errorCode(ended)).toBe('BLOB_UPLOAD_UNKNOWN');
  });

  it('takes a small whole blob in one POST ?digest= with one RPC, and refuses a wrong digest', async () => {
    const blob = randomBlob(3000);
    const verbs = await blobRpcsDuring(registry, async () => {
      const created = await registry.request(
        `/v2/opened/monolithic/blobs/uploads/?digest=${blob.digest}`,
        {
          method: 'POST',
          body: blob.bytes,
        },
      );
      await expectStatus(created, 201);
      expect(created.headers.get('location')).toBe(`/v2/opened/monolithic/blobs/${blob.digest}`);
    });
    expect(verbs).toEqual(['upload-put']);
    const fetched = await registry.request(`/v2/opened/monolithic/blobs/${blob.digest}`);
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(blob.bytes);

    const claimed = randomBlob(3000).digest;
    const refused = await registry.request(
      `/v2/opened/monolithic/blobs/uploads/?digest=${claimed}`,
      {
        method: 'POST',
        body: blob.bytes,
      },
    );
    expect(refused.status).toBe(400);
    expect(await errorCode(refused)).toBe('DIGEST_INVALID');
    expect(
      (await registry.request(`/v2/opened/monolithic/blobs/${claimed}`, { method: 'HEAD' })).status,
    ).toBe(404);
  });

  it('takes chunks, across a gateway restart, keeping `_state` in every Location', async () => {
    const blob = randomBlob(200_000);
    const location = await open('opened/chunked');
    const first = await registry.request(location, {
      method: 'PATCH',
      headers: { 'content-range': '0-119999', 'content-type': 'application/octet-stream' },
      body: blob.bytes.subarray(0, 120_000),
    });
    await expectStatus(first, 202);
    expect(first.headers.get('location')).toBe(location);
    expect(first.headers.get('range')).toBe('0-119999');

    await registry.restartGateway();

    const out = await registry.request(location, {
      method: 'PATCH',
      headers: { 'content-range': '0-9', 'content-type': 'application/octet-stream' },
      body: blob.bytes.subarray(0, 10),
    });
    expect(out.status).toBe(416);
    expect(out.headers.get('location')).toBe(location);
    await expectStatus(
      await registry.request(location, {
        method: 'PATCH',
        body: blob.bytes.subarray(120_000),
      }),
      202,
    );
    const closed = await registry.request(withQuery(location, 'digest', blob.digest), {
      method: 'PUT',
    });
    await expectStatus(closed, 201);
    const fetched = await registry.request(`/v2/opened/chunked/blobs/${blob.digest}`);
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(blob.bytes);
    expect((await registry.request(location)).status).toBe(404);
  });

  it('cancels a session that never took a byte; it is unknown after', async () => {
    const location = await open('opened/cancel');
    expect((await registry.request(location, { method: 'DELETE' })).status).toBe(204);
    const gone = await registry.request(location);
    expect(gone.status).toBe(404);
    expect(await errorCode(gone)).toBe('BLOB_UPLOAD_UNKNOWN');
    expect((await registry.request(location, { method: 'DELETE' })).status).toBe(404);
    const blob = randomBlob(10);
    const put = await registry.request(withQuery(location, 'digest', blob.digest), {
      method: 'PUT',
      body: blob.bytes,
    });
    expect(put.status).toBe(404);
  });

  it('knows no session by a `_state` forged, changed, or of another repository', async () => {
    const location = await open('opened/owner');
    const [path, state] = location.split('?_state=') as [string, string];
    const uploadId = path.split('/').at(-1)!;
    const [time, mac] = state.split('.') as [string, string];
    const forgeries = [
      path,
      `${path}?_state=${time}.${'A'.repeat(22)}`,
      `${path}?_state=${(parseInt(time, 36) + 1).toString(36)}.${mac}`,
      `/v2/opened/intruder/blobs/uploads/${uploadId}?_state=${state}`,
    ];
    for (const forged of forgeries) {
      for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
        const refused = await registry.request(forged, {
          method,
          ...(method === 'PATCH' ? { body: 'x' } : {}),
        });
        expect(refused.status).toBe(404);
        expect(await errorCode(refused)).toBe('BLOB_UPLOAD_UNKNOWN');
      }
    }
    // the real session is untouched
    await expectStatus(await registry.request(location), 204);
  });

  it('refuses a whole PUT whose digest does not match, keeping nothing', async () => {
    const blob = randomBlob(300);
    const claimed = randomBlob(300).digest;
    const location = await open('opened/mismatch');
    const refused = await registry.request(withQuery(location, 'digest', claimed), {
      method: 'PUT',
      body: blob.bytes,
    });
    expect(refused.status).toBe(400);
    expect(await errorCode(refused)).toBe('DIGEST_INVALID');
    expect(
      (await registry.request(`/v2/opened/mismatch/blobs/${claimed}`, { method: 'HEAD' })).status,
    ).toBe(404);
    expect((await registry.request(location)).status).toBe(404);
  });
});
