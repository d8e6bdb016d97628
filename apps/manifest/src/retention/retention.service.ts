/**
 * ACR's retention policy for untagged manifests, a registry setting: changing it announces
 * `retention-setting.changed.v1`, which replicates (the newest change wins). Each region
 * applies it to its own copy (retention.sweeper.ts).
 */
import { Injectable } from '@nestjs/common';
import {
  type RetentionPolicy,
  type RetentionSettingChanged,
  retentionSettingChanged,
} from '@meridian/contracts';
import { Outbox } from '@meridian/database';
import type { RpcContext } from '@meridian/messaging';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import { RetentionRepository } from './retention.repository';

@Injectable()
export class RetentionService {
  constructor(
    private readonly retention: RetentionRepository,
    private readonly outbox: Outbox,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  policy(): Promise<RetentionPolicy> {
    return this.retention.policy();
  }

  async setPolicy(policy: RetentionPolicy, context: RpcContext): Promise<RetentionPolicy> {
    const { enabled, days } = policy;
    await this.retention.transaction(async (tx) => {
      const newest = await tx.policyHlc();
      if (newest !== undefined) this.outbox.observe(newest);
      const envelope = this.outbox.envelope(context);
      await tx.setPolicy({ enabled, days }, envelope.hlc);
      await tx.emit(retentionSettingChanged, { ...envelope, enabled, days });
    });
    this.logger.info({ enabled, days }, 'retention policy changed');
    return { enabled, days };
  }

  /** Another region's change of the policy: the newest by clock wins. */
  async applyPolicy(event: RetentionSettingChanged): Promise<'applied' | 'superseded'> {
    const { enabled, days, hlc } = event;
    return (await this.retention.applyPolicy({ enabled, days }, hlc)) ? 'applied' : 'superseded';
  }
}
