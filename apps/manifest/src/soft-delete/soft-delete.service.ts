/**
 * Soft delete (issue 14), a registry setting like retention's: changing it announces
 * `soft-delete-setting.changed.v1`, which replicates (the newest change wins). While it is
 * on, each region keeps what a delete removes from its own copy restorable
 * (keep-restorable.ts), so every region lists it and garbage collection in every region keeps
 * its blobs; deleted-manifests.service.ts lists and restores them.
 */
import { Injectable } from '@nestjs/common';
import {
  type SoftDeletePolicy,
  type SoftDeleteSettingChanged,
  softDeleteSettingChanged,
} from '@meridian/contracts';
import { Outbox } from '@meridian/database';
import type { RpcContext } from '@meridian/messaging';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import { SoftDeleteRepository } from './soft-delete.repository';

@Injectable()
export class SoftDeleteService {
  constructor(
    private readonly softDelete: SoftDeleteRepository,
    private readonly outbox: Outbox,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  policy(): Promise<SoftDeletePolicy> {
    return this.softDelete.policy();
  }

  async setPolicy(policy: SoftDeletePolicy, context: RpcContext): Promise<SoftDeletePolicy> {
    const { enabled, retentionDays } = policy;
    await this.softDelete.transaction(async (tx) => {
      const newest = await tx.policyHlc();
      if (newest !== undefined) this.outbox.observe(newest);
      const envelope = this.outbox.envelope(context);
      await tx.setPolicy({ enabled, retentionDays }, envelope.hlc);
      await tx.emit(softDeleteSettingChanged, { ...envelope, enabled, retentionDays });
    });
    this.logger.info({ enabled, retentionDays }, 'soft delete setting changed');
    return { enabled, retentionDays };
  }

  /** Another region's change of the setting: the newest by clock wins. */
  async applyPolicy(event: SoftDeleteSettingChanged): Promise<'applied' | 'superseded'> {
    const { enabled, retentionDays, hlc } = event;
    const applied = await this.softDelete.applyPolicy({ enabled, retentionDays }, hlc);
    return applied ? 'applied' : 'superseded';
  }
}
