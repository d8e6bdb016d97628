/**
 * Pushes an OCI artifact (image-spec 1.1: an image manifest with `artifactType`, the
 * empty config and optionally a `subject`) the way ORAS-style tools do: blobs first,
 * then the manifest PUT by digest. The PUT response is returned so a test can read the
 * `OCI-Subject` header.
 */
import { mediaTypes, sha256Digest } from '@meridian/oci';
import { type Descriptor, type RegistryClient } from './registry-client';

/** The `{}` blob an artifact without a config points at (image-spec manifest.md). */
const emptyJson = '{}';

export interface PushArtifactOptions {
  repository: string;
  artifactType: string;
  /** the manifest this artifact refers to */
  subject?: Descriptor;
  /** blobs that become the layers; one empty blob when none */
  blobs?: readonly { mediaType: string; content: string | Uint8Array }[];
  annotations?: Record<string, string>;
  /** PUT under this tag instead of the manifest's digest */
  tag?: string;
}

export interface PushedArtifact extends Descriptor {
  bytes: Buffer;
  artifactType: string;
  annotations?: Record<string, string>;
  response: Response;
}

export async function pushArtifact(
  registry: RegistryClient,
  options: PushArtifactOptions,
): Promise<PushedArtifact> {
  const config = await registry.pushBlob(options.repository, emptyJson, mediaTypes.ociEmpty);
  const layers =
    options.blobs && options.blobs.length > 0
      ? await Promise.all(
          options.blobs.map((blob) =>
            registry.pushBlob(options.repository, blob.content, blob.mediaType),
          ),
        )
      : [config];
  const manifest = {
    schemaVersion: 2,
    mediaType: mediaTypes.ociManifest,
    artifactType: options.artifactType,
    config,
    layers,
    ...(options.subject && { subject: options.subject }),
    ...(options.annotations && { annotations: options.annotations }),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const digest = sha256Digest(bytes);
  const response = await registry.putManifest(
    options.repository,
    options.tag ?? digest,
    bytes,
    mediaTypes.ociManifest,
  );
  return {
    mediaType: mediaTypes.ociManifest,
    digest,
    size: bytes.length,
    bytes,
    artifactType: options.artifactType,
    annotations: options.annotations,
    response,
  };
}
