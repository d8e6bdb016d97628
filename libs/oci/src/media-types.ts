/**
 * Media types Meridian recognises (image-spec media-types.md, Docker image manifest
 * v2 schema 2). Manifest and index types decide how a pushed body is validated and
 * which descriptors it references; layer types only matter for non-distributable
 * ("foreign") layers, whose bytes live outside the registry.
 */
export const mediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  /** The `{}` blob artifacts use when they have no config or no layers. */
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  ociDescriptor: 'application/vnd.oci.descriptor.v1+json',
  ociLayerTar: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerTarGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerTarZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociLayerNonDistributableTar: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  ociLayerNonDistributableTarGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  ociLayerNonDistributableTarZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  /** Dropped before image-spec 1.1 shipped; recognised only to refuse it with a clear message. */
  ociArtifactManifest: 'application/vnd.oci.artifact.manifest.v1+json',

  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  dockerPluginConfig: 'application/vnd.docker.plugin.v1+json',
  /** Docker schema 1: recognised only to refuse it (signed with a JWS Meridian cannot keep). */
  dockerSchema1Manifest: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1SignedManifest: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

export type KnownMediaType = (typeof mediaTypes)[keyof typeof mediaTypes];

/** Manifests that describe one image or artifact: a config and layers. */
export const imageManifestMediaTypes: readonly string[] = [
  mediaTypes.ociManifest,
  mediaTypes.dockerManifest,
];

/** Manifests that list other manifests. */
export const indexMediaTypes: readonly string[] = [
  mediaTypes.ociIndex,
  mediaTypes.dockerManifestList,
];

/** Every manifest type Meridian stores and serves, e.g. for a default `Accept`. */
export const supportedManifestMediaTypes: readonly string[] = [
  ...imageManifestMediaTypes,
  ...indexMediaTypes,
];

export const schema1MediaTypes: readonly string[] = [
  mediaTypes.dockerSchema1Manifest,
  mediaTypes.dockerSchema1SignedManifest,
];

/** Layers whose bytes a registry may not hold: they name `urls` to fetch them from. */
export const foreignLayerMediaTypes: readonly string[] = [
  mediaTypes.ociLayerNonDistributableTar,
  mediaTypes.ociLayerNonDistributableTarGzip,
  mediaTypes.ociLayerNonDistributableTarZstd,
  mediaTypes.dockerForeignLayer,
];

export function isIndexMediaType(mediaType: string): boolean {
  return indexMediaTypes.includes(mediaType);
}

/** True for a single-image manifest type (OCI image manifest or Docker schema 2). */
export function isManifestMediaType(mediaType: string): boolean {
  return imageManifestMediaTypes.includes(mediaType);
}

export function isSupportedManifestMediaType(mediaType: string): boolean {
  return supportedManifestMediaTypes.includes(mediaType);
}

export function isSchema1MediaType(mediaType: string): boolean {
  return schema1MediaTypes.includes(mediaType);
}

export function isForeignLayerMediaType(mediaType: string): boolean {
  return foreignLayerMediaTypes.includes(mediaType);
}

/**
 * The bare media type of a Content-Type header: parameters dropped, lowercased (media
 * types are case-insensitive; the spec tells registries to ignore parameters).
 * Undefined for an absent or empty header.
 */
export function normalizeContentType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const bare = contentType.split(';')[0].trim().toLowerCase();
  return bare === '' ? undefined : bare;
}

/**
 * RFC 6838 `type/subtype` (restricted-name on both sides), the pattern image-spec's
 * JSON schema applies to descriptor media types and artifact types.
 */
export const mediaTypePattern =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

export function isMediaType(value: string): boolean {
  return mediaTypePattern.test(value);
}
