import { mediaTypes, sha256Digest } from '@meridian/oci';
import {
  type Manifest,
  blobOf,
  errorCode,
  expectStatus,
  imageManifest,
  manifestOf,
  pushBlob,
  pushImage,
  putManifest,
  randomBlob,
} from './oci-requests';
import { type RegistryUnderTest, startRegistry } from './registry.harness';

describe('manifests', () => {
  let registry: RegistryUnderTest;

  beforeAll(async () => {
    registry = await startRegistry();
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
  });

  const get = (name: string, reference: string, init?: RequestInit) =>
    registry.request(`/v2/${name}/manifests/${reference}`, init);

  it('stores a manifest by tag and answers 201 with its Location and digest', async () => {
    const config = blobOf('{"os":"linux"}');
    const layer = randomBlob();
    await pushBlob(registry, 'manifests/put', config);
    await pushBlob(registry, 'manifests/put', layer);
    const manifest = imageManifest(config, [layer]);

    const response = await putManifest(registry, 'manifests/put', 'v1', manifest);

    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe(`/v2/manifests/put/manifests/${manifest.digest}`);
    expect(response.headers.get('docker-content-digest')).toBe(manifest.digest);
    expect(response.headers.get('oci-subject')).toBeNull();
  });

  it('serves the pushed bytes as they were, by tag and by digest, with their media type', async () => {
    const config = blobOf('{"os":"linux","architecture":"arm64"}');
    await pushBlob(registry, 'manifests/bytes', config);
    // odd whitespace and key order: any re-serialisation would change the digest
    const body = Buffer.from(
      `{ "schemaVersion": 2,\n  "mediaType": "${mediaTypes.ociManifest}",\n  "layers": [],\n` +
        `  "config": {"size": ${config.size}, "digest": "${config.digest}", "mediaType": "${mediaTypes.ociConfig}"} }\n`,
    );
    const manifest: Manifest = {
      body,
      digest: sha256Digest(body),
      mediaType: mediaTypes.ociManifest,
    };
    await expectStatus(await putManifest(registry, 'manifests/bytes', 'odd', manifest), 201);

    for (const reference of ['odd', manifest.digest, manifest.digest]) {
      const response = await get('manifests/bytes', reference);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(mediaTypes.ociManifest);
      expect(response.headers.get('docker-content-digest')).toBe(manifest.digest);
      expect(response.headers.get('content-length')).toBe(String(body.length));
      expect(response.headers.get('etag')).toBe(`"${manifest.digest}"`);
      expect(Buffer.from(await response.arrayBuffer())).toEqual(body);
    }
  });

  it('answers HEAD by tag and by digest with the headers and no body', async () => {
    const { manifest } = await pushImage(registry, 'manifests/head', 'v1');

    for (const reference of ['v1', manifest.digest]) {
      const response = await get('manifests/head', reference, { method: 'HEAD' });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(mediaTypes.ociManifest);
      expect(response.headers.get('content-length')).toBe(String(manifest.body.length));
      expect(response.headers.get('docker-content-digest')).toBe(manifest.digest);
      expect((await response.arrayBuffer()).byteLength).toBe(0);
    }
  });

  it('answers a conditional GET with 304', async () => {
    const { manifest } = await pushImage(registry, 'manifests/etag', 'v1');

    const response = await get('manifests/etag', 'v1', {
      headers: { 'if-none-match': `"${manifest.digest}"` },
    });

    expect(response.status).toBe(304);
    expect(response.headers.get('docker-content-digest')).toBe(manifest.digest);
  });

  it('stores a manifest by digest, and refuses one whose digest is not the one in the path', async () => {
    const { manifest } = await pushImage(registry, 'manifests/by-digest', 'v1');
    const retagged = imageManifest(
      blobOf(JSON.stringify({ architecture: 'amd64', os: 'linux', tag: 'v1' })),
      [],
      {
        annotations: { copy: 'yes' },
      },
    );

    expect(
      (await putManifest(registry, 'manifests/by-digest', manifest.digest, manifest)).status,
    ).toBe(201);
    const refused = await putManifest(registry, 'manifests/by-digest', manifest.digest, retagged);
    expect(refused.status).toBe(400);
    expect(await errorCode(refused)).toBe('DIGEST_INVALID');
    expect((await get('manifests/by-digest', retagged.digest)).status).toBe(404);
  });

  it('serves Docker schema 2 manifests and manifest lists with their own media types', async () => {
    const config = blobOf('{"architecture":"amd64","os":"linux"}');
    const layer = randomBlob(512);
    await pushBlob(registry, 'manifests/docker', config);
    await pushBlob(registry, 'manifests/docker', layer);
    const image = manifestOf(
      {
        schemaVersion: 2,
        mediaType: mediaTypes.dockerManifest,
        config: { mediaType: mediaTypes.dockerConfig, digest: config.digest, size: config.size },
        layers: [{ mediaType: mediaTypes.dockerLayer, digest: layer.digest, size: layer.size }],
      },
      mediaTypes.dockerManifest,
    );
    await expectStatus(await putManifest(registry, 'manifests/docker', image.digest, image), 201);
    const list = manifestOf(
      {
        schemaVersion: 2,
        mediaType: mediaTypes.dockerManifestList,
        manifests: [
          {
            mediaType: mediaTypes.dockerManifest,
            digest: image.digest,
            size: image.body.length,
            platform: { architecture: 'amd64', os: 'linux' },
          },
        ],
      },
      mediaTypes.dockerManifestList,
    );
    await expectStatus(await putManifest(registry, 'manifests/docker', 'multi', list), 201);

    const listed = await get('manifests/docker', 'multi');
    expect(listed.headers.get('content-type')).toBe(mediaTypes.dockerManifestList);
    expect(Buffer.from(await listed.arrayBuffer())).toEqual(list.body);
    const single = await get('manifests/docker', image.digest);
    expect(single.headers.get('content-type')).toBe(mediaTypes.dockerManifest);
  });

  it('answers OCI-Subject for a manifest with a subject', async () => {
    const { manifest: subject } = await pushImage(registry, 'manifests/subject', 'v1');
    const empty = blobOf('{}');
    await pushBlob(registry, 'manifests/subject', empty);
    const signature = manifestOf({
      schemaVersion: 2,
      mediaType: mediaTypes.ociManifest,
      artifactType: 'application/vnd.example.signature',
      config: { mediaType: mediaTypes.ociEmpty, digest: empty.digest, size: empty.size },
      layers: [{ mediaType: mediaTypes.ociEmpty, digest: empty.digest, size: empty.size }],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.body.length },
    });

    const response = await putManifest(registry, 'manifests/subject', signature.digest, signature);

    expect(response.status).toBe(201);
    expect(response.headers.get('oci-subject')).toBe(subject.digest);
  });

  it('moves a tag to a new manifest at once', async () => {
    await pushImage(registry, 'manifests/retag', 'latest');
    const { manifest: second } = await pushImage(registry, 'manifests/retag', 'latest');

    const response = await get('manifests/retag', 'latest');
    expect(response.headers.get('docker-content-digest')).toBe(second.digest);
  });

  it('untags with DELETE by tag and keeps the manifest', async () => {
    const { manifest } = await pushImage(registry, 'manifests/untag', 'v1');

    expect((await get('manifests/untag', 'v1', { method: 'DELETE' })).status).toBe(202);

    const gone = await get('manifests/untag', 'v1');
    expect(gone.status).toBe(404);
    expect(await errorCode(gone)).toBe('MANIFEST_UNKNOWN');
    expect((await get('manifests/untag', manifest.digest)).status).toBe(200);
  });

  it('deletes by digest with 202, after which neither digest nor tag is served', async () => {
    const { manifest } = await pushImage(registry, 'manifests/delete', 'v1');
    // served once, so the gateway holds the body in its cache
    await expectStatus(await get('manifests/delete', manifest.digest), 200);

    expect((await get('manifests/delete', manifest.digest, { method: 'DELETE' })).status).toBe(202);

    for (const reference of [manifest.digest, 'v1']) {
      const response = await get('manifests/delete', reference);
      expect(response.status).toBe(404);
      expect(await errorCode(response)).toBe('MANIFEST_UNKNOWN');
    }
    expect((await get('manifests/delete', manifest.digest, { method: 'DELETE' })).status).toBe(404);
  });

  it('does not serve a manifest of one repository through another', async () => {
    const { manifest } = await pushImage(registry, 'manifests/mine', 'v1');
    await expectStatus(await get('manifests/mine', manifest.digest), 200);

    const response = await get('manifests/theirs', manifest.digest);
    expect(response.status).toBe(404);
    expect(['MANIFEST_UNKNOWN', 'NAME_UNKNOWN']).toContain(await errorCode(response));
  });

  it('finds nothing under a tag that cannot exist, and refuses to create one', async () => {
    for (const method of ['GET', 'HEAD', 'DELETE']) {
      const response = await get('manifests/put', '.INVALID_MANIFEST_NAME', { method });
      expect(response.status).toBe(404);
      if (method !== 'HEAD') expect(await errorCode(response)).toBe('MANIFEST_UNKNOWN');
    }
    const { manifest } = await pushImage(registry, 'manifests/invalid-tag', 'v1');
    const refused = await putManifest(
      registry,
      'manifests/invalid-tag',
      '.INVALID_MANIFEST_NAME',
      manifest,
    );
    expect(refused.status).toBe(400);
    expect(await errorCode(refused)).toBe('TAG_INVALID');
  });

  it('refuses other methods with 405 UNSUPPORTED', async () => {
    const response = await get('manifests/put', 'v1', { method: 'POST' });

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD, PUT, DELETE');
    expect(await errorCode(response)).toBe('UNSUPPORTED');
  });
});
