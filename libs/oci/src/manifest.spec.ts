import dockerList from './__fixtures__/docker-manifest-list.json';
import dockerForeign from './__fixtures__/docker-manifest-foreign-layer.json';
import dockerManifest from './__fixtures__/docker-manifest-v2.json';
import schema1 from './__fixtures__/docker-schema1-signed.json';
import artifact from './__fixtures__/oci-artifact-with-subject.json';
import ociIndex from './__fixtures__/oci-image-index.json';
import ociManifest from './__fixtures__/oci-image-manifest.json';
import { parseManifest } from './manifest';
import { mediaTypes } from './media-types';
import { OciValidationError } from './oci-validation-error';

const digestA = `sha256:${'a'.repeat(64)}`;
const digestB = `sha256:${'b'.repeat(64)}`;

function bytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function buildManifest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: 2,
    mediaType: mediaTypes.ociManifest,
    config: { mediaType: mediaTypes.ociConfig, digest: digestA, size: 10 },
    layers: [{ mediaType: mediaTypes.ociLayerTarGzip, digest: digestB, size: 20 }],
    ...overrides,
  };
}

function buildLayer(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { mediaType: mediaTypes.ociLayerTarGzip, digest: digestB, size: 20, ...overrides };
}

function rejection(body: Uint8Array, contentType?: string): OciValidationError {
  try {
    parseManifest(body, contentType);
  } catch (err) {
    if (err instanceof OciValidationError) return err;
    throw err;
  }
  throw new Error('expected the manifest to be refused');
}

