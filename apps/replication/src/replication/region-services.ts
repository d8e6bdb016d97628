/**
 * What replication asks of the registry's other services, in this region and in peers:
 * apply a peer's change (manifest, auth), link a copied blob, and look up what a peer has.
 * An interface of its own so the rules in replication.service.ts are tested against an
 * in-memory fake; `NatsRegionServices` is the real one, over the services' RPCs.
 */
import { Injectable } from '@nestjs/common';
import {
  type ApplyOutcome,
  type AuthChanged,
  type BlobInfo,
  type ManifestInfo,
  type RpcRequest,
  type WebhookChanged,
  authRpc,
  blobRpc,
  manifestRpc,
  webhookRpc,
} from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';
import { PeerBreaker } from './peer-breaker';

export type ManifestApply = RpcRequest<typeof manifestRpc.apply>;
export type ManifestWithBody = ManifestInfo & {
  body?: string;
  quarantine?: 'quarantined' | 'passed' | 'failed';
};

export abstract class RegionServices {
  /** `manifest.apply` in this region: idempotent, settled by the event's clock. */
  abstract applyManifestEvent(request: ManifestApply): Promise<ApplyOutcome>;
  /**
   * `manifest.put` by digest in this region: an index's child a peer holds, stored like a
   * client's untagged push of the same bytes (so the same digest).
   */
  abstract putManifest(
    repository: string,
    digest: string,
    mediaType: string,
    body: string,
  ): Promise<ManifestInfo>;
  /** `blob.link` in this region, once the bytes are in this region's store. */
  abstract linkBlob(repository: string, digest: string, size: number): Promise<BlobInfo>;
  /** `auth.apply` in this region. */
  abstract applyAuthChange(event: AuthChanged): Promise<void>;
  /** `webhook.apply` in this region. */
  abstract applyWebhookChange(event: WebhookChanged): Promise<void>;
  /** `manifest.get` in `region`. */
  abstract getManifest(
    region: string,
    repository: string,
    reference: string,
    includeBody: boolean,
  ): Promise<ManifestWithBody>;
  /** `blob.stat` in `region`. */
  abstract statBlob(region: string, repository: string, digest: string): Promise<BlobInfo>;
}

/** A peer gets less than the gateway's catch-up wait (1.5 s), so a dead one is not what a pull waits on. */
export const peerTimeoutMs = 1_000;

@Injectable()
export class NatsRegionServices extends RegionServices {
  constructor(
    private readonly rpc: RpcClient,
    private readonly breaker: PeerBreaker,
  ) {
    super();
  }

  async applyManifestEvent(request: ManifestApply): Promise<ApplyOutcome> {
    return (await this.rpc.request(manifestRpc.apply, request)).outcome;
  }

  putManifest(
    repository: string,
    digest: string,
    mediaType: string,
    body: string,
  ): Promise<ManifestInfo> {
    return this.rpc.request(manifestRpc.put, {
      repository,
      reference: digest,
      contentType: mediaType,
      body,
    });
  }

  linkBlob(repository: string, digest: string, size: number): Promise<BlobInfo> {
    return this.rpc.request(blobRpc.link, { repository, digest, size });
  }

  async applyAuthChange(event: AuthChanged): Promise<void> {
    await this.rpc.request(authRpc.apply, { event });
  }

  async applyWebhookChange(event: WebhookChanged): Promise<void> {
    await this.rpc.request(webhookRpc.apply, { event });
  }

  getManifest(
    region: string,
    repository: string,
    reference: string,
    includeBody: boolean,
  ): Promise<ManifestWithBody> {
    return this.inRegion(region, (timeoutMs) =>
      this.rpc.request(
        manifestRpc.get,
        { repository, reference, includeBody },
        { region, timeoutMs },
      ),
    );
  }

  statBlob(region: string, repository: string, digest: string): Promise<BlobInfo> {
    return this.inRegion(region, (timeoutMs) =>
      this.rpc.request(blobRpc.stat, { repository, digest }, { region, timeoutMs }),
    );
  }

  /** This region's services as they are; a peer's with a short timeout, through its breaker. */
  private inRegion<T>(region: string, call: (timeoutMs?: number) => Promise<T>): Promise<T> {
    if (region === this.rpc.region) return call();
    return this.breaker.call(region, () => call(peerTimeoutMs));
  }
}
