/**
 * Announces quota crossings (`usage.threshold.v1`) in the transaction of the change that
 * made them, after the triggers of migrations/0003 have counted it. The level last announced
 * for each quota is locked first (the store's before the repository's, always in that order),
 * then usage is read: of two changes racing, the second reads after the first commits, so a
 * crossing is announced by exactly one of them.
 */
import { Inject, Injectable } from '@nestjs/common';
import { type EventEnvelope, usageThreshold } from '@meridian/contracts';
import { Outbox, type TransactionSql } from '@meridian/database';
import { type BlobConfig, blobConfigToken } from '../config';
import { type QuotaLevel, settleQuotaLevel } from './quota-thresholds';

/** The key of the store's quota in `blob.quota_levels`; repositories' are their names. */
export const storeQuotaKey = '';

@Injectable()
export class QuotaCrossings {
  private readonly storeQuotaBytes: number | undefined;

  constructor(
    private readonly outbox: Outbox,
    @Inject(blobConfigToken) config: BlobConfig,
  ) {
    this.storeQuotaBytes = config.storageQuotaBytes;
  }

  /**
   * Whether a change to what `repository` holds has a quota to settle: the store's or its own.
   * Asked in the change's transaction (`tx`), never on another pooled connection.
   */
  async applies(tx: TransactionSql, repository: string): Promise<boolean> {
    if (this.storeQuotaBytes !== undefined) return true;
    const rows = await tx`
      select 1 from blob.repository_quotas where repository = ${repository}`;
    return rows.length > 0;
  }

  /**
   * Settles the store's quota and `repository`'s after a change to what they hold, announcing
   * what usage rose to. `cause` is the change's event, whose actor and request the
   * announcements carry.
   */
  async settle(tx: TransactionSql, repository: string, cause?: EventEnvelope): Promise<void> {
    if (this.storeQuotaBytes !== undefined) {
      const level = await lockLevel(tx, storeQuotaKey);
      const [usage] = await tx<{ bytes: string }[]>`select bytes from blob.store_usage`;
      await this.settleOne(tx, { key: storeQuotaKey, level }, Number(usage!.bytes), {
        quota: 'registry',
        quotaBytes: this.storeQuotaBytes,
        cause,
      });
    }
    const [quota] = await tx<{ bytes: string }[]>`
      select bytes from blob.repository_quotas where repository = ${repository}`;
    if (!quota) return;
    const level = await lockLevel(tx, repository);
    const [usage] = await tx<{ bytes: string }[]>`
      select bytes from blob.repository_usage where repository = ${repository}`;
    await this.settleOne(tx, { key: repository, level }, Number(usage?.bytes ?? 0), {
      quota: 'repository',
      repository,
      quotaBytes: Number(quota.bytes),
      cause,
    });
  }

  private async settleOne(
    tx: TransactionSql,
    announced: { key: string; level: QuotaLevel },
    usedBytes: number,
    quota: {
      quota: 'registry' | 'repository';
      repository?: string;
      quotaBytes: number;
      cause: EventEnvelope | undefined;
    },
  ): Promise<void> {
    const { level, announce } = settleQuotaLevel(announced.level, usedBytes, quota.quotaBytes);
    if (level !== announced.level) {
      await tx`update blob.quota_levels set level = ${level} where quota = ${announced.key}`;
    }
    for (const threshold of announce) {
      await this.outbox.write(tx, usageThreshold, {
        ...this.outbox.envelope({ actor: quota.cause?.actor, request: quota.cause?.request }),
        quota: quota.quota,
        ...(quota.repository === undefined ? {} : { repository: quota.repository }),
        threshold,
        usedBytes,
        quotaBytes: quota.quotaBytes,
      });
    }
  }
}

/** The level announced for a quota, its row locked until commit. */
async function lockLevel(tx: TransactionSql, key: string): Promise<QuotaLevel> {
  await tx`insert into blob.quota_levels (quota, level) values (${key}, 0) on conflict do nothing`;
  const [row] = await tx<{ level: QuotaLevel }[]>`
    select level from blob.quota_levels where quota = ${key} for update`;
  return row!.level;
}
