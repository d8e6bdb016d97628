/**
 * An in-memory RetentionRepository for unit tests: the policy and its clock reading in a
 * field, each repository's manifests as the sweep would read them (`addManifests`), events
 * recorded as the outbox would publish them. A transaction's changes land only when its work
 * succeeds; `exclusively` lets one round at a time through, as the advisory lock does.
 */
import type { EventDefinition, RetentionPolicy } from '@meridian/contracts';
import type { z } from 'zod';
import type { RecordedEvent } from './in-memory-manifests.repository';
import type { SweptManifest } from '../../src/retention/retention-rules';
import {
  type RetentionRepository,
  type RetentionTransaction,
  defaultRetentionPolicy,
} from '../../src/retention/retention.repository';

export class InMemoryRetentionRepository implements RetentionRepository {
  stored: { policy: RetentionPolicy; hlc: string } | undefined;
  events: RecordedEvent[] = [];
  readonly repositories = new Map<string, SweptManifest[]>();
  private sweeping = false;

  addManifests(repository: string, ...manifests: SweptManifest[]): this {
    this.repositories.set(repository, [...(this.repositories.get(repository) ?? []), ...manifests]);
    return this;
  }

  async policy(): Promise<RetentionPolicy> {
    return this.stored?.policy ?? defaultRetentionPolicy;
  }

  async transaction<T>(work: (tx: RetentionTransaction) => Promise<T>): Promise<T> {
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

  async applyPolicy(policy: RetentionPolicy, hlc: string): Promise<boolean> {
    if (this.stored && this.stored.hlc >= hlc) return false;
    this.stored = { policy, hlc };
    return true;
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

  async repositoriesToSweep(_days: number, limit: number): Promise<string[]> {
    return [...this.repositories]
      .filter(([, manifests]) => manifests.some((manifest) => manifest.expired))
      .map(([repository]) => repository)
      .slice(0, limit);
  }

  async manifestsOf(repository: string): Promise<SweptManifest[]> {
    return this.repositories.get(repository) ?? [];
  }
}
