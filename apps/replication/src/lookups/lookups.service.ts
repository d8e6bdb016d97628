/**
 * Serving what a peer acknowledged before this region has replicated it: the gateway asks
 * here when a pull misses locally. The first peer that has the manifest (or whose store has
 * the blob) answers, and that image jumps the queue: its blobs are copied and linked now,
 * in the background, so the event that replicates it later finds them in place.
 */
import { Inject, Injectable } from '@nestjs/common';
import {
  type ErrorCode,
  RegistryError,
  type RpcRequest,
  type RpcResponse,
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
    const { region, value: size } = await this.firstPeer('BLOB_UNKNOWN', async (peer) => {
      const blob = await this.services.statBlob(peer, repository, digest);
      if (!(await this.copier.peerHas(peer, digest)))
        throw new RegistryError('BLOB_UNKNOWN', 'blob unknown to registry');
      return blob.size;
    });
    this.prioritise({ region, repository, digest }, () =>
      this.copyAndLink(region, repository, { digest, size }),
    );
    return { region, size };
  }

  /** Waits for the copies started by lookups (at shutdown, and in tests). */
  async settled(): Promise<void> {
    await Promise.all(this.prefetching);
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
