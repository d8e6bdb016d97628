import { request as httpRequest } from 'node:http';
import { maxUploadPutBytes } from '@meridian/contracts';
import { expectEventually } from '@meridian/testing';
import {
  blobOf,
  blobRpcsDuring,
  errorCode,
  expectStatus,
  pushBlob,
  randomBlob,
  startUpload,
} from './oci-requests';
import { type RegistryUnderTest, startRegistry } from './registry.harness';

describe('blob uploads', () => {
  let registry: RegistryUnderTest;

  beforeAll(async () => {
    registry = await startRegistry();
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
  });

  const uploadStatus = (location: string) => registry.request(location);
  const blobStatus = async (name: string, digest: string) =>
    (await registry.request(`/v2/${name}/blobs/${digest}`, { method: 'HEAD' })).status;

  it('starts a session with 202, Location, Range and Docker-Upload-UUID', async () => {
    const response = await registry.request('/v2/uploads/start/blobs/uploads/', { method: 'POST' });

    expect(response.status).toBe(202);
    const uuid = response.headers.get('docker-upload-uuid');
    expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('location')).toBe(`/v2/uploads/start/blobs/uploads/${uuid}`);
    expect(response.headers.get('range')).toBe('0-0');
    expect(response.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
  });

  it('takes a whole blob in one POST ?digest=', async () => {
    const blob = randomBlob(4096);
    const response = await registry.request(
      `/v2/uploads/monolithic/blobs/uploads/?digest=${blob.digest}`,
      {
        method: 'POST',
        body: blob.bytes,
      },
    );

    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe(`/v2/uploads/monolithic/blobs/${blob.digest}`);
    expect(response.headers.get('docker-content-digest')).toBe(blob.digest);
    const fetched = await registry.request(`/v2/uploads/monolithic/blobs/${blob.digest}`);
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(blob.bytes);
  });

  it('takes an empty blob', async () => {
    const empty = blobOf('');
    await pushBlob(registry, 'uploads/empty', empty);

    const response = await registry.request(`/v2/uploads/empty/blobs/${empty.digest}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe('0');
  });

  it('takes a small blob by POST and PUT in one blob-service RPC each', async () => {
    const blob = randomBlob(maxUploadPutBytes);
    let location = '';

    const verbs = await blobRpcsDuring(registry, async () => {
      location = await startUpload(registry, 'uploads/small');
      const put = await registry.request(`${location}?digest=${blob.digest}`, {
        method: 'PUT',
        body: blob.bytes,
      });
      await expectStatus(put, 201);
      expect(put.headers.get('docker-content-digest')).toBe(blob.digest);
    });

    expect(verbs).toEqual(['upload-start', 'upload-put']);
    const fetched = await registry.request(`/v2/uploads/small/blobs/${blob.digest}`);
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(blob.bytes);
    expect((await uploadStatus(location)).status).toBe(404);
    expect(
      await registry.store.stat(`_uploads/${location.split('/').at(-1)}/data`),
    ).toBeUndefined();
  });

  it('streams a PUT body over the small-blob size into the store as before', async () => {
    const blob = randomBlob(maxUploadPutBytes + 1);
    const verbs = await blobRpcsDuring(registry, () =>
      pushBlob(registry, 'uploads/over-small', blob),
    );

    expect(verbs).toEqual(['upload-start', 'upload-get', 'upload-complete']);
    const fetched = await registry.request(`/v2/uploads/over-small/blobs/${blob.digest}`);
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(blob.bytes);
  });

  it('closes a chunked upload with a small last chunk on top of the earlier ones', async () => {
    const blob = randomBlob(200_000);
    const location = await startUpload(registry, 'uploads/small-last-chunk');
    const first = await registry.request(location, {
      method: 'PATCH',
      headers: { 'content-range': '0-149999', 'content-type': 'application/octet-stream' },
      body: blob.bytes.subarray(0, 150_000),
    });
    await expectStatus(first, 202);

    const verbs = await blobRpcsDuring(registry, async () => {
      const put = await registry.request(`${first.headers.get('location')}?digest=${blob.digest}`, {
        method: 'PUT',
        body: blob.bytes.subarray(150_000),
      });
      await expectStatus(put, 201);
    });

    expect(verbs).toEqual(['upload-put', 'upload-complete']);
    const fetched = await registry.request(`/v2/uploads/small-last-chunk/blobs/${blob.digest}`);
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(blob.bytes);
  });

  it('takes chunks in order, reports progress, and closes with a PUT without body', async () => {
    const blob = randomBlob(300_000);
    const location = await startUpload(registry, 'uploads/chunked');

    const first = await registry.request(location, {
      method: 'PATCH',
      headers: { 'content-range': '0-99999', 'content-type': 'application/octet-stream' },
      body: blob.bytes.subarray(0, 100_000),
    });
    expect(first.status).toBe(202);
    expect(first.headers.get('range')).toBe('0-99999');
    expect(first.headers.get('location')).toBe(location);
    expect(first.headers.get('docker-upload-uuid')).toBe(location.split('/').at(-1));

    // a streamed chunk: no Content-Range, the body goes on where the upload stands
    const second = await registry.request(location, {
      method: 'PATCH',
      body: blob.bytes.subarray(100_000, 250_000),
    });
    expect(second.status).toBe(202);
    expect(second.headers.get('range')).toBe('0-249999');

    const status = await uploadStatus(location);
    expect(status.status).toBe(204);
    expect(status.headers.get('range')).toBe('0-249999');

    const closed = await registry.request(`${location}?digest=${blob.digest}`, {
      method: 'PUT',
      headers: { 'content-range': '250000-299999' },
      body: blob.bytes.subarray(250_000),
    });
    expect(closed.status).toBe(201);
    expect(closed.headers.get('docker-content-digest')).toBe(blob.digest);
    const fetched = await registry.request(`/v2/uploads/chunked/blobs/${blob.digest}`);
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(blob.bytes);
    expect((await uploadStatus(location)).status).toBe(404);
  });

  it('refuses a chunk that does not start where the upload stands, with 416 and the current Range', async () => {
    const blob = randomBlob(2000);
    const location = await startUpload(registry, 'uploads/order');
    await expectStatus(
      await registry.request(location, {
        method: 'PATCH',
        headers: { 'content-range': '0-999' },
        body: blob.bytes.subarray(0, 1000),
      }),
      202,
    );

    for (const range of ['1500-1999', '500-1499', '0-999']) {
      const refused = await registry.request(location, {
        method: 'PATCH',
        headers: { 'content-range': range },
        body: blob.bytes.subarray(0, 1000 + (range === '1500-1999' ? -500 : 0)),
      });
      expect(refused.status).toBe(416);
      expect(refused.headers.get('range')).toBe('0-999');
      expect(refused.headers.get('location')).toBe(location);
      expect(await errorCode(refused)).toBe('RANGE_INVALID');
    }
    expect((await uploadStatus(location)).headers.get('range')).toBe('0-999');

    // the upload goes on from where it stood
    await expectStatus(
      await registry.request(`${location}?digest=${blob.digest}`, {
        method: 'PUT',
        headers: { 'content-range': '1000-1999' },
        body: blob.bytes.subarray(1000),
      }),
      201,
    );
  });

  it('refuses a chunk whose Content-Length and Content-Range disagree', async () => {
    const location = await startUpload(registry, 'uploads/sizes');
    const refused = await registry.request(location, {
      method: 'PATCH',
      headers: { 'content-range': '0-99' },
      body: Buffer.alloc(50),
    });

    expect(refused.status).toBe(400);
    expect(await errorCode(refused)).toBe('SIZE_INVALID');
    expect((await uploadStatus(location)).headers.get('range')).toBe('0-0');
  });

  it('refuses a close whose digest does not match, keeps nothing and ends the session', async () => {
    const blob = randomBlob(5000);
    const claimed = randomBlob(10).digest;
    const location = await startUpload(registry, 'uploads/mismatch');

    const refused = await registry.request(`${location}?digest=${claimed}`, {
      method: 'PUT',
      body: blob.bytes,
    });

    expect(refused.status).toBe(400);
    expect(await errorCode(refused)).toBe('DIGEST_INVALID');
    expect(await blobStatus('uploads/mismatch', claimed)).toBe(404);
    expect(await blobStatus('uploads/mismatch', blob.digest)).toBe(404);
    expect((await uploadStatus(location)).status).toBe(404);
    const uploadId = location.split('/').at(-1)!;
    expect(await registry.store.stat(`_uploads/${uploadId}/data`)).toBeUndefined();
  });

  it('refuses a monolithic POST whose digest does not match', async () => {
    const blob = randomBlob(100);
    const claimed = randomBlob(100).digest;
    const refused = await registry.request(
      `/v2/uploads/mono-mismatch/blobs/uploads/?digest=${claimed}`,
      {
        method: 'POST',
        body: blob.bytes,
      },
    );

    expect(refused.status).toBe(400);
    expect(await errorCode(refused)).toBe('DIGEST_INVALID');
    expect(await blobStatus('uploads/mono-mismatch', claimed)).toBe(404);
  });

  it.each([
    ['sha384', `sha384:${'ab'.repeat(48)}`, /unsupported digest algorithm sha384/],
    ['short sha512', `sha512:${'ab'.repeat(32)}`, /invalid sha512 digest/],
    ['md5', 'md5:d41d8cd98f00b204e9800998ecf8427e', /unsupported digest algorithm md5/],
    ['malformed', 'sha256:XYZ', /invalid sha256 digest/],
    ['missing', undefined, /digest query parameter is required/],
  ])('refuses a close with a %s digest and keeps the session', async (_kind, digest, message) => {
    const blob = randomBlob(100);
    const location = await startUpload(registry, 'uploads/algorithms');
    await expectStatus(
      await registry.request(location, { method: 'PATCH', body: blob.bytes }),
      202,
    );

    const query = digest === undefined ? '' : `?digest=${encodeURIComponent(digest)}`;
    const refused = await registry.request(`${location}${query}`, { method: 'PUT' });

    expect(refused.status).toBe(400);
    const body = (await refused.json()) as { errors: { code: string; message: string }[] };
    expect(body.errors[0]!.code).toBe('DIGEST_INVALID');
    expect(body.errors[0]!.message).toMatch(message);
    expect((await uploadStatus(location)).headers.get('range')).toBe('0-99');
  });

  it('answers 404 BLOB_UPLOAD_UNKNOWN for an upload of another repository, and leaves it alone', async () => {
    const blob = randomBlob(100);
    const location = await startUpload(registry, 'uploads/owner');
    await expectStatus(
      await registry.request(location, { method: 'PATCH', body: blob.bytes.subarray(0, 40) }),
      202,
    );
    const uploadId = location.split('/').at(-1)!;
    const foreign = `/v2/uploads/intruder/blobs/uploads/${uploadId}`;

    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', blob.bytes.subarray(40)],
      ['PUT', blob.bytes.subarray(40)],
      ['DELETE', undefined],
    ] as const) {
      const query = method === 'PUT' ? `?digest=${blob.digest}` : '';
      const refused = await registry.request(`${foreign}${query}`, { method, body });
      expect(refused.status).toBe(404);
      expect(await errorCode(refused)).toBe('BLOB_UPLOAD_UNKNOWN');
    }
    expect((await uploadStatus(location)).headers.get('range')).toBe('0-39');
    expect(await blobStatus('uploads/intruder', blob.digest)).toBe(404);
  });

  it('answers 404 BLOB_UPLOAD_UNKNOWN for an upload id that is no uuid', async () => {
    for (const id of ['not-a-uuid', '00000000-0000-0000-0000-00000000000g', 'x'.repeat(300)]) {
      const refused = await registry.request(`/v2/uploads/ids/blobs/uploads/${id}`, {
        method: 'PATCH',
        body: 'x',
      });
      expect(refused.status).toBe(404);
      expect(await errorCode(refused)).toBe('BLOB_UPLOAD_UNKNOWN');
    }
  });

  it('cancels a session with DELETE', async () => {
    const location = await startUpload(registry, 'uploads/cancel');
    await expectStatus(await registry.request(location, { method: 'PATCH', body: 'partial' }), 202);

    expect((await registry.request(location, { method: 'DELETE' })).status).toBe(204);
    const gone = await uploadStatus(location);
    expect(gone.status).toBe(404);
    expect(await errorCode(gone)).toBe('BLOB_UPLOAD_UNKNOWN');
    expect((await registry.request(location, { method: 'DELETE' })).status).toBe(404);
  });

  it('mounts a blob from another repository with 201, and starts a session when it cannot', async () => {
    const blob = randomBlob(700);
    await pushBlob(registry, 'mounts/source', blob);

    const mounted = await registry.request(
      `/v2/mounts/target/blobs/uploads/?mount=${blob.digest}&from=mounts/source`,
      { method: 'POST' },
    );
    expect(mounted.status).toBe(201);
    expect(mounted.headers.get('location')).toBe(`/v2/mounts/target/blobs/${blob.digest}`);
    expect(mounted.headers.get('docker-content-digest')).toBe(blob.digest);
    expect(await blobStatus('mounts/target', blob.digest)).toBe(200);

    const unknown = randomBlob(10);
    const refused = await registry.request(
      `/v2/mounts/other/blobs/uploads/?mount=${unknown.digest}&from=mounts/source`,
      { method: 'POST' },
    );
    expect(refused.status).toBe(202);
    expect(refused.headers.get('docker-upload-uuid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await blobStatus('mounts/other', unknown.digest)).toBe(404);
  });

  it('mounts a known blob without `from`', async () => {
    const blob = randomBlob(300);
    await pushBlob(registry, 'mounts/anywhere', blob);

    const mounted = await registry.request(`/v2/mounts/auto/blobs/uploads/?mount=${blob.digest}`, {
      method: 'POST',
    });

    expect(mounted.status).toBe(201);
    expect(await blobStatus('mounts/auto', blob.digest)).toBe(200);
  });

  it('refuses a mount with a malformed digest or source name', async () => {
    const bad = await registry.request('/v2/mounts/bad/blobs/uploads/?mount=sha256:nope&from=a', {
      method: 'POST',
    });
    expect(bad.status).toBe(400);
    expect(await errorCode(bad)).toBe('DIGEST_INVALID');

    const digest = randomBlob(1).digest;
    const badName = await registry.request(
      `/v2/mounts/bad/blobs/uploads/?mount=${digest}&from=UPPER/../x`,
      {
        method: 'POST',
      },
    );
    expect(badName.status).toBe(400);
    expect(await errorCode(badName)).toBe('NAME_INVALID');
  });

  it('finishes an upload begun before the gateway restarted, hashing the stored part again', async () => {
    const blob = randomBlob(200_000);
    const location = await startUpload(registry, 'uploads/restart');
    await expectStatus(
      await registry.request(location, { method: 'PATCH', body: blob.bytes.subarray(0, 120_000) }),
      202,
    );

    await registry.restartGateway();

    await expectStatus(
      await registry.request(location, { method: 'PATCH', body: blob.bytes.subarray(120_000) }),
      202,
    );
    const closed = await registry.request(`${location}?digest=${blob.digest}`, { method: 'PUT' });
    expect(closed.status).toBe(201);
    const fetched = await registry.request(`/v2/uploads/restart/blobs/${blob.digest}`);
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(blob.bytes);
  });

  it('keeps nothing of a chunk whose client disconnects midway', async () => {
    const blob = randomBlob(1_000_000);
    const location = await startUpload(registry, 'uploads/disconnect');
    await expectStatus(
      await registry.request(location, { method: 'PATCH', body: blob.bytes.subarray(0, 100_000) }),
      202,
    );

    await sendHalfAndHangUp(
      `${registry.url}${location}`,
      blob.bytes.subarray(100_000),
      await registry.authorization(location),
    );

    // the session still stands where the last whole chunk left it, and no blob appeared
    await expectEventually(async () => {
      expect((await uploadStatus(location)).headers.get('range')).toBe('0-99999');
    });
    expect(await blobStatus('uploads/disconnect', blob.digest)).toBe(404);

    // and the upload can go on from there
    await expectStatus(
      await registry.request(location, { method: 'PATCH', body: blob.bytes.subarray(100_000) }),
      202,
    );
    await expectStatus(
      await registry.request(`${location}?digest=${blob.digest}`, { method: 'PUT' }),
      201,
    );
    expect(await blobStatus('uploads/disconnect', blob.digest)).toBe(200);
  });
});

/** A PATCH announcing the whole body that sends half of it, then closes the connection. */
function sendHalfAndHangUp(url: string, body: Buffer, authorization: string): Promise<void> {
  return new Promise((resolve) => {
    const request = httpRequest(url, {
      method: 'PATCH',
      headers: {
        authorization,
        'content-length': body.length,
        'content-type': 'application/octet-stream',
      },
    });
    request.on('error', () => resolve());
    request.on('close', () => resolve());
    request.write(body.subarray(0, body.length / 2), () => {
      // give the gateway the first half before the connection goes
      setImmediate(() => request.destroy());
    });
  });
}
