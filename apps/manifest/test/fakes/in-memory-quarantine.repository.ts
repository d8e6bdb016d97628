/**
 * An in-memory QuarantineRepository for unit tests of the quarantine rules: states and the
 * setting in maps, manifests known by the test (`addManifest`), events recorded as the outbox
 * would publish them. A transaction's changes land only when its work succeeds.
 */
import type { EventDefinition } from '@meridian/contracts';
import type { z } from 'zod';
import type { RecordedEvent } from './in-memory-manifests.repository';
import type {
  QuarantineChange,
  QuarantineRecord,
  QuarantineRepository,
  QuarantineTransaction,
  QuarantinedManifest,
} from '../../src/quarantine/quarantine.repository';

const key = (repository: string, digest: string) => `${repository}@${digest}`;

export class InMemoryQuarantineRepository implements QuarantineRepository {
  readonly manifests = new Map<string, QuarantinedManifest>();
  records = new Map<string, QuarantineRecord>();
  setting: { enabled: boolean; hlc: string } | undefined;
  events: RecordedEvent[] = [];

  addManifest(repository: string, digest: string, manifest: QuarantinedManifest): this {
    this.manifests.set(key(repository, digest), manifest);
    return this;
  }

  async find(repository: string, digest: string): Promise<QuarantineRecord | undefined> {
    return this.records.get(key(repository, digest));
  }

  async settingEnabled(): Promise<boolean> {
    return this.setting?.enabled ?? false;
  }

  async transaction<T>(work: (tx: QuarantineTransaction) => Promise<T>): Promise<T> {
    const records = new Map(this.records);
    const events = [...this.events];
    let setting = this.setting;
    const tx: QuarantineTransaction = {
      lockManifest: async (repository, digest) => this.manifests.get(key(repository, digest)),
      find: async (repository, digest) => records.get(key(repository, digest)),
      setState: async (change) => {
        records.set(key(change.repository, change.digest), toRecord(change));
      },
      setSetting: async (enabled, hlc) => {
        setting = { enabled, hlc };
      },
      settingHlc: async () => setting?.hlc,
      emit: async <S extends z.ZodType>(def: EventDefinition<S>, payload: z.infer<S>) => {
        const event = JSON.parse(JSON.stringify(def.schema.parse(payload)));
        events.push({ name: def.name, payload: event as Record<string, unknown> });
      },
    };
    const result = await work(tx);
    this.records = records;
    this.events = events;
    this.setting = setting;
    return result;
  }

  async applyChange(change: QuarantineChange): Promise<boolean> {
    const current = this.records.get(key(change.repository, change.digest));
    if (current && current.hlc >= change.hlc) return current.hlc === change.hlc;
    this.records.set(key(change.repository, change.digest), toRecord(change));
    return true;
  }

  async applySetting(enabled: boolean, hlc: string): Promise<boolean> {
    if (this.setting && this.setting.hlc >= hlc) return this.setting.hlc === hlc;
    this.setting = { enabled, hlc };
    return true;
  }
}

function toRecord(change: QuarantineChange): QuarantineRecord {
  return { state: change.state, details: change.details, hlc: change.hlc };
}
