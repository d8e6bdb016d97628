import {
  isForeignLayerMediaType,
  isIndexMediaType,
  isManifestMediaType,
  isMediaType,
  isSchema1MediaType,
  isSupportedManifestMediaType,
  mediaTypes,
  normalizeContentType,
} from './media-types';

describe('media types', () => {
  it('tells indexes from single-image manifests', () => {
    expect(isIndexMediaType(mediaTypes.ociIndex)).toBe(true);
    expect(isIndexMediaType(mediaTypes.dockerManifestList)).toBe(true);
    expect(isIndexMediaType(mediaTypes.ociManifest)).toBe(false);
    expect(isManifestMediaType(mediaTypes.ociManifest)).toBe(true);
    expect(isManifestMediaType(mediaTypes.dockerManifest)).toBe(true);
    expect(isManifestMediaType(mediaTypes.ociIndex)).toBe(false);
  });

  it('does not count schema 1, the dropped artifact manifest or configs as supported manifests', () => {
    for (const type of [
      mediaTypes.dockerSchema1Manifest,
      mediaTypes.dockerSchema1SignedManifest,
      mediaTypes.ociArtifactManifest,
      mediaTypes.ociConfig,
      mediaTypes.ociEmpty,
    ]) {
      expect(isSupportedManifestMediaType(type)).toBe(false);
    }
    expect(isSchema1MediaType(mediaTypes.dockerSchema1SignedManifest)).toBe(true);
    expect(isSchema1MediaType(mediaTypes.dockerManifest)).toBe(false);
  });

  it('compares exactly: case and parameters are the caller’s to normalise', () => {
    expect(isManifestMediaType('Application/vnd.oci.image.manifest.v1+json')).toBe(false);
    expect(isManifestMediaType(`${mediaTypes.ociManifest}; charset=utf-8`)).toBe(false);
  });

  it('recognises non-distributable layers of both formats, and only those', () => {
    expect(isForeignLayerMediaType(mediaTypes.dockerForeignLayer)).toBe(true);
    expect(isForeignLayerMediaType(mediaTypes.ociLayerNonDistributableTarGzip)).toBe(true);
    expect(isForeignLayerMediaType(mediaTypes.ociLayerNonDistributableTarZstd)).toBe(true);
    expect(isForeignLayerMediaType(mediaTypes.ociLayerTarGzip)).toBe(false);
    expect(isForeignLayerMediaType(mediaTypes.dockerLayer)).toBe(false);
  });

  describe(normalizeContentType.name, () => {
    it.each([
      ['application/vnd.oci.image.manifest.v1+json', mediaTypes.ociManifest],
      ['application/vnd.oci.image.manifest.v1+json; charset=utf-8', mediaTypes.ociManifest],
      ['  Application/VND.Docker.Distribution.Manifest.V2+JSON ;q=1', mediaTypes.dockerManifest],
      ['', undefined],
      ['  ; charset=utf-8', undefined],
      [undefined, undefined],
    ])('%j → %j', (header, expected) => {
      expect(normalizeContentType(header)).toBe(expected);
    });
  });

  describe(isMediaType.name, () => {
    it.each([
      'application/vnd.oci.image.layer.v1.tar+gzip',
      'application/spdx+json',
      'text/plain',
      'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
    ])('accepts %s', (value) => expect(isMediaType(value)).toBe(true));

    it.each([
      '',
      'application',
      'application/',
      '/json',
      'application/json; charset=utf-8',
      'application/js on',
      'application/json/extra',
      `application/${'a'.repeat(128)}`,
    ])('refuses %j', (value) => expect(isMediaType(value)).toBe(false));
  });
});
