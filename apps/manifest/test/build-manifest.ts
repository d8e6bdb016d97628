/**
 * Manifest builders for the manifest service's tests: every kind Meridian stores, with
 * blob digests derived from labels so a test can say which blobs exist.
 */
import { mediaTypes, sha256Digest } from '@meridian/oci';

export interface Blob {
  digest: string;
  size: number;
}

/** A blob whose bytes are `content`. */
export function buildBlob(content: string): Blob {
  return { digest: sha256Digest(content), size: Buffer.byteLength(content) };
}

export interface BuiltManifest {
  json: Record<string, unknown>;
  bytes: Buffer;
  base64: string;
  digest: string;
  size: number;
  mediaType: string;
}

/** Serializes a manifest as a client would send it; the digest is of these exact bytes. */
export function built(json: Record<string, unknown>, mediaType: string): BuiltManifest {
  const bytes = Buffer.from(JSON.stringify(json, null, 2));
  return {
    json,
    bytes,
    base64: bytes.toString('base64'),
    digest: sha256Digest(bytes),
    size: bytes.byteLength,
    mediaType,
  };
}

export interface ImageOptions {
  config?: Blob;
  layers?: Blob[];
  artifactType?: string;
  configMediaType?: string;
  subject?: BuiltManifest;
  annotations?: Record<string, string>;
  /** leave `mediaType` out of the body */
  undeclared?: boolean;
}

export function buildOciManifest(options: ImageOptions = {}): BuiltManifest {
  const config = options.config ?? buildBlob('config');
  const layers = options.layers ?? [buildBlob('layer')];
  return built(
    {
      schemaVersion: 2,
      ...(options.undeclared ? {} : { mediaType: mediaTypes.ociManifest }),
      ...(options.artifactType ? { artifactType: options.artifactType } : {}),
      config: { mediaType: options.configMediaType ?? mediaTypes.ociConfig, ...config },
      layers: layers.map((layer) => ({ mediaType: mediaTypes.ociLayerTarGzip, ...layer })),
      ...(options.subject ? { subject: descriptorOf(options.subject) } : {}),
      ...(options.annotations ? { annotations: options.annotations } : {}),
    },
    mediaTypes.ociManifest,
  );
}

/** An artifact as oras pushes one: the empty config, an artifactType, usually a subject. */
export function buildArtifact(options: {
  artifactType: string;
  subject?: BuiltManifest;
  layers?: Blob[];
  annotations?: Record<string, string>;
}): BuiltManifest {
  return buildOciManifest({
    config: emptyBlob,
    configMediaType: mediaTypes.ociEmpty,
    layers: options.layers ?? [buildBlob(`payload of ${options.artifactType}`)],
    artifactType: options.artifactType,
    subject: options.subject,
    annotations: options.annotations,
  });
}

export const emptyBlob: Blob = buildBlob('{}');

export function buildOciIndex(
  children: BuiltManifest[],
  options: {
    subject?: BuiltManifest;
    artifactType?: string;
    annotations?: Record<string, string>;
  } = {},
): BuiltManifest {
  return built(
    {
      schemaVersion: 2,
      mediaType: mediaTypes.ociIndex,
      ...(options.artifactType ? { artifactType: options.artifactType } : {}),
      manifests: children.map((child, i) => ({
        ...descriptorOf(child),
        platform: { architecture: i % 2 === 0 ? 'amd64' : 'arm64', os: 'linux' },
      })),
      ...(options.subject ? { subject: descriptorOf(options.subject) } : {}),
      ...(options.annotations ? { annotations: options.annotations } : {}),
    },
    mediaTypes.ociIndex,
  );
}

export function buildDockerManifest(
  options: { config?: Blob; layers?: Blob[] } = {},
): BuiltManifest {
  const config = options.config ?? buildBlob('docker config');
  const layers = options.layers ?? [buildBlob('docker layer')];
  return built(
    {
      schemaVersion: 2,
      mediaType: mediaTypes.dockerManifest,
      config: { mediaType: mediaTypes.dockerConfig, ...config },
      layers: layers.map((layer) => ({ mediaType: mediaTypes.dockerLayer, ...layer })),
    },
    mediaTypes.dockerManifest,
  );
}

export function buildDockerList(children: BuiltManifest[]): BuiltManifest {
  return built(
    {
      schemaVersion: 2,
      mediaType: mediaTypes.dockerManifestList,
      manifests: children.map((child, i) => ({
        ...descriptorOf(child),
        platform: { architecture: i % 2 === 0 ? 'amd64' : 'arm64', os: 'linux' },
      })),
    },
    mediaTypes.dockerManifestList,
  );
}

export function descriptorOf(manifest: BuiltManifest): {
  mediaType: string;
  digest: string;
  size: number;
} {
  return { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size };
}

/** The blobs an image manifest references (config first), for a fake blob service. */
export function blobsOf(manifest: BuiltManifest): Blob[] {
  const json = manifest.json as { config?: Blob; layers?: Blob[] };
  return [json.config, ...(json.layers ?? [])]
    .filter((blob): blob is Blob => blob !== undefined)
    .map(({ digest, size }) => ({ digest, size }));
}