describe(parseManifest.name, () => {
  describe('fixtures from real tools', () => {
    it('reads an OCI image manifest written without mediaType as an OCI image manifest', () => {
      const sut = parseManifest(bytes(ociManifest));

      expect(sut).toEqual({
        kind: 'manifest',
        mediaType: mediaTypes.ociManifest,
        artifactType: mediaTypes.ociConfig,
        config: ociManifest.config,
        blobs: [
          { ...ociManifest.config, foreign: false },
          { ...ociManifest.layers[0], foreign: false },
        ],
        manifests: [],
      });
    });

    it('reads an OCI image index with its platforms and no artifactType', () => {
      const sut = parseManifest(bytes(ociIndex), mediaTypes.ociIndex);

      expect(sut.kind).toBe('index');
      expect(sut.mediaType).toBe(mediaTypes.ociIndex);
      expect(sut.blobs).toEqual([]);
      expect(sut.manifests).toEqual(ociIndex.manifests);
      expect(sut.manifests.map((m) => m.platform?.architecture)).toEqual(['amd64', 'arm64']);
      expect(sut).not.toHaveProperty('artifactType');
      expect(sut).not.toHaveProperty('subject');
    });

    it('reads a Docker schema 2 manifest, without referrers fields', () => {
      const sut = parseManifest(bytes(dockerManifest), mediaTypes.dockerManifest);

      expect(sut.kind).toBe('manifest');
      expect(sut.mediaType).toBe(mediaTypes.dockerManifest);
      expect(sut.blobs.map((b) => b.digest)).toEqual([
        dockerManifest.config.digest,
        dockerManifest.layers[0].digest,
      ]);
      expect(sut).not.toHaveProperty('artifactType');
    });

    it('reads a Docker manifest list as an index', () => {
      const sut = parseManifest(bytes(dockerList), mediaTypes.dockerManifestList);

      expect(sut.kind).toBe('index');
      expect(sut.mediaType).toBe(mediaTypes.dockerManifestList);
      expect(sut.manifests.map((m) => m.digest)).toEqual(dockerList.manifests.map((m) => m.digest));
    });

    it('reads an artifact: its artifactType, subject and annotations', () => {
      const sut = parseManifest(bytes(artifact), mediaTypes.ociManifest);

      expect(sut.artifactType).toBe('application/spdx+json');
      expect(sut.subject).toEqual(artifact.subject);
      expect(sut.annotations).toEqual(artifact.annotations);
      expect(sut.config?.mediaType).toBe(mediaTypes.ociEmpty);
      expect(sut.blobs).toHaveLength(2);
    });

    it('marks a foreign layer with urls so its blob need not exist', () => {
      const sut = parseManifest(bytes(dockerForeign), mediaTypes.dockerManifest);

      expect(sut.blobs.map((b) => b.foreign)).toEqual([false, true, false]);
    });

    it('refuses a signed schema 1 manifest, saying why', () => {
      const err = rejection(bytes(schema1), mediaTypes.dockerSchema1SignedManifest);

      expect(err.code).toBe('MANIFEST_INVALID');
      expect(err.message).toMatch(/schema 1 manifests are not supported/);
    });

    it('refuses schema 1 whatever the Content-Type says', () => {
      expect(rejection(bytes(schema1)).message).toMatch(/schema 1/);
      expect(rejection(bytes(schema1), 'application/json').message).toMatch(/schema 1/);
    });
  });

  describe('media type resolution', () => {
    it('refuses a Content-Type naming another manifest type than the body', () => {
      const err = rejection(bytes(buildManifest()), mediaTypes.dockerManifest);

      expect(err.code).toBe('MANIFEST_INVALID');
      expect(err.message).toBe(
        `Content-Type ${mediaTypes.dockerManifest} does not match the manifest mediaType ${mediaTypes.ociManifest}`,
      );
    });

    it('ignores Content-Type parameters and case', () => {
      const sut = parseManifest(
        bytes(buildManifest()),
        'Application/VND.OCI.Image.Manifest.v1+json; charset=utf-8',
      );

      expect(sut.mediaType).toBe(mediaTypes.ociManifest);
    });

    it.each(['application/json', 'application/octet-stream', 'text/plain', ''])(
      'lets a Content-Type of %j not break a valid manifest',
      (contentType) => {
        expect(parseManifest(bytes(buildManifest()), contentType).mediaType).toBe(
          mediaTypes.ociManifest,
        );
        expect(parseManifest(bytes(ociManifest), contentType).mediaType).toBe(
          mediaTypes.ociManifest,
        );
      },
    );

    it('takes the media type from the Content-Type when the body has none', () => {
      const body = bytes({ schemaVersion: 2, manifests: [] });

      expect(parseManifest(body, mediaTypes.ociIndex).mediaType).toBe(mediaTypes.ociIndex);
    });

    it('infers an index from manifests when neither says', () => {
      const sut = parseManifest(bytes({ schemaVersion: 2, manifests: ociIndex.manifests }));

      expect(sut.kind).toBe('index');
      expect(sut.mediaType).toBe(mediaTypes.ociIndex);
    });

    it('refuses a body it cannot classify', () => {
      const both = buildManifest({ mediaType: undefined, manifests: [] });
      expect(rejection(bytes(both)).message).toMatch(/cannot tell the manifest type/);
      expect(rejection(bytes({ schemaVersion: 2 })).message).toMatch(/cannot tell/);
    });

    it('refuses an index that also carries config or layers (content confusion)', () => {
      const body = bytes({ ...buildManifest(), mediaType: mediaTypes.ociIndex, manifests: [] });

      expect(rejection(body).message).toMatch(/must not have config or layers/);
    });

    it('refuses an image manifest sent as an index by Content-Type', () => {
      expect(rejection(bytes(ociManifest), mediaTypes.ociIndex).message).toMatch(
        /must not have config or layers/,
      );
    });

    it('refuses an image manifest that also lists manifests', () => {
      const body = bytes(buildManifest({ manifests: [] }));

      expect(rejection(body).message).toMatch(/must not have manifests/);
    });

    it('requires a Docker schema 2 body to declare its mediaType', () => {
      const { mediaType: _, ...undeclared } = dockerManifest;

      expect(rejection(bytes(undeclared), mediaTypes.dockerManifest).message).toMatch(
        /must declare its mediaType/,
      );
    });

    it('accepts an unknown manifest type shaped as an image manifest, as an artifact', () => {
      const type = 'application/vnd.example.thing.manifest.v1+json';
      const config = {
        mediaType: 'application/vnd.example.thing.config.v1+json',
        digest: digestA,
        size: 3,
      };

      const sut = parseManifest(bytes(buildManifest({ mediaType: type, config })), type);

      expect(sut.kind).toBe('manifest');
      expect(sut.mediaType).toBe(type);
      expect(sut.artifactType).toBe(config.mediaType);
    });

    it('refuses an unknown manifest type without config', () => {
      const type = 'application/vnd.example.list.v1+json';

      const err = rejection(bytes({ schemaVersion: 2, mediaType: type, manifests: [] }));

      expect(err.message).toBe(`unsupported manifest media type ${type}`);
    });

    it('refuses the OCI artifact manifest dropped from image-spec 1.1', () => {
      const body = bytes({
        mediaType: mediaTypes.ociArtifactManifest,
        artifactType: 'application/spdx+json',
        blobs: [],
      });

      expect(rejection(body).message).toMatch(/artifact manifest was dropped/);
    });

    it('refuses a mediaType that is not a media type string', () => {
      expect(rejection(bytes(buildManifest({ mediaType: 42 }))).message).toMatch(
        /mediaType must be/,
      );
      expect(rejection(bytes(buildManifest({ mediaType: 'manifest' }))).message).toMatch(
        /mediaType must be/,
      );
    });
  });

  describe('structure', () => {
    it.each([
      ['not JSON', Buffer.from('{"schemaVersion": 2,')],
      ['empty', Buffer.alloc(0)],
      ['a JSON array', bytes([buildManifest()])],
      ['JSON null', bytes(null)],
      ['a JSON string', bytes('manifest')],
      [
        'JSON after a byte order mark',
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes(buildManifest())]),
      ],
      [
        'invalid UTF-8',
        Buffer.concat([bytes(buildManifest()).subarray(0, 10), Buffer.from([0xc3, 0x28])]),
      ],
    ])('refuses a body that is %s', (_, body) => {
      expect(rejection(body).code).toBe('MANIFEST_INVALID');
    });

    it.each([3, '2', undefined, null])('refuses schemaVersion %j', (schemaVersion) => {
      const err = rejection(bytes(buildManifest({ schemaVersion })));

      expect(err.message).toBe('manifest schemaVersion must be 2');
    });

    it('accepts an image manifest without layers', () => {
      expect(parseManifest(bytes(buildManifest({ layers: [] }))).blobs).toHaveLength(1);
    });

    it('reads config and layers named by sha512 digests', () => {
      const config = {
        mediaType: mediaTypes.ociConfig,
        digest: `sha512:${'d'.repeat(128)}`,
        size: 10,
      };
      const layer = buildLayer({ digest: `sha512:${'e'.repeat(128)}` });

      const sut = parseManifest(bytes(buildManifest({ config, layers: [layer] })));

      expect(sut.blobs).toEqual([
        { ...config, foreign: false },
        { ...layer, foreign: false },
      ]);
    });

    it('requires layers on an image manifest', () => {
      const err = rejection(bytes(buildManifest({ layers: undefined })));

      expect(err.message).toMatch(/^layers: /);
    });

    it('tolerates fields it does not know, and leaves them out of the result', () => {
      const body = bytes(
        buildManifest({
          'com.example.extra': { nested: true },
          layers: [buildLayer({ extra: 1 })],
        }),
      );

      const sut = parseManifest(body);

      expect(sut.blobs[1]).toEqual({ ...buildLayer(), foreign: false });
    });

    it.each([
      ['a missing digest', buildLayer({ digest: undefined }), /^layers\[0\]\.digest: /],
      [
        'a malformed digest',
        buildLayer({ digest: 'sha256:xyz' }),
        /^layers\[0\]\.digest: invalid sha256 digest/,
      ],
      [
        'a sha512 digest of 64 hex digits',
        buildLayer({ digest: `sha512:${'ab'.repeat(32)}` }),
        /^layers\[0\]\.digest: invalid sha512 digest/,
      ],
      [
        'a sha384 digest',
        buildLayer({ digest: `sha384:${'ab'.repeat(48)}` }),
        /^layers\[0\]\.digest: unsupported digest algorithm sha384/,
      ],
      ['a negative size', buildLayer({ size: -1 }), /^layers\[0\]\.size: /],
      ['a fractional size', buildLayer({ size: 1.5 }), /^layers\[0\]\.size: /],
      ['a size as a string', buildLayer({ size: '20' }), /^layers\[0\]\.size: /],
      ['a size beyond 2^53', buildLayer({ size: 2 ** 53 }), /^layers\[0\]\.size: /],
      ['a missing mediaType', buildLayer({ mediaType: undefined }), /^layers\[0\]\.mediaType: /],
      [
        'a malformed mediaType',
        buildLayer({ mediaType: 'tar gz' }),
        /^layers\[0\]\.mediaType: invalid media type/,
      ],
      [
        'an annotation that is not a string',
        buildLayer({ annotations: { a: 1 } }),
        /^layers\[0\]\.annotations\.a: /,
      ],
      ['data that is not base64', buildLayer({ data: 'not base64!' }), /^layers\[0\]\.data: /],
      ['urls that are not strings', buildLayer({ urls: [1] }), /^layers\[0\]\.urls\[0\]: /],
    ])('refuses a layer with %s', (_, layer, message) => {
      const err = rejection(bytes(buildManifest({ layers: [layer] })));

      expect(err.code).toBe('MANIFEST_INVALID');
      expect(err.message).toMatch(message);
    });

    it('lists every problem in detail.issues', () => {
      const body = bytes(
        buildManifest({
          config: { mediaType: mediaTypes.ociConfig, size: -1 },
          layers: [buildLayer({ size: -2 })],
        }),
      );

      const err = rejection(body);

      expect((err.detail as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual([
        'config.digest',
        'config.size',
        'layers[0].size',
      ]);
    });

    it('refuses a subject that is not a valid descriptor', () => {
      const err = rejection(
        bytes(
          buildManifest({
            subject: { mediaType: mediaTypes.ociManifest, digest: 'nope', size: 1 },
          }),
        ),
      );

      expect(err.message).toBe('subject.digest: invalid digest');
    });

    it('refuses manifest annotations that are not strings', () => {
      expect(rejection(bytes(buildManifest({ annotations: { n: 1 } }))).message).toMatch(
        /^annotations\.n: /,
      );
    });

    it('refuses an artifactType that is not a media type', () => {
      expect(rejection(bytes(buildManifest({ artifactType: 'sbom' }))).message).toMatch(
        /^artifactType: invalid media type/,
      );
    });

    it('refuses an index entry whose platform lacks os', () => {
      const entry = { ...ociIndex.manifests[0], platform: { architecture: 'amd64' } };

      const err = rejection(bytes({ ...ociIndex, manifests: [entry] }));

      expect(err.message).toMatch(/^manifests\[0\]\.platform\.os: /);
    });
  });

  describe('referrers fields', () => {
    it('gives an image manifest without artifactType its config media type', () => {
      const config = {
        mediaType: 'application/vnd.example.signature.config+json',
        digest: digestA,
        size: 2,
      };

      expect(parseManifest(bytes(buildManifest({ config }))).artifactType).toBe(config.mediaType);
    });

    it('prefers the manifest artifactType over the config media type', () => {
      const sut = parseManifest(
        bytes(buildManifest({ artifactType: 'application/vnd.example+type' })),
      );

      expect(sut.artifactType).toBe('application/vnd.example+type');
    });

    it('reads an index with subject, artifactType and annotations', () => {
      const subject = { mediaType: mediaTypes.ociManifest, digest: digestA, size: 5 };
      const body = bytes({
        ...ociIndex,
        artifactType: 'application/vnd.example.bundle',
        subject,
        annotations: { k: 'v' },
      });

      const sut = parseManifest(body);

      expect(sut).toMatchObject({
        kind: 'index',
        artifactType: 'application/vnd.example.bundle',
        subject,
        annotations: { k: 'v' },
      });
    });
  });

  describe('foreign layers', () => {
    const url = 'https://mirror.example.com/layers/base.tar.gz';

    it('marks a non-distributable OCI layer with urls foreign', () => {
      const layer = buildLayer({
        mediaType: mediaTypes.ociLayerNonDistributableTarGzip,
        urls: [url],
      });

      expect(parseManifest(bytes(buildManifest({ layers: [layer] }))).blobs[1]?.foreign).toBe(true);
    });

    it('does not mark a non-distributable OCI layer without urls: its blob must exist', () => {
      const layer = buildLayer({ mediaType: mediaTypes.ociLayerNonDistributableTar });

      expect(parseManifest(bytes(buildManifest({ layers: [layer] }))).blobs[1]?.foreign).toBe(
        false,
      );
    });

    it('does not mark an ordinary layer that happens to list urls', () => {
      const layer = buildLayer({ urls: [url] });

      expect(parseManifest(bytes(buildManifest({ layers: [layer] }))).blobs[1]?.foreign).toBe(
        false,
      );
    });

    it('refuses a Docker foreign layer without urls', () => {
      const layers = [{ ...dockerForeign.layers[0], urls: undefined }];

      expect(rejection(bytes({ ...dockerForeign, layers })).message).toBe(
        'layers[0]: a foreign layer must list urls',
      );
    });

    it.each([
      'ftp://mirror.example.com/base.tar',
      `${url}#fragment`,
      `${url}#`,
      'not a url',
      '/relative/path',
    ])('refuses the foreign layer url %j', (bad) => {
      const layer = buildLayer({
        mediaType: mediaTypes.ociLayerNonDistributableTarGzip,
        urls: [url, bad],
      });

      expect(rejection(bytes(buildManifest({ layers: [layer] }))).message).toMatch(
        /^layers\[0\]\.urls: .* is not an http or https URL without fragment$/,
      );
    });
  });
});
