/**
 * The enabled webhooks of this region, read once and kept until the configuration changes
 * (a save here, a peer's change applied here) or `maxAgeMs` passes, so an event, and above all
 * each of the many pulls, costs no query. Whoever must act on a change (the pulls consumer)
 * listens here, after the cache is dropped.
 */
import { Injectable } from '@nestjs/common';
import type { WebhookRecord } from '@meridian/contracts';
import { WebhooksRepository } from './webhooks.repository';

/** how long another instance's change can go unseen here */
export const enabledWebhooksMaxAgeMs = 10_000;

type ChangeListener = () => Promise<void>;

@Injectable()
export class EnabledWebhooks {
  private readonly cached = new Map<
    string,
    { loaded: number; webhooks: Promise<WebhookRecord[]> }
  >();
  private readonly listeners: ChangeListener[] = [];

  constructor(private readonly repository: WebhooksRepository) {
    repository.whenChanged(() => this.changed());
  }

  /** The enabled webhooks of `region`, from the cache when it is fresh. */
  in(region: string): Promise<WebhookRecord[]> {
    const cached = this.cached.get(region);
    if (cached && Date.now() - cached.loaded <= enabledWebhooksMaxAgeMs) return cached.webhooks;
    const webhooks = this.repository.enabledIn(region);
    this.cached.set(region, { loaded: Date.now(), webhooks });
    // a failed read is not kept: the next caller asks Postgres again
    webhooks.catch(() => {
      if (this.cached.get(region)?.webhooks === webhooks) this.cached.delete(region);
    });
    return webhooks;
  }

  /** Whether some enabled webhook of `region` has the `pull` action. */
  async anyPullsIn(region: string): Promise<boolean> {
    return (await this.in(region)).some((webhook) => webhook.actions.includes('pull'));
  }

  /** Forgets what was read, so the next caller sees Postgres as it is now. */
  forget(): void {
    this.cached.clear();
  }

  /** `listener` runs after each configuration change, once the cache is forgotten. */
  whenChanged(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  private async changed(): Promise<void> {
    this.forget();
    for (const listener of this.listeners) await listener();
  }
}
