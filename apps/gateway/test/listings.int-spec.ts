import { mediaTypes } from '@meridian/oci';
import {
  blobOf,
  errorCode,
  expectStatus,
  manifestOf,
  pushBlob,
  pushImage,
  putManifest,
} from './oci-requests';
import { type RegistryUnderTest, startRegistry } from './registry.harness';

describe('base, tag lists, catalog and referrers', () => {
  let registry: RegistryUnderTest;
  const tags = ['1.0', '1.1', '2.0', 'a', 'latest'];

  beforeAll(async () => {
    registry = await startRegistry();
    for (const tag of ['latest', '2.0', 'a', '1.1', '1.0'])
      await pushImage(registry, 'lists/app', tag);
    await pushImage(registry, 'lists/other', 'v1');
    await pushImage(registry, 'lists/z', 'v1');
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
  });

  it('answers GET and HEAD /v2/ with 200 {} and the API version', async () => {
    for (const path of ['/v2/', '/v2']) {
      const response = await registry.request(path);
      expect(response.status).toBe(200);
      expect(response.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
      expect(await response.json()).toEqual({});
    }
    expect((await registry.request('/v2/', { method: 'HEAD' })).status).toBe(200);
    expect((await registry.request('/v2/', { method: 'POST' })).status).toBe(405);
  });

  it('answers a path that is no route with 404 and a JSON error', async () => {
    for (const path of ['/v3/', '/v2/lists/app', '/v2/lists/app/tags', '/v2/lists/app/blobs/']) {
      const response = await registry.request(path);
      expect(response.status).toBe(404);
      expect(response.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
      expect(await errorCode(response)).toBe('NOT_FOUND');
    }
  });

  it('lists tags in lexical order', async () => {
    const response = await registry.request('/v2/lists/app/tags/list');

    expect(response.status).toBe(200);
    expect(response.headers.get('link')).toBeNull();
    expect(await response.json()).toEqual({ name: 'lists/app', tags });
  });

  it('pages tags with n, last and a Link to the next page', async () => {
    const first = await registry.request('/v2/lists/app/tags/list?n=2');
    expect(await first.json()).toEqual({ name: 'lists/app', tags: ['1.0', '1.1'] });
    expect(first.headers.get('link')).toBe('</v2/lists/app/tags/list?n=2&last=1.1>; rel="next"');

    const second = await registry.request('/v2/lists/app/tags/list?n=2&last=1.1');
    expect(await second.json()).toEqual({ name: 'lists/app', tags: ['2.0', 'a'] });

    const last = await registry.request('/v2/lists/app/tags/list?n=2&last=a');
    expect(await last.json()).toEqual({ name: 'lists/app', tags: ['latest'] });
    expect(last.headers.get('link')).toBeNull();

    const empty = await registry.request('/v2/lists/app/tags/list?n=0');
    expect(await empty.json()).toEqual({ name: 'lists/app', tags: [] });
    expect(empty.headers.get('link')).toBeNull();
  });

  it('follows Link headers through every tag', async () => {
    const seen: string[] = [];
    let path: string | undefined = '/v2/lists/app/tags/list?n=1';
    while (path !== undefined) {
      const response = await expectStatus(await registry.request(path), 200);
      seen.push(...((await response.json()) as { tags: string[] }).tags);
      path = /^<([^>]+)>/.exec(response.headers.get('link') ?? '')?.[1];
    }
    expect(seen).toEqual(tags);
  });

  it('answers NAME_UNKNOWN for the tags of a repository nobody pushed to', async () => {
    const response = await registry.request('/v2/lists/nothing/tags/list');

    expect(response.status).toBe(404);
    expect(await errorCode(response)).toBe('NAME_UNKNOWN');
  });

  it('lists and pages the catalog', async () => {
    const all = await registry.request('/v2/_catalog');
    expect(await all.json()).toEqual({ repositories: ['lists/app', 'lists/other', 'lists/z'] });

    const first = await registry.request('/v2/_catalog?n=2');
    expect(await first.json()).toEqual({ repositories: ['lists/app', 'lists/other'] });
    expect(first.headers.get('link')).toBe('</v2/_catalog?n=2&last=lists%2Fother>; rel="next"');

    const next = await registry.request('/v2/_catalog?n=2&last=lists%2Fother');
    expect(await next.json()).toEqual({ repositories: ['lists/z'] });
    expect(next.headers.get('link')).toBeNull();
  });

  describe('referrers', () => {
    const signatureType = 'application/vnd.example.signature';
    const sbomType = 'application/vnd.example.sbom';

    async function pushReferrer(name: string, subjectDigest: string, artifactType: string) {
      const empty = blobOf('{}');
      await pushBlob(registry, name, empty);
      const manifest = manifestOf({
        schemaVersion: 2,
        mediaType: mediaTypes.ociManifest,
        artifactType,
        config: { mediaType: mediaTypes.ociEmpty, digest: empty.digest, size: empty.size },
        layers: [{ mediaType: mediaTypes.ociEmpty, digest: empty.digest, size: empty.size }],
        subject: { mediaType: mediaTypes.ociManifest, digest: subjectDigest, size: 123 },
        annotations: { kind: artifactType },
      });
      await expectStatus(await putManifest(registry, name, manifest.digest, manifest), 201);
      return manifest;
    }

    it('lists the manifests that refer to a subject as an image index', async () => {
      const { manifest: subject } = await pushImage(registry, 'lists/referred', 'v1');
      const signature = await pushReferrer('lists/referred', subject.digest, signatureType);
      const sbom = await pushReferrer('lists/referred', subject.digest, sbomType);

      const response = await registry.request(`/v2/lists/referred/referrers/${subject.digest}`);

      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(mediaTypes.ociIndex);
      expect(response.headers.get('oci-filters-applied')).toBeNull();
      const index = (await response.json()) as {
        schemaVersion: number;
        mediaType: string;
        manifests: unknown[];
      };
      expect(index.schemaVersion).toBe(2);
      expect(index.mediaType).toBe(mediaTypes.ociIndex);
      expect(index.manifests).toHaveLength(2);
      expect(index.manifests).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            digest: signature.digest,
            artifactType: signatureType,
            size: signature.body.length,
          }),
          expect.objectContaining({
            digest: sbom.digest,
            artifactType: sbomType,
            mediaType: mediaTypes.ociManifest,
          }),
        ]),
      );
    });

    it('filters by artifactType and says so', async () => {
      const { manifest: subject } = await pushImage(registry, 'lists/filtered', 'v1');
      const signature = await pushReferrer('lists/filtered', subject.digest, signatureType);
      await pushReferrer('lists/filtered', subject.digest, sbomType);

      const response = await registry.request(
        `/v2/lists/filtered/referrers/${subject.digest}?artifactType=${encodeURIComponent(signatureType)}`,
      );

      expect(response.headers.get('oci-filters-applied')).toBe('artifactType');
      const index = (await response.json()) as { manifests: { digest: string }[] };
      expect(index.manifests.map((descriptor) => descriptor.digest)).toEqual([signature.digest]);
    });

    it('finds referrers pushed before their subject', async () => {
      const absent = `sha256:${'ab'.repeat(32)}`;
      const early = await pushReferrer('lists/early', absent, signatureType);

      const response = await registry.request(`/v2/lists/early/referrers/${absent}`);

      const index = (await response.json()) as { manifests: { digest: string }[] };
      expect(index.manifests.map((descriptor) => descriptor.digest)).toEqual([early.digest]);
    });

    it('answers an empty index, never 404, when nothing refers to the digest', async () => {
      for (const name of ['lists/app', 'lists/never-pushed']) {
        const response = await registry.request(`/v2/${name}/referrers/sha256:${'cd'.repeat(32)}`);
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({
          schemaVersion: 2,
          mediaType: mediaTypes.ociIndex,
          manifests: [],
        });
      }
    });

    it('refuses a malformed digest with 400', async () => {
      const response = await registry.request('/v2/lists/app/referrers/sha256:short');

      expect(response.status).toBe(400);
      expect(await errorCode(response)).toBe('DIGEST_INVALID');
    });
  });
});
