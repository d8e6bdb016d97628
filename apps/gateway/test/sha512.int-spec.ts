/**
 * sha512 digests through the whole /v2 API (image-spec "Registered algorithms"): blob pushes
 * monolithic and chunked, verified with sha512 and stored under `blobs/sha512/`, HEAD, GET,
 * DELETE and mount; manifests pushed and pulled by sha512 digest, and manifests whose
 * blobs are sha512. A manifest pushed by tag keeps its canonical sha256 digest.
 */
import { blobKey } from '@meridian/storage';
import { mediaTypes, sha256Digest, sha512Digest } from '@meridian/oci';
import {
  blobOf,
  errorCode,
  expectStatus,
  imageManifest,
  manifestOf,
  pushBlob,
  putManifest,
  randomBlob,
  startUpload,
} from './oci-requests';
import { type RegistryUnderTest, startRegistry } from './registry.harness';

describe('sha512 digests', () => {
  let registry: RegistryUnderTest;

  beforeAll(async () => {
    registry = await startRegistry();
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
  });

  const blobPath = (name: string, digest: string) => `/v2/${name}/blobs/${digest}`;
  const blobStatus = async (name: string, digest: string) =>
    (await registry.request(blobPath(name, digest), { method: 'HEAD' })).status;

  it('takes a whole blob in one POST ?digest=sha512:…, stored under blobs/sha512/', async () => {
    const blob = randomBlob(4096, 'sha512');
    expect(blob.digest).toMatch(/^sha512:[0-9a-f]{128}$/);

    const response = await registry.request(
      `/v2/sha512/monolithic/blobs/uploads/?digest=${blob.digest}`,
      { method: 'POST', body: blob.bytes },
    );

    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe(blobPath('sha512/monolithic', blob.digest));
    expect(response.headers.get('docker-content-digest')).toBe(blob.digest);
    const key = blobKey(blob.digest);
    expect(key).toBe(`blobs/sha512/${blob.digest.slice(7, 9)}/${blob.digest.slice(7)}`);
    expect(await registry.store.stat(key)).toEqual({ size: 4096 });
    expect(await registry.store.stat(blobKey(sha256Digest(blob.bytes)))).toBeUndefined();
  });

  it('takes a chunked upload closed with a sha512 digest, and serves it by that digest', async () => {
    const blob = randomBlob(300_000, 'sha512');
    const name = 'sha512/chunked';
    const location = await startUpload(registry, name);
    await expectStatus(
      await registry.request(location, {
        method: 'PATCH',
        headers: { 'content-range': '0-99999' },
        body: blob.bytes.subarray(0, 100_000),
      }),
      202,
    );
    await expectStatus(
      await registry.request(location, {
        method: 'PATCH',
        body: blob.bytes.subarray(100_000, 250_000),
      }),
      202,
    );

    const closed = await registry.request(`${location}?digest=${blob.digest}`, {
      method: 'PUT',
      body: blob.bytes.subarray(250_000),
    });

    expect(closed.status).toBe(201);
    expect(closed.headers.get('docker-content-digest')).toBe(blob.digest);
    const fetched = await registry.request(blobPath(name, blob.digest));
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('docker-content-digest')).toBe(blob.digest);
    expect(fetched.headers.get('etag')).toBe(`"${blob.digest}"`);
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(blob.bytes);
  });

  it('finishes a sha512 upload begun before the gateway restarted', async () => {
    const blob = randomBlob(200_000, 'sha512');
    const location = await startUpload(registry, 'sha512/restart');
    await expectStatus(
      await registry.request(location, { method: 'PATCH', body: blob.bytes.subarray(0, 120_000) }),
      202,
    );

    await registry.restartGateway();

    const closed = await registry.request(`${location}?digest=${blob.digest}`, {
      method: 'PUT',
      body: blob.bytes.subarray(120_000),
    });
    expect(closed.status).toBe(201);
    const fetched = await registry.request(blobPath('sha512/restart', blob.digest));
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(blob.bytes);
  });

  it('refuses a sha512 digest the content does not have, monolithic or chunked', async () => {
    const blob = randomBlob(5000, 'sha512');
    const claimed = randomBlob(10, 'sha512').digest;

    const monolithic = await registry.request(
      `/v2/sha512/mismatch/blobs/uploads/?digest=${claimed}`,
      { method: 'POST', body: blob.bytes },
    );
    expect(monolithic.status).toBe(400);
    expect(await errorCode(monolithic)).toBe('DIGEST_INVALID');

    const location = await startUpload(registry, 'sha512/mismatch');
    await expectStatus(
      await registry.request(location, { method: 'PATCH', body: blob.bytes }),
      202,
    );
    // the sha256 of the bytes is right, but the client named sha512 content it did not send
    const chunked = await registry.request(`${location}?digest=${claimed}`, { method: 'PUT' });
    expect(chunked.status).toBe(400);
    expect(await errorCode(chunked)).toBe('DIGEST_INVALID');

    expect(await blobStatus('sha512/mismatch', claimed)).toBe(404);
    expect(await blobStatus('sha512/mismatch', blob.digest)).toBe(404);
    expect(await registry.store.stat(blobKey(claimed))).toBeUndefined();
  });

  it('answers HEAD, ranged GET and DELETE of a sha512 blob', async () => {
    const name = 'sha512/reads';
    const blob = randomBlob(10_000, 'sha512');
    await pushBlob(registry, name, blob);

    const head = await registry.request(blobPath(name, blob.digest), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('10000');
    expect(head.headers.get('docker-content-digest')).toBe(blob.digest);

    const ranged = await registry.request(blobPath(name, blob.digest), {
      headers: { range: 'bytes=100-199' },
    });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer())).toEqual(blob.bytes.subarray(100, 200));

    const deleted = await registry.request(blobPath(name, blob.digest), { method: 'DELETE' });
    expect(deleted.status).toBe(202);
    expect(await blobStatus(name, blob.digest)).toBe(404);
  });

  it('keeps the same bytes pushed by sha256 and by sha512 as two blobs', async () => {
    const name = 'sha512/both';
    const by512 = randomBlob(1000, 'sha512');
    const by256 = { ...by512, digest: sha256Digest(by512.bytes) };
    await pushBlob(registry, name, by512);

    expect(await blobStatus(name, by256.digest)).toBe(404);
    await pushBlob(registry, name, by256);
    expect(await blobStatus(name, by256.digest)).toBe(200);
    expect(await blobStatus(name, by512.digest)).toBe(200);
  });

  it('mounts a sha512 blob from another repository', async () => {
    const blob = randomBlob(700, 'sha512');
    await pushBlob(registry, 'sha512/mount-source', blob);

    const mounted = await registry.request(
      `/v2/sha512/mount-target/blobs/uploads/?mount=${blob.digest}&from=sha512/mount-source`,
      { method: 'POST' },
    );

    expect(mounted.status).toBe(201);
    expect(mounted.headers.get('location')).toBe(blobPath('sha512/mount-target', blob.digest));
    expect(mounted.headers.get('docker-content-digest')).toBe(blob.digest);
    expect(await blobStatus('sha512/mount-target', blob.digest)).toBe(200);
  });

  it('stores a manifest by sha512 digest and serves it by that digest only', async () => {
    const name = 'sha512/manifest';
    const config = randomBlob(100);
    const layer = randomBlob(2048);
    await pushBlob(registry, name, config);
    await pushBlob(registry, name, layer);
    const manifest = imageManifest(config, [layer]);
    const digest = sha512Digest(manifest.body);

    const put = await putManifest(registry, name, digest, manifest);

    expect(put.status).toBe(201);
    expect(put.headers.get('docker-content-digest')).toBe(digest);
    expect(put.headers.get('location')).toBe(`/v2/${name}/manifests/${digest}`);
    const got = await registry.request(`/v2/${name}/manifests/${digest}`, {
      headers: { accept: manifest.mediaType },
    });
    expect(got.status).toBe(200);
    expect(got.headers.get('docker-content-digest')).toBe(digest);
    expect(got.headers.get('content-type')).toBe(manifest.mediaType);
    expect(Buffer.from(await got.arrayBuffer())).toEqual(manifest.body);
    const head = await registry.request(`/v2/${name}/manifests/${digest}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('docker-content-digest')).toBe(digest);
    expect(head.headers.get('content-length')).toBe(String(manifest.body.length));
    // pushed by sha512, it is not known by its sha256
    expect((await registry.request(`/v2/${name}/manifests/${manifest.digest}`)).status).toBe(404);
  });

  it('refuses a manifest whose sha512 is not the one in the path', async () => {
    const name = 'sha512/manifest-mismatch';
    const config = randomBlob(100);
    await pushBlob(registry, name, config);
    const manifest = imageManifest(config, []);
    const wrong = sha512Digest(Buffer.concat([manifest.body, Buffer.from(' ')]));

    const refused = await putManifest(registry, name, wrong, manifest);

    expect(refused.status).toBe(400);
    expect(await errorCode(refused)).toBe('DIGEST_INVALID');
    expect((await registry.request(`/v2/${name}/manifests/${wrong}`)).status).toBe(404);
  });

  it('stores a manifest whose config and layers are sha512, pushed by tag as sha256', async () => {
    const name = 'sha512/layers';
    const config = randomBlob(100, 'sha512');
    const layer = randomBlob(4096, 'sha512');
    const missing = randomBlob(10, 'sha512');
    await pushBlob(registry, name, config);
    await pushBlob(registry, name, layer);
    const manifest = imageManifest(config, [layer]);

    const put = await putManifest(registry, name, 'v1', manifest);

    expect(put.status).toBe(201);
    expect(put.headers.get('docker-content-digest')).toBe(manifest.digest);
    expect(manifest.digest).toMatch(/^sha256:/);
    const got = await registry.request(`/v2/${name}/manifests/v1`);
    expect(Buffer.from(await got.arrayBuffer())).toEqual(manifest.body);

    const unknown = await putManifest(registry, name, 'v2', imageManifest(config, [missing]));
    expect(unknown.status).toBe(400);
    expect(await errorCode(unknown)).toBe('MANIFEST_BLOB_UNKNOWN');
  });

  it('stores an index of sha512 children pushed by sha512', async () => {
    const name = 'sha512/index';
    const config = randomBlob(100, 'sha512');
    await pushBlob(registry, name, config);
    const child = imageManifest(config, []);
    const childDigest = sha512Digest(child.body);
    await expectStatus(await putManifest(registry, name, childDigest, child), 201);
    const index = manifestOf(
      {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [{ mediaType: child.mediaType, digest: childDigest, size: child.body.length }],
      },
      'application/vnd.oci.image.index.v1+json',
      'sha512',
    );

    const put = await putManifest(registry, name, index.digest, index);

    expect(put.status).toBe(201);
    expect(put.headers.get('docker-content-digest')).toBe(index.digest);
    const deleted = await registry.request(`/v2/${name}/manifests/${index.digest}`, {
      method: 'DELETE',
    });
    expect(deleted.status).toBe(202);
    expect((await registry.request(`/v2/${name}/manifests/${index.digest}`)).status).toBe(404);
  });

  it('lists a referrer pushed by sha512 of a subject named by sha512', async () => {
    const name = 'sha512/referrers';
    const config = randomBlob(100, 'sha512');
    await pushBlob(registry, name, config);
    const subject = imageManifest(config, []);
    const subjectDigest = sha512Digest(subject.body);
    await expectStatus(await putManifest(registry, name, subjectDigest, subject), 201);
    const empty = blobOf('{}', 'sha512');
    await pushBlob(registry, name, empty);
    const referrer = manifestOf(
      {
        schemaVersion: 2,
        mediaType: mediaTypes.ociManifest,
        artifactType: 'application/vnd.example.signature',
        config: { mediaType: mediaTypes.ociEmpty, digest: empty.digest, size: empty.size },
        layers: [{ mediaType: mediaTypes.ociEmpty, digest: empty.digest, size: empty.size }],
        subject: { mediaType: subject.mediaType, digest: subjectDigest, size: subject.body.length },
      },
      mediaTypes.ociManifest,
      'sha512',
    );

    const put = await putManifest(registry, name, referrer.digest, referrer);

    expect(put.status).toBe(201);
    expect(put.headers.get('oci-subject')).toBe(subjectDigest);
    const listed = await registry.request(`/v2/${name}/referrers/${subjectDigest}`);
    expect(listed.status).toBe(200);
    const index = (await listed.json()) as { manifests: { digest: string }[] };
    expect(index.manifests).toEqual([expect.objectContaining({ digest: referrer.digest })]);
  });

  it.each([
    ['sha384', `sha384:${'ab'.repeat(48)}`],
    ['md5', 'md5:d41d8cd98f00b204e9800998ecf8427e'],
    ['sha512 of 64 hex digits', `sha512:${'ab'.repeat(32)}`],
  ])('still refuses a %s digest with 400 DIGEST_INVALID', async (_kind, digest) => {
    for (const [path, method] of [
      [`/v2/sha512/refused/blobs/${digest}`, 'HEAD'],
      [`/v2/sha512/refused/manifests/${digest}`, 'GET'],
      [`/v2/sha512/refused/blobs/uploads/?digest=${digest}`, 'POST'],
      [`/v2/sha512/refused/blobs/uploads/?mount=${digest}&from=a`, 'POST'],
    ] as const) {
      const response = await registry.request(path, {
        method,
        body: method === 'POST' ? 'x' : undefined,
      });
      expect(response.status).toBe(400);
      if (method !== 'HEAD') expect(await errorCode(response)).toBe('DIGEST_INVALID');
    }
  });
});
