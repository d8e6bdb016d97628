/**
 * The rules of webhook configuration: a new webhook's URI must point somewhere webhooks may
 * go (checked when it is saved, and again before every request), its secret is sealed at rest
 * and shown only once, when the service generated it, its custom header values are never
 * shown (custom-headers.ts), and every change replicates as `webhook.changed.v1`.
 */
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import {
  RegistryError,
  type RpcResponse,
  type WebhookRecord,
  type WebhookSettings,
  type WebhookView,
  type WebhookChanged,
  type webhookRpc,
} from '@meridian/contracts';
import type { RpcContext } from '@meridian/messaging';
import {
  AddressPolicy,
  SecretBox,
  TargetRefused,
  generateSecret,
  resolveTarget,
} from '@meridian/outbound';
import { keepRedactedValues, redactHeaderValues } from './custom-headers';
import { WebhooksRepository } from './webhooks.repository';

type PutResponse = RpcResponse<typeof webhookRpc.put>;

@Injectable()
export class WebhooksService implements OnApplicationBootstrap {
  constructor(
    private readonly repository: WebhooksRepository,
    private readonly policy: AddressPolicy,
    private readonly secrets: SecretBox,
  ) {}

  /** Secrets kept in the clear before a key was set are sealed at the first start with one. */
  async onApplicationBootstrap(): Promise<void> {
    await this.repository.resealSecrets((stored) => this.secrets.sealStored(stored));
  }

  async put(
    name: string,
    settings: WebhookSettings,
    defaultRegion: string,
    context: RpcContext,
  ): Promise<PutResponse> {
    await this.checkTarget(settings.serviceUri);
    const existing = await this.repository.find(name);
    // a replaced webhook keeps its secret unless a new one is given
    const generated = settings.secret || existing ? undefined : generateSecret();
    const secret = settings.secret ?? generated;
    const now = new Date().toISOString();
    const record: WebhookRecord = {
      name,
      region: settings.region ?? defaultRegion,
      serviceUri: settings.serviceUri,
      customHeaders: keepRedactedValues(
        settings.customHeaders ?? {},
        existing?.customHeaders ?? {},
      ),
      actions: [...new Set(settings.actions)],
      scope: settings.scope ?? '',
      status: settings.status ?? 'enabled',
      payloadFormat: settings.payloadFormat ?? 'acr',
      storedSecret: secret ? this.secrets.seal(secret) : existing!.storedSecret,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    await this.repository.save(name, record, context);
    return {
      webhook: toView(record),
      created: !existing,
      ...(generated ? { secret: generated } : {}),
    };
  }

  async update(
    name: string,
    settings: Partial<WebhookSettings>,
    context: RpcContext,
  ): Promise<WebhookView> {
    const existing = await this.require(name);
    if (settings.serviceUri) await this.checkTarget(settings.serviceUri);
    const { secret, actions, customHeaders, ...rest } = settings;
    const record: WebhookRecord = {
      ...existing,
      ...Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)),
      ...(actions ? { actions: [...new Set(actions)] } : {}),
      ...(customHeaders
        ? { customHeaders: keepRedactedValues(customHeaders, existing.customHeaders) }
        : {}),
      ...(secret ? { storedSecret: this.secrets.seal(secret) } : {}),
      updatedAt: new Date().toISOString(),
    };
    await this.repository.save(name, record, context);
    return toView(record);
  }

  async get(name: string): Promise<WebhookView> {
    return toView(await this.require(name));
  }

  async list(): Promise<WebhookView[]> {
    return (await this.repository.list()).map(toView);
  }

  async delete(name: string, context: RpcContext): Promise<void> {
    await this.require(name);
    await this.repository.save(name, null, context);
  }

  async apply(event: WebhookChanged): Promise<'applied' | 'superseded'> {
    // a region without a key sends its secrets in the clear: this one keeps them sealed
    const record = event.record && {
      ...event.record,
      storedSecret: this.secrets.sealStored(event.record.storedSecret),
    };
    const applied = await this.repository.apply(event.name, record, event.hlc);
    return applied ? 'applied' : 'superseded';
  }

  async require(name: string): Promise<WebhookRecord> {
    const record = await this.repository.find(name);
    if (!record) throw new RegistryError('RESOURCE_UNKNOWN', `webhook ${name} does not exist`);
    return record;
  }

  /** REQUEST_INVALID naming why, when the URI's host resolves to an address webhooks may not reach. */
  private async checkTarget(uri: string): Promise<void> {
    try {
      await resolveTarget(uri, this.policy);
    } catch (error) {
      if (!(error instanceof TargetRefused)) throw error;
      throw new RegistryError('REQUEST_INVALID', `webhook target refused: ${error.message}`, {
        serviceUri: uri,
      });
    }
  }
}

export function toView(record: WebhookRecord): WebhookView {
  const { storedSecret: _secret, customHeaders, ...view } = record;
  return { ...view, customHeaders: redactHeaderValues(customHeaders) };
}
