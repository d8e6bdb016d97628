/**
 * Serving what a peer acknowledged before this region has replicated it: the gateway asks
 * here when a pull misses locally. The first peer that has the manifest (or whose store has
 * the blob) answers, and that image jumps the queue: its blobs are copied and linked now,
 * in the background, so the event that replicates it later finds them in place.
 *
 * What this region deleted itself is never served from a peer: the gateway does not ask for
 * a miss that says so, and a tag a peer still has is not followed to a manifest deleted here
 * (a delete by digest removes its tags without a tombstone of each).
 *
 * A manifest pushed here may reference blobs a client skipped because a pull-through HEAD
 * found them at a peer (skopeo copying to one region right after another): the manifest
 * service asks `fetchBlobs` to copy and link them before it accepts the push. An index
 * pushed here may likewise reference child manifests the client skipped: `fetchManifests`
 * stores each here by digest (its blobs copied and linked first) before the index is accepted.
 */
import { Inject, Injectable } from '@nestjs/common';
import {
  type ErrorCode,
  RegistryError,
  type RpcRequest,
  type RpcResponse,
  deletedHereDetail,
  isDeletedHere,
  isRegistryError,
  type replicationRpc,
} from '@meridian/contracts';
import { parseManifest } from '@meridian/oci';
import { type Logger, loggerToken } from '@meridian/telemetry';
import { BlobCopier } from '../blobs/blob-copier';
import { RegionServices } from '../replication/region-services';
import {
  type ReplicationSettings,
  replicationSettingsToken,
} from '../replication/replication.settings';

type LookupManifest = typeof replicationRpc.lookupManifest;
type LocateBlob = typeof replicationRpc.locateBlob;
type FetchBlobs = typeof replicationRpc.fetchBlobs;
type FetchManifests = typeof replicationRpc.fetchManifests;

/** an index's children are fetched too; their children (not allowed by OCI) are not */
const prefetchDepth = 2;

@Injectable()
export class LookupsService {
  private readonly prefetching = new Set<Promise<void>>();

  constructor(
    @Inject(replicationSettingsToken) private readonly settings: ReplicationSettings,
    private readonly services: RegionServices,
    private readonly copier: BlobCopier,
    @Inject(loggerToken) private readonly logger: Logger,
  ) {}

  async lookupManifest(request: RpcRequest<LookupManifest>): Promise<RpcResponse<LookupManifest>> {
    const { repository, reference, includeBody } = request;
    const { region, value: manifest } = await this.firstPeer('MANIFEST_UNKNOWN', (peer) =>
      this.services.getManifest(peer, repository, reference, true),
    );
    if (reference !== manifest.digest) await this.refuseDeletedHere(repository, manifest.digest);
    if (manifest.body !== undefined) {
      const body = manifest.body;
      this.prioritise({ region, repository, digest: manifest.digest }, () =>
        this.prefetchManifest(region, repository, body, prefetchDepth),
      );
    }
    return {
      digest: manifest.digest,
      mediaType: manifest.mediaType,
      size: manifest.size,
      region,
      ...(includeBody && manifest.body !== undefined ? { body: manifest.body } : {}),
      ...(manifest.quarantine !== undefined ? { quarantine: manifest.quarantine } : {}),
    };
  }

  async locateBlob({
    repository,
    digest,
  }: RpcRequest<LocateBlob>): Promise<RpcResponse<LocateBlob>> {
    const { region, value: size } = await this.firstPeer('BLOB_UNKNOWN', (peer) =>
      this.peerBlobSize(peer, repository, digest),
    );
    this.prioritise({ region, repository, digest }, () =>
      this.copyAndLink(region, repository, { digest, size }),
    );
    return { region, size };
  }

  /**
   * Copies and links, from the first peer that has each, the blobs among `digests` this
   * region's repository lacks; resolves once every copy has ended. Blobs deleted from the
   * repository here are left alone: the client deleted them, the client pushes them again.
   */
  async fetchBlobs({
    repository,
    digests,
  }: RpcRequest<FetchBlobs>): Promise<RpcResponse<FetchBlobs>> {
    const outcomes = await Promise.all(
      [...new Set(digests)].map((digest) => this.fetchBlob(repository, digest)),
    );
    return { fetched: outcomes.filter((digest) => digest !== undefined) };
  }

  /**
   * Stores here, from the first peer that has each, the child manifests among `digests` this
   * region's repository lacks, each as an untagged push of the peer's exact bytes (the same
   * digest), its blobs copied and linked first; resolves once every one has ended. Manifests
   * deleted here are left alone, as blobs are.
   */
  async fetchManifests({
    repository,
    digests,
  }: RpcRequest<FetchManifests>): Promise<RpcResponse<FetchManifests>> {
    const outcomes = await Promise.all(
      [...new Set(digests)].map((digest) => this.fetchManifest(repository, digest)),
    );
    return { fetched: outcomes.filter((digest) => digest !== undefined) };
  }

  /** Waits for the copies started by lookups (at shutdown, and in tests). */
  async settled(): Promise<void> {
    await Promise.all(this.prefetching);
  }

