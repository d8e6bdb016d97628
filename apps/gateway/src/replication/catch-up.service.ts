/**
 * Pulls while this region catches up. When the local services answer a manifest or blob
 * GET/HEAD with "unknown", the gateway asks this region's replication service whether a
 * peer region acknowledged it (the lookup also moves that image to the front of the
 * replication queue): a manifest comes back with its body, a blob as the peer whose store
 * holds it, and the gateway streams it from there. The original miss is answered when no
 * peer has it or there are no peers. When the replication service does not answer in time
 * (down, restarting) or a peer's store cannot be opened, this region cannot tell whether
 * the image exists: 503 UNAVAILABLE with `Retry-After`, never a 404 that would tell the
 * client the image does not exist (docs/architecture.md, "Several regions").
 * The replication service skips a peer that stopped answering (its breaker), so a dead
 * peer costs a miss at most its short timeout.
 * A miss of something this region deleted itself (its detail says so: `deletedHereDetail`)
 * is answered at once, asking no peer: a delete is visible in its own region the moment it
 * is acknowledged, whatever peers still hold.
 */
import { Inject, Injectable } from '@nestjs/common';
import {
  type BlobInfo,
  type ManifestInfo,
  type ErrorCode,
  isDeletedHere,
  RegistryError,
  isRegistryError,
  replicationRpc,
} from '@meridian/contracts';
import { RpcClient, type RpcContext } from '@meridian/messaging';
import type { StorageDriver } from '@meridian/storage';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import type { CatchUpConfig } from './catch-up.config';
import { PeerStores } from './peer-stores';

export const catchUpConfigToken = Symbol('CatchUpConfig');

/** how soon a client told 503 should ask again: a restarting replication service is back by then */
export const catchUpRetryAfterSeconds = 5;

/** Answers that mean "this region does not have it (yet)". */
const manifestMisses: readonly ErrorCode[] = ['MANIFEST_UNKNOWN', 'NAME_UNKNOWN'];
const blobMisses: readonly ErrorCode[] = ['BLOB_UNKNOWN', 'NAME_UNKNOWN'];

export interface PeerManifest extends ManifestInfo {
  body?: string;
  region: string;
}

export interface PeerBlob {
  info: BlobInfo;
  region: string;
  store: StorageDriver;
}

@Injectable()
export class CatchUp {
  constructor(
    private readonly rpc: RpcClient,
    private readonly peerStores: PeerStores,
    @Inject(catchUpConfigToken) private readonly config: CatchUpConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  /** The manifest from a peer region when `miss` is a local miss; otherwise rethrows `miss`. */
  async manifestAfterMiss(
    miss: unknown,
    request: { repository: string; reference: string; includeBody: boolean },
    context: RpcContext,
  ): Promise<PeerManifest> {
    if (!this.mayCatchUp(miss, manifestMisses)) throw miss;
    const found = await this.lookup(() =>
      this.rpc.request(replicationRpc.lookupManifest, request, {
        context,
        timeoutMs: this.config.timeoutMs,
      }),
    );
    if (found === undefined) throw miss;
    this.logger.debug({ ...request, region: found.region }, 'manifest served from a peer region');
    return found;
  }

  /** The blob's size and the peer store holding it when `miss` is a local miss; otherwise rethrows. */
  async blobAfterMiss(
    miss: unknown,
    request: { repository: string; digest: string },
    context: RpcContext,
  ): Promise<PeerBlob> {
    if (!this.mayCatchUp(miss, blobMisses)) throw miss;
    const located = await this.lookup(() =>
      this.rpc.request(replicationRpc.locateBlob, request, {
        context,
        timeoutMs: this.config.timeoutMs,
      }),
    );
    if (located === undefined) throw miss;
    const store = await this.peerStores.get(located.region).catch((error: unknown) => {
      this.logger.warn({ region: located.region, err: error }, 'failed to open a peer store');
      throw cannotTell();
    });
    if (store === undefined) throw miss;
    this.logger.debug({ ...request, region: located.region }, 'blob served from a peer region');
    return { info: { digest: request.digest, size: located.size }, region: located.region, store };
  }

  /** Only for what this region never had: what it deleted itself, a peer must not bring back. */
  private mayCatchUp(miss: unknown, codes: readonly ErrorCode[]): boolean {
    return (
      this.peerStores.regions.length > 0 &&
      isRegistryError(miss) &&
      codes.includes(miss.code) &&
      !isDeletedHere(miss)
    );
  }

  /** The lookup's answer; undefined when no peer has it; UNAVAILABLE when replication cannot tell. */
  private async lookup<T>(call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch (error) {
      if (isRegistryError(error) && error.httpStatus === 404) return undefined;
      if (!isRegistryError(error) || error.code !== 'UNAVAILABLE')
        this.logger.warn({ err: error }, 'catch-up lookup failed');
      throw cannotTell();
    }
  }
}

/** Whether `error` is catch-up's "cannot tell now" (replication or a peer store unreachable). */
export function isCannotTell(error: unknown): boolean {
  return isRegistryError(error) && error.code === 'UNAVAILABLE';
}

/** This region does not have it and cannot ask its peers now: no answer is honest but "later". */
function cannotTell(): RegistryError {
  return new RegistryError(
    'UNAVAILABLE',
    'this region cannot tell now whether a peer region has it; try again',
    { retryAfterSeconds: catchUpRetryAfterSeconds },
  );
}
