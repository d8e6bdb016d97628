/**
 * Usage of this region's store and the quotas on it. The store's quota is
 * MERIDIAN_STORAGE_QUOTA_BYTES, measured on the blobs the store holds (each once); a
 * repository's is set through the management API, measured on the blobs the repository sees
 * (each once, from their upload). Quotas are checked, not reserved: two uploads checked at
 * the same moment may both pass, and take usage past the quota by the smaller of them.
 */
import { Inject, Injectable } from '@nestjs/common';
import { RegistryError, type RepositoryQuota, type StoreUsage } from '@meridian/contracts';
import { type EventOrigin, Outbox } from '@meridian/database';
import { type BlobConfig, blobConfigToken } from '../config';
import { passesQuota } from './quota-thresholds';
import { type UploadRoom, UsageRepository } from './usage.repository';

export interface QuotaCheck {
  /** a quota is set on the store or the repository: the change must settle its thresholds */
  quotaApplies: boolean;
}

@Injectable()
export class UsageService {
  private readonly storeQuotaBytes: number | undefined;

  constructor(
    private readonly usageRows: UsageRepository,
    private readonly outbox: Outbox,
    @Inject(blobConfigToken) config: BlobConfig,
  ) {
    this.storeQuotaBytes = config.storageQuotaBytes;
  }

  async usage(): Promise<StoreUsage> {
    const usage = await this.usageRows.usage();
    return this.storeQuotaBytes === undefined
      ? usage
      : { ...usage, quotaBytes: this.storeQuotaBytes };
  }

  /**
   * Refuses (DENIED) an upload of `size` bytes into `repository` that would take the store or
   * the repository past its quota. A blob the store (or the repository) holds already adds
   * nothing to it.
   */
  async checkUpload(repository: string, size: number, digest?: string): Promise<QuotaCheck> {
    const repositoryQuota = await this.usageRows.quota(repository);
    if (this.storeQuotaBytes === undefined && repositoryQuota === undefined) {
      return { quotaApplies: false };
    }
    this.check(repository, size, await this.usageRows.uploadRoom(repository, digest));
    return { quotaApplies: true };
  }

  /**
   * Refuses (DENIED) a mount that would take the repository past its quota: a mount adds
   * nothing to the store, but the blob counts in the repository it is mounted into.
   */
  async checkMount(repository: string, digest: string): Promise<void> {
    if ((await this.usageRows.quota(repository)) === undefined) return;
    const room = await this.usageRows.uploadRoom(repository, digest);
    // not in the store: the mount fails and a session starts, checked as an upload
    if (room.storedSize === undefined) return;
    this.check(repository, room.storedSize, room);
  }

  private check(repository: string, size: number, room: UploadRoom): void {
    if (
      this.storeQuotaBytes !== undefined &&
      !room.storeHas &&
      passesQuota(room.storeBytes, size, this.storeQuotaBytes)
    ) {
      throw new RegistryError(
        'DENIED',
        `the upload would take the region's store past its quota (MERIDIAN_STORAGE_QUOTA_BYTES, ${this.storeQuotaBytes} bytes)`,
        { quota: 'registry', quotaBytes: this.storeQuotaBytes, usedBytes: room.storeBytes, size },
      );
    }
    const quotaBytes = room.repositoryQuotaBytes;
    if (
      quotaBytes !== undefined &&
      !room.repositorySees &&
      passesQuota(room.repositoryBytes, size, quotaBytes)
    ) {
      throw new RegistryError(
        'DENIED',
        `the upload would take repository ${repository} past its quota (${quotaBytes} bytes)`,
        { quota: 'repository', repository, quotaBytes, usedBytes: room.repositoryBytes, size },
      );
    }
  }

  async quota(repository: string): Promise<RepositoryQuota> {
    return { repository, bytes: (await this.usageRows.quota(repository)) ?? null };
  }

  async setQuota(quota: RepositoryQuota, origin: EventOrigin): Promise<RepositoryQuota> {
    await this.usageRows.setQuota(
      quota.repository,
      quota.bytes ?? undefined,
      this.outbox.envelope(origin),
    );
    return quota;
  }
}
