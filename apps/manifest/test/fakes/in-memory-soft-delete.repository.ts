/**
 * An in-memory SoftDeleteRepository for unit tests: the setting and its clock reading in a
 * field, restorable manifests in a map (`add`), events recorded as the outbox would publish
 * them. A transaction's changes land only when its work succeeds; `exclusively` lets one
 * round at a time through, as the advisory lock does.
 */
import type { EventDefinition, SoftDeletePolicy } from '@meridian/contracts';
import type { z } from 'zod';
import type { RecordedEvent } from './in-memory-manifests.repository';
import {
  type Restorable,
  type RestorableListed,
  type SoftDeleteRepository,
  type SoftDeleteTransaction,
  defaultSoftDeletePolicy,
} from '../../src/soft-delete/soft-delete.repository';

type Kept = RestorableListed & Restorable & { repository: string };

export class InMemorySoftDeleteRepository implements SoftDeleteRepository {
  stored: { policy: SoftDeletePolicy; hlc: string } | undefined;
  events: RecordedEvent[] = [];
  readonly kept: Kept[] = [];
  readonly repositories = new Set<string>();
  private sweeping = false;

  add(...kept: Kept[]): this {
    this.kept.push(...kept);
    return this;
  }

  async policy(): Promise<SoftDeletePolicy> {
    return this.stored?.policy ?? defaultSoftDeletePolicy;
  }

  async transaction<T>(work: (tx: SoftDeleteTransaction) => Promise<T>): Promise<T> {
    const events = [...this.events];
    let stored = this.stored;
    const result = await work({
      policyHlc: async () => stored?.hlc,
      setPolicy: async (policy, hlc) => {
        stored = { policy, hlc };
      },
      emit: async <S extends z.ZodType>(def: EventDefinition<S>, payload: z.infer<S>) => {
        const event = JSON.parse(JSON.stringify(def.schema.parse(payload)));
        events.push({ name: def.name, payload: event as Record<string, unknown> });
      },
    });
    this.events = events;
    this.stored = stored;
    return result;
  }

  async applyPolicy(policy: SoftDeletePolicy, hlc: string): Promise<boolean> {
    if (this.stored && this.stored.hlc >= hlc) return false;
    this.stored = { policy, hlc };
    return true;
  }

  async list(
    repository: string,
    last: string | undefined,
    limit: number,
  ): Promise<RestorableListed[]> {
    return this.live()
      .filter((kept) => kept.repository === repository && kept.digest > (last ?? ''))
      .sort((a, b) => (a.digest < b.digest ? -1 : 1))
      .slice(0, limit);
  }

  async known(repository: string): Promise<boolean> {
    return this.repositories.has(repository) || this.kept.some((k) => k.repository === repository);
  }

  async find(repository: string, digest: string): Promise<Restorable | undefined> {
    return this.live().find((kept) => kept.repository === repository && kept.digest === digest);
  }

  async exclusively<T>(round: () => Promise<T>): Promise<T | undefined> {
    if (this.sweeping) return undefined;
    this.sweeping = true;
    try {
      return await round();
    } finally {
      this.sweeping = false;
    }
  }

  async removeExpired(limit: number): Promise<number> {
    const expired = this.kept.filter((kept) => kept.expiresAt <= new Date()).slice(0, limit);
    for (const gone of expired) this.kept.splice(this.kept.indexOf(gone), 1);
    return expired.length;
  }

  private live(): Kept[] {
    return this.kept.filter((kept) => kept.expiresAt > new Date());
  }
}
