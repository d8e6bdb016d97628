/**
 * Events as a peer region's stream carries them, for unit tests: valid against their
 * contracts, with overrides for what a test is about.
 */
import { randomUUID } from 'node:crypto';
import {
  type BlobUploaded,
  type ManifestPushed,
  type ReplicationCompleted,
  type TagUpdated,
  formatHlc,
} from '@meridian/contracts';
import { sha256Digest } from '@meridian/oci';

export interface Layer {
  bytes: Buffer;
  digest: string;
  size: number;
}

export function buildLayer(content: string): Layer {
  const bytes = Buffer.from(content);
  return { bytes, digest: sha256Digest(bytes), size: bytes.length };
}

function envelope(region: string, occurredAt: Date) {
  return {
    eventId: randomUUID(),
    originRegion: region,
    hlc: formatHlc({ wallMs: occurredAt.getTime(), counter: 0, region }),
    occurredAt: occurredAt.toISOString(),
  };
}

export function buildManifestPushed(
  overrides: Partial<ManifestPushed> & { layers?: Layer[] } = {},
): ManifestPushed {
  const { layers = [], ...rest } = overrides;
  const region = rest.originRegion ?? 'us-east';
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      layers: layers.map(({ digest, size }) => ({ digest, size })),
    }),
  );
  return {
    ...envelope(region, new Date(Date.now() - 1000)),
    repository: 'team/api',
    digest: sha256Digest(body),
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    size: body.length,
    tag: 'v1',
    body: body.toString('base64'),
    references: { blobs: layers.map(({ digest, size }) => ({ digest, size })), manifests: [] },
    ...rest,
  };
}

export function buildBlobUploaded(layer: Layer, region = 'us-east'): BlobUploaded {
  return {
    ...envelope(region, new Date()),
    repository: 'team/api',
    digest: layer.digest,
    size: layer.size,
  };
}

export function buildTagUpdated(push: ManifestPushed): TagUpdated {
  return {
    ...envelope(push.originRegion, new Date()),
    repository: push.repository,
    tag: 'latest',
    digest: push.digest,
    mediaType: push.mediaType,
  };
}

export function buildCompleted(
  push: ManifestPushed,
  region: string,
  lagMs = 250,
): ReplicationCompleted {
  return {
    ...envelope(region, new Date()),
    repository: push.repository,
    digest: push.digest,
    mediaType: push.mediaType,
    size: push.size,
    region,
    sourceRegion: push.originRegion,
    sourceEventId: push.eventId,
    pushedAt: push.occurredAt,
    lagMs,
  };
}
