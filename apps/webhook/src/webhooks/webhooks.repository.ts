/**
 * SQL over `webhook.webhooks`. Every change is settled by its HLC: a write lands only over an
 * older one, so a region's own change and a peer's, applied in any order, end the same. A
 * deletion is a row whose record is null (a tombstone), kept so a late older change cannot
 * bring the webhook back.
 */
import { Injectable } from '@nestjs/common';
import { type WebhookRecord, webhookChanged } from '@meridian/contracts';
import { InjectSql, Outbox, type Sql, type TransactionSql } from '@meridian/database';
import type { RpcContext } from '@meridian/messaging';

@Injectable()
export class WebhooksRepository {
  private readonly changeListeners: Array<() => Promise<void>> = [];

  constructor(
    @InjectSql() private readonly sql: Sql,
    private readonly outbox: Outbox,
  ) {}

  async find(name: string): Promise<WebhookRecord | undefined> {
    const [row] = await this.sql<Array<{ record: WebhookRecord | null }>>`
      select record from webhook.webhooks where name = ${name}`;
    return row?.record ?? undefined;
  }

  async list(): Promise<WebhookRecord[]> {
    const rows = await this.sql<Array<{ record: WebhookRecord }>>`
      select record from webhook.webhooks where record is not null order by name`;
    return rows.map((row) => row.record);
  }

  /** The enabled webhooks of `region`: the ones this region's service delivers. */
  async enabledIn(region: string): Promise<WebhookRecord[]> {
    const rows = await this.sql<Array<{ record: WebhookRecord }>>`
      select record from webhook.webhooks
      where region = ${region} and record is not null and record->>'status' = 'enabled'`;
    return rows.map((row) => row.record);
  }

  /** `listener` runs, awaited, after each change is committed (here or a peer's, applied). */
  whenChanged(listener: () => Promise<void>): void {
    this.changeListeners.push(listener);
  }

  /** Saves this region's change (null deletes) and announces it in the same transaction. */
  async save(name: string, record: WebhookRecord | null, context: RpcContext): Promise<void> {
    const envelope = this.outbox.envelope(context);
    await this.sql.begin(async (tx) => {
      await this.upsert(tx, name, record, envelope.hlc);
      await this.outbox.write(tx, webhookChanged, { ...envelope, name, record });
    });
    await this.changed();
  }

  /** Applies another region's change; false when a newer one is already here. */
  async apply(name: string, record: WebhookRecord | null, hlc: string): Promise<boolean> {
    this.outbox.observe(hlc);
    const applied = await this.sql.begin((tx) => this.upsert(tx, name, record, hlc));
    if (applied) await this.changed();
    return applied;
  }

  private async changed(): Promise<void> {
    for (const listener of this.changeListeners) await listener();
  }

  private async upsert(
    tx: TransactionSql,
    name: string,
    record: WebhookRecord | null,
    hlc: string,
  ): Promise<boolean> {
    const rows = await tx`
      insert into webhook.webhooks (name, record, region, hlc)
      values (${name}, ${record === null ? null : tx.json(record as never)}, ${record?.region ?? null}, ${hlc})
      on conflict (name) do update
        set record = excluded.record, region = excluded.region, hlc = excluded.hlc,
            updated_at = now()
        where webhook.webhooks.hlc < excluded.hlc
      returning name`;
    return rows.length > 0;
  }

  /**
   * Rewrites the stored secrets `reseal` changes (a `plain:` one sealed once a key is set),
   * in place: a local change of form, not a change to replicate. Returns how many changed.
   */
  async resealSecrets(reseal: (stored: string) => string): Promise<number> {
    const rows = await this.sql<Array<{ name: string; stored: string }>>`
      select name, record->>'storedSecret' as stored from webhook.webhooks
      where record is not null`;
    let changed = 0;
    for (const { name, stored } of rows) {
      const next = reseal(stored);
      if (next === stored) continue;
      await this.sql`
        update webhook.webhooks
        set record = jsonb_set(record, '{storedSecret}', to_jsonb(${next}::text))
        where name = ${name} and record->>'storedSecret' = ${stored}`;
      changed += 1;
    }
    return changed;
  }
}
