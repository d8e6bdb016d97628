/**
 * The rules of quarantine (ACR's pattern). While the registry's quarantine setting is on, the
 * push transaction quarantines every new image (ManifestsService); a scan or an external
 * scanner then decides it: `passed` makes it pullable, `failed` keeps it blocked. Each change
 * announces `quarantine.changed.v1`; the setting's changes announce
 * `quarantine-setting.changed.v1`. Both replicate, settled by their clock readings.
 */
import { Injectable } from '@nestjs/common';
import {
  type QuarantineChanged,
  type QuarantineSettingChanged,
  RegistryError,
  type RpcRequest,
  type RpcResponse,
  type manifestRpc,
  quarantineChanged,
  quarantineSettingChanged,
} from '@meridian/contracts';
import { Outbox } from '@meridian/database';
import type { RpcContext } from '@meridian/messaging';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import { QuarantineRepository } from './quarantine.repository';

type StateResponse = RpcResponse<typeof manifestRpc.quarantineState>;
type Decide = RpcRequest<typeof manifestRpc.decideQuarantine>;
type Decided = RpcResponse<typeof manifestRpc.decideQuarantine>;

@Injectable()
export class QuarantineService {
  constructor(
    private readonly quarantine: QuarantineRepository,
    private readonly outbox: Outbox,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  async state(repository: string, digest: string): Promise<StateResponse> {
    const record = await this.quarantine.find(repository, digest);
    if (record) return { state: record.state, details: record.details };
    await this.quarantine.transaction(async (tx) => {
      if (!(await tx.lockManifest(repository, digest))) throw manifestUnknown(digest);
    });
    return { state: 'none' };
  }

  async decide(request: Decide, context: RpcContext): Promise<Decided> {
    const { repository, digest, state, details } = request;
    const decided = await this.quarantine.transaction(async (tx) => {
      const manifest = await tx.lockManifest(repository, digest);
      if (!manifest) throw manifestUnknown(digest);
      const current = await tx.find(repository, digest);
      const from: Decided['state'] = current?.state ?? 'none';
      if (request.onlyIfQuarantined && from !== 'quarantined')
        return { state: from, changed: false };
      if (current?.state === state && current.details === details) return { state, changed: false };
      if (current) this.outbox.observe(current.hlc);
      const envelope = this.outbox.envelope(context);
      await tx.setState({ repository, digest, state, details, hlc: envelope.hlc });
      await tx.emit(quarantineChanged, {
        ...envelope,
        repository,
        digest,
        ...manifest,
        state,
        details,
      });
      return { state, changed: true };
    });
    if (decided.changed) this.logger.info({ repository, digest, state }, 'quarantine decided');
    return decided;
  }

  async setting(): Promise<{ enabled: boolean }> {
    return { enabled: await this.quarantine.settingEnabled() };
  }

  async setSetting(enabled: boolean, context: RpcContext): Promise<{ enabled: boolean }> {
    await this.quarantine.transaction(async (tx) => {
      const newest = await tx.settingHlc();
      if (newest !== undefined) this.outbox.observe(newest);
      const envelope = this.outbox.envelope(context);
      await tx.setSetting(enabled, envelope.hlc);
      await tx.emit(quarantineSettingChanged, { ...envelope, enabled });
    });
    this.logger.info({ enabled }, 'quarantine setting changed');
    return { enabled };
  }

  /** Another region's decision (or push-time quarantine): the newest by clock wins. */
  async applyChange(event: QuarantineChanged): Promise<'applied' | 'superseded'> {
    const { repository, digest, state, details, hlc } = event;
    const held = await this.quarantine.applyChange({ repository, digest, state, details, hlc });
    return held ? 'applied' : 'superseded';
  }

  async applySetting(event: QuarantineSettingChanged): Promise<'applied' | 'superseded'> {
    return (await this.quarantine.applySetting(event.enabled, event.hlc))
      ? 'applied'
      : 'superseded';
  }
}

function manifestUnknown(digest: string): RegistryError {
  return new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown', { reference: digest });
}
