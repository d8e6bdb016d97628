/**
 * What an import asks of this region's other services: read a manifest (of a local source,
 * or a target tag to see whether it exists), the store's usage and quotas, link a blob into
 * the target repository once its bytes are in the store, and push a manifest as a client
 * would, with the caller as the actor (so events, replication, scanning and webhooks follow
 * as for any push). An interface of its own so the transfer's rules are tested against an
 * in-memory fake; `NatsImportRegion` is the real one, over the services' RPCs.
 */
import { Injectable } from '@nestjs/common';
import {
  type ManifestInfo,
  type StoreUsage,
  acrRpc,
  blobRpc,
  isRegistryError,
  manifestRpc,
} from '@meridian/contracts';
import { type RpcContext, RpcClient } from '@meridian/messaging';

export interface LocalManifest extends ManifestInfo {
  /** base64 */
  body: string;
}

export abstract class ImportRegion {
  /** The manifest, or undefined when the repository or reference is unknown. */
  abstract findManifest(repository: string, reference: string): Promise<LocalManifest | undefined>;
  abstract usage(): Promise<StoreUsage>;
  /**
   * Why a push to the repository (and the tag, when given) would be refused by a write lock,
   * or undefined when it would not: checked before any byte moves. `manifest.put` checks
   * again under the repository's lock.
   */
  abstract writeLock(repository: string, tag?: string): Promise<string | undefined>;
  abstract linkBlob(repository: string, digest: string, size: number): Promise<void>;
  /** `manifest.put`; `body` base64. */
  abstract putManifest(
    repository: string,
    reference: string,
    contentType: string,
    body: string,
    context: RpcContext,
  ): Promise<ManifestInfo>;
}

@Injectable()
export class NatsImportRegion extends ImportRegion {
  constructor(private readonly rpc: RpcClient) {
    super();
  }

  async findManifest(repository: string, reference: string): Promise<LocalManifest | undefined> {
    try {
      const found = await this.rpc.request(manifestRpc.get, {
        repository,
        reference,
        includeBody: true,
      });
      return {
        digest: found.digest,
        mediaType: found.mediaType,
        size: found.size,
        body: found.body ?? '',
      };
    } catch (error) {
      if (isRegistryError(error) && ['MANIFEST_UNKNOWN', 'NAME_UNKNOWN'].includes(error.code))
        return undefined;
      throw error;
    }
  }

  usage(): Promise<StoreUsage> {
    return this.rpc.request(blobRpc.usage, {});
  }

  async writeLock(repository: string, tag?: string): Promise<string | undefined> {
    const repositoryInfo = await this.absentAsUndefined(
      this.rpc.request(acrRpc.repository, { repository }),
    );
    if (repositoryInfo && !repositoryInfo.changeableAttributes.writeEnabled)
      return `repository ${repository} is locked: writeEnabled is false`;
    if (tag === undefined || !repositoryInfo) return undefined;
    const tagInfo = await this.absentAsUndefined(this.rpc.request(acrRpc.tag, { repository, tag }));
    if (tagInfo && !tagInfo.changeableAttributes.writeEnabled)
      return `tag ${tag} of ${repository} is locked: writeEnabled is false`;
    return undefined;
  }

  private async absentAsUndefined<T>(request: Promise<T>): Promise<T | undefined> {
    try {
      return await request;
    } catch (error) {
      if (isRegistryError(error) && ['MANIFEST_UNKNOWN', 'NAME_UNKNOWN'].includes(error.code))
        return undefined;
      throw error;
    }
  }

  async linkBlob(repository: string, digest: string, size: number): Promise<void> {
    await this.rpc.request(blobRpc.link, { repository, digest, size });
  }

  putManifest(
    repository: string,
    reference: string,
    contentType: string,
    body: string,
    context: RpcContext,
  ): Promise<ManifestInfo> {
    return this.rpc.request(
      manifestRpc.put,
      { repository, reference, contentType, body },
      { context },
    );
  }
}