  /** The digest once the blob is linked here; undefined when it cannot be. */
  private async fetchBlob(repository: string, digest: string): Promise<string | undefined> {
    try {
      await this.services.statBlob(this.settings.region, repository, digest);
      return digest;
    } catch (error) {
      if (!isRegistryError(error) || error.code === 'UNAVAILABLE' || isDeletedHere(error))
        return undefined;
    }
    try {
      const { region, value: size } = await this.firstPeer('BLOB_UNKNOWN', (peer) =>
        this.peerBlobSize(peer, repository, digest),
      );
      await this.copyAndLink(region, repository, { digest, size });
      return digest;
    } catch (error) {
      this.logger.debug({ err: error, repository, digest }, 'no peer blob to fetch for a push');
      return undefined;
    }
  }

  /** The digest once the manifest is stored here; undefined when it cannot be. */
  private async fetchManifest(repository: string, digest: string): Promise<string | undefined> {
    try {
      await this.services.getManifest(this.settings.region, repository, digest, false);
      return digest;
    } catch (error) {
      if (
        !isRegistryError(error) ||
        error.code === 'UNAVAILABLE' ||
        isDeletedHere(error) ||
        (error.code !== 'MANIFEST_UNKNOWN' && error.code !== 'NAME_UNKNOWN')
      )
        return undefined;
    }
    try {
      const { region, value: manifest } = await this.firstPeer('MANIFEST_UNKNOWN', (peer) =>
        this.services.getManifest(peer, repository, digest, true),
      );
      if (manifest.body === undefined || manifest.digest !== digest) return undefined;
      await this.prefetchManifest(region, repository, manifest.body, 1);
      await this.services.putManifest(repository, digest, manifest.mediaType, manifest.body);
      return digest;
    } catch (error) {
      this.logger.debug({ err: error, repository, digest }, 'no peer manifest to fetch for a push');
      return undefined;
    }
  }

  /** The blob's size when `peer`'s repository sees it and `peer`'s store holds its bytes. */
  private async peerBlobSize(peer: string, repository: string, digest: string): Promise<number> {
    const blob = await this.services.statBlob(peer, repository, digest);
    if (!(await this.copier.peerHas(peer, digest)))
      throw new RegistryError('BLOB_UNKNOWN', 'blob unknown to registry');
    return blob.size;
  }

  /** MANIFEST_UNKNOWN, saying so, when this region deleted the manifest `digest` itself. */
  private async refuseDeletedHere(repository: string, digest: string): Promise<void> {
    try {
      await this.services.getManifest(this.settings.region, repository, digest, false);
    } catch (error) {
      if (isDeletedHere(error))
        throw new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown to registry', {
          reference: digest,
          ...deletedHereDetail,
        });
    }
  }

  private async prefetchManifest(
    peer: string,
    repository: string,
    body: string,
    depth: number,
  ): Promise<void> {
    const parsed = parseManifest(Buffer.from(body, 'base64'));
    await Promise.all(
      parsed.blobs
        .filter((blob) => !blob.foreign)
        .map((blob) => this.copyAndLink(peer, repository, blob)),
    );
    if (depth <= 1) return;
    for (const child of parsed.manifests) {
      const manifest = await this.services.getManifest(peer, repository, child.digest, true);
      if (manifest.body !== undefined)
        await this.prefetchManifest(peer, repository, manifest.body, depth - 1);
    }
  }

  private async copyAndLink(
    peer: string,
    repository: string,
    blob: { digest: string; size: number },
  ): Promise<void> {
    await this.copier.ensure(peer, blob);
    await this.services.linkBlob(repository, blob.digest, blob.size);
  }

  private prioritise(
    image: { region: string; repository: string; digest: string },
    work: () => Promise<void>,
  ): void {
    const running = work().catch((err: unknown) => {
      // the event that replicates the image retries; this was only a head start
      this.logger.warn({ err, ...image }, 'failed to copy an image ahead of its event');
    });
    const tracked = running.finally(() => this.prefetching.delete(tracked));
    this.prefetching.add(tracked);
  }

  /**
   * The first peer for which `find` resolves. When none does: `notFound`, or for a manifest
   * NAME_UNKNOWN when every peer that answered does not know the repository.
   */
  private async firstPeer<T>(
    notFound: ErrorCode,
    find: (peer: string) => Promise<T>,
  ): Promise<{ region: string; value: T }> {
    const attempts = this.settings.peers.map(async (region) => ({
      region,
      value: await find(region),
    }));
    try {
      return await Promise.any(attempts);
    } catch (error) {
      const errors = error instanceof AggregateError ? (error.errors as unknown[]) : [error];
      const answered = errors.filter((err) => !isRegistryError(err) || err.code !== 'UNAVAILABLE');
      const nameUnknown =
        notFound === 'MANIFEST_UNKNOWN' &&
        answered.length > 0 &&
        answered.every((err) => isRegistryError(err) && err.code === 'NAME_UNKNOWN');
      if (nameUnknown)
        throw new RegistryError('NAME_UNKNOWN', 'repository name not known to registry');
      throw new RegistryError(
        notFound,
        notFound === 'BLOB_UNKNOWN' ? 'blob unknown to registry' : 'manifest unknown to registry',
      );
    }
  }
}
