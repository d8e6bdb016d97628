/**
 * Other regions' registry events, as the replication service hands them to `manifest.apply`:
 * each stamped with a chosen clock reading, so a test decides which write is newest.
 */
import { randomUUID } from 'node:crypto';
import {
  type ChangeableAttributes,
  type LockChanged,
  type ManifestDeleted,
  type ManifestPushed,
  type RepositoryDeleted,
  type RpcRequest,
  type TagDeleted,
  type TagUpdated,
  formatHlc,
  type manifestRpc,
} from '@meridian/contracts';
import { type BuiltManifest, blobsOf } from './build-manifest';

export type ApplyRequest = RpcRequest<typeof manifestRpc.apply>;

/** A clock reading of `region` at `wallMs`. */
export function at(wallMs: number, region = 'us-east'): string {
  return formatHlc({ wallMs, counter: 0, region });
}

function envelope(hlc: string) {
  return {
    eventId: randomUUID(),
    originRegion: hlc.split('.')[2]!,
    hlc,
    occurredAt: new Date(1_700_000_000_000).toISOString(),
  };
}

export function pushed(
  repository: string,
  manifest: BuiltManifest,
  hlc: string,
  tag?: string,
): ApplyRequest {
  const children = ((manifest.json['manifests'] ?? []) as { digest: string }[]).map(
    (child) => child.digest,
  );
  const event: ManifestPushed = {
    ...envelope(hlc),
    repository,
    digest: manifest.digest,
    mediaType: manifest.mediaType,
    size: manifest.size,
    ...(tag === undefined ? {} : { tag }),
    body: manifest.base64,
    references: { blobs: blobsOf(manifest), manifests: children },
  };
  return { kind: 'manifest.pushed', event };
}

export function tagUpdated(
  repository: string,
  manifest: BuiltManifest,
  hlc: string,
  tag: string,
): ApplyRequest {
  const event: TagUpdated = {
    ...envelope(hlc),
    repository,
    tag,
    digest: manifest.digest,
    mediaType: manifest.mediaType,
  };
  return { kind: 'tag.updated', event };
}

export function tagDeleted(
  repository: string,
  manifest: BuiltManifest,
  hlc: string,
  tag: string,
): ApplyRequest {
  const event: TagDeleted = { ...envelope(hlc), repository, tag, digest: manifest.digest };
  return { kind: 'tag.deleted', event };
}

export function manifestDeleted(
  repository: string,
  manifest: BuiltManifest,
  hlc: string,
  tags: string[],
): ApplyRequest {
  const event: ManifestDeleted = { ...envelope(hlc), repository, digest: manifest.digest, tags };
  return { kind: 'manifest.deleted', event };
}

export function repositoryDeleted(repository: string, hlc: string): ApplyRequest {
  const event: RepositoryDeleted = { ...envelope(hlc), repository };
  return { kind: 'repository.deleted', event };
}

/**
 * A lock change of the repository, or of a tag or a manifest in it: `attributes` over all
 * enabled, as the whole set the event carries.
 */
export function lockChanged(
  repository: string,
  hlc: string,
  attributes: Partial<ChangeableAttributes>,
  on: { tag?: string; digest?: string } = {},
): ApplyRequest {
  const event: LockChanged = {
    ...envelope(hlc),
    repository,
    ...on,
    attributes: {
      deleteEnabled: true,
      writeEnabled: true,
      readEnabled: true,
      listEnabled: true,
      ...attributes,
    },
  };
  return { kind: 'lock.changed', event };
}

/** The same request for another repository (a fresh event id): one scenario, many orders. */
export function inRepository(request: ApplyRequest, repository: string): ApplyRequest {
  return {
    ...request,
    event: { ...request.event, eventId: randomUUID(), repository },
  } as ApplyRequest;
}
