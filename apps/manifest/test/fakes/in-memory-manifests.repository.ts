/**
 * The manifest service's tables in memory for unit tests of its rules: one state behind both
 * repositories over them, ManifestsRepository (this region's reads and writes) and
 * ReplicatedWritesRepository (other regions' writes applied here), as both SQL repositories
 * share the `manifest` schema. A transaction
 * works on a copy of the state and replaces it only when `work` succeeds, so a refused
 * push leaves nothing behind, events included, as in Postgres. Transactions run one at a
 * time, as the repository lock makes writes to one repository run in Postgres.
 *
 * Locks are kept as their history of changes and judged by the same rules
 * (src/locks/lock-rules.ts); taking back refused writes when a lock change arrives late is
 * SQL only (src/locks/take-back.ts), proven against Postgres in test/lock-race.int-spec.ts,
 * so here it takes nothing back.
 */
import type {
  ChangeableAttributes,
  EventDefinition,
  LockTarget,
  QuarantineState,
} from '@meridian/contracts';
import {
  type AttributesChange,
  type ItemAttributes,
  type Locks,
  type TagWrite,
  attributesAt,
} from '../../src/locks/lock-rules';
import type { TakenBack } from '../../src/locks/take-back';
import type { z } from 'zod';
import type { NewManifest, TagOrDigest } from '../../src/manifests/manifest-rows';
import type {
  ManifestsRepository,
  ManifestsTransaction,
  StoredManifest,
  TagNow,
} from '../../src/manifests/manifests.repository';
import type { Deleted } from '../../src/manifests/record-delete';
import type {
  ReplicatedWritesRepository,
  ReplicatedWritesTransaction,
} from '../../src/replication/replicated-writes.repository';
import type { WriteScope } from '../../src/manifests/newest-write';

export interface RecordedEvent {
  name: string;
  payload: Record<string, unknown>;
}

export interface StoredTag {
  digest: string;
  hlc: string;
}

interface State {
  repositories: Set<string>;
  /** key: `${repository}@${digest}` */
  manifests: Map<string, NewManifest>;
  /** key: `${repository}:${tag}` */
  tags: Map<string, StoredTag>;
  /** key: `${repository}`, `${repository}@${digest}` or `${repository}:${tag}` */
  tombstones: Map<string, string>;
  events: RecordedEvent[];
  /** the registry's quarantine setting */
  quarantineEnabled: boolean;
  /** key: `${repository}@${digest}` */
  quarantine: Map<string, { state: QuarantineState; hlc: string }>;
  /** key: lockKey(repository, target) */
  lockChanges: Map<string, AttributesChange[]>;
  /** key: `${repository}:${tag}` */
  tagWrites: Map<string, TagWrite[]>;
  /** what deletes asked to keep restorable (soft delete is SQL only: test/soft-delete.int-spec.ts) */
  keptRestorable: { repository: string; digest?: string; hlc: string }[];
}

const manifestKey = (repository: string, digest: string) => `${repository}@${digest}`;
const tagKey = (repository: string, tag: string) => `${repository}:${tag}`;
const lockKey = (repository: string, target: LockTarget) =>
  target.kind === 'repository'
    ? `${repository}`
    : target.kind === 'tag'
      ? `${repository}:${target.tag}`
      : `${repository}@${target.digest}`;
const tombstoneKey = (repository: string, deleted: Deleted) =>
  deleted.kind === 'repository'
    ? repository
    : deleted.kind === 'digest'
      ? manifestKey(repository, deleted.digest)
      : tagKey(repository, deleted.tag);

export class InMemoryManifestsRepository
  implements ManifestsRepository, ReplicatedWritesRepository
{
  private state: State = {
    repositories: new Set(),
    manifests: new Map(),
    tags: new Map(),
    tombstones: new Map(),
    events: [],
    quarantineEnabled: false,
    quarantine: new Map(),
    lockChanges: new Map(),
    tagWrites: new Map(),
    keptRestorable: [],
  };
  /** the transaction under way; the next one waits for it */
  private running: Promise<unknown> = Promise.resolve();

  /** What committed deletes asked to keep restorable, in order. */
  get keptRestorable(): State['keptRestorable'] {
    return this.state.keptRestorable;
  }

  /** Events of committed transactions, in order. */
  get events(): RecordedEvent[] {
    return this.state.events;
  }

  manifest(repository: string, digest: string): NewManifest | undefined {
    return this.state.manifests.get(manifestKey(repository, digest));
  }

  tag(repository: string, tag: string): StoredTag | undefined {
    return this.state.tags.get(tagKey(repository, tag));
  }

  /** The clock reading of the newest delete of the thing, if any. */
  tombstone(repository: string, deleted: Deleted): string | undefined {
    return this.state.tombstones.get(tombstoneKey(repository, deleted));
  }

  /** The tags of a repository with the digests they point to, in byte order. */
  tagsOf(repository: string): Record<string, string> {
    const prefix = tagKey(repository, '');
    return Object.fromEntries(
      [...this.state.tags]
        .filter(([key]) => key.startsWith(prefix))
        .map(([key, tag]) => [key.slice(prefix.length), tag.digest] as const)
        .sort(([a], [b]) => (a < b ? -1 : 1)),
    );
  }

  /** Turns the registry's quarantine setting on or off, as the setting's RPC would. */
  setQuarantine(enabled: boolean): void {
    this.state.quarantineEnabled = enabled;
  }

  quarantineOf(repository: string, digest: string): QuarantineState | undefined {
    return this.state.quarantine.get(manifestKey(repository, digest))?.state;
  }

  hasRepository(repository: string): boolean {
    return this.state.repositories.has(repository);
  }

  /** Sets a lock as a change made at `hlc` (here or in a peer region) would. */
  setLock(
    repository: string,
    target: LockTarget,
    attributes: Partial<ChangeableAttributes>,
    hlc: string,
  ): void {
    const key = lockKey(repository, target);
    const changes = this.state.lockChanges.get(key) ?? [];
    const current = attributesAt(changes);
    this.state.lockChanges.set(key, [
      ...changes,
      { hlc, attributes: { ...current, ...attributes } },
    ]);
  }

  /** The tag's history of writes, oldest first. */
  tagWritesOf(repository: string, tag: string): TagWrite[] {
    return [...(this.state.tagWrites.get(tagKey(repository, tag)) ?? [])].sort((a, b) =>
      a.hlc < b.hlc ? -1 : 1,
    );
  }

  async find(
    repository: string,
    reference: TagOrDigest,
    includeBody: boolean,
  ): Promise<StoredManifest | undefined> {
    const digest =
      reference.kind === 'digest' ? reference.digest : this.tag(repository, reference.tag)?.digest;
    const manifest = digest === undefined ? undefined : this.manifest(repository, digest);
    if (!manifest) return undefined;
    const readable = (target: LockTarget) =>
      attributesAt(this.state.lockChanges.get(lockKey(repository, target)) ?? []).readEnabled;
    return {
      digest: manifest.digest,
      mediaType: manifest.mediaType,
      size: manifest.body.byteLength,
      ...(includeBody ? { body: manifest.body } : {}),
      quarantine: this.quarantineOf(repository, manifest.digest),
      readEnabled: {
        repository: readable({ kind: 'repository' }),
        manifest: readable({ kind: 'manifest', digest: manifest.digest }),
        ...(reference.kind === 'tag' ? { tag: readable(reference) } : {}),
      },
    };
  }

  async repositoryExists(repository: string): Promise<boolean> {
    return this.hasRepository(repository);
  }

  async wasDeleted(repository: string, reference: TagOrDigest): Promise<boolean> {
    return (
      this.tombstone(repository, reference) !== undefined ||
      (this.tombstone(repository, { kind: 'repository' }) !== undefined &&
        !this.hasRepository(repository))
    );
  }

  transaction<T>(work: (tx: InMemoryManifestsTransaction) => Promise<T>): Promise<T> {
    const result = this.running.then(() => this.run(work));
    this.running = result.catch(() => undefined);
    return result;
  }

  private async run<T>(work: (tx: InMemoryManifestsTransaction) => Promise<T>): Promise<T> {
    const draft: State = {
      repositories: new Set(this.state.repositories),
      manifests: new Map(this.state.manifests),
      tags: new Map(this.state.tags),
      tombstones: new Map(this.state.tombstones),
      events: [...this.state.events],
      quarantineEnabled: this.state.quarantineEnabled,
      quarantine: new Map(this.state.quarantine),
      lockChanges: new Map(this.state.lockChanges),
      tagWrites: new Map(this.state.tagWrites),
      keptRestorable: [...this.state.keptRestorable],
    };
    const result = await work(new InMemoryManifestsTransaction(draft));
    this.state = draft;
    return result;
  }
}

class InMemoryManifestsTransaction implements ManifestsTransaction, ReplicatedWritesTransaction {
  constructor(private readonly state: State) {}

  async lockRepository(): Promise<void> {
    // transactions of the in-memory repository run one at a time already
  }

  async holdBlobs(): Promise<void> {
    // no collector runs against the in-memory repository
  }

  async newestWrite(repository: string, scope: WriteScope): Promise<string | undefined> {
    const whole = scope.kind === 'repository';
    const digest = whole ? undefined : scope.digest;
    const tag = whole ? undefined : scope.tag;
    const readings = [
      this.state.tombstones.get(repository),
      ...[...this.state.lockChanges]
        .filter(([key]) => this.inRepository(key, repository))
        .flatMap(([, changes]) => changes.map((change) => change.hlc)),
      ...this.manifestsIn(repository)
        .filter((manifest) => whole || manifest.digest === digest)
        .map((manifest) => manifest.hlc),
      ...this.tagsIn(repository)
        .filter(
          ([key, stored]) =>
            whole || stored.digest === digest || key === tagKey(repository, tag ?? ''),
        )
        .map(([, stored]) => stored.hlc),
      digest === undefined ? undefined : this.state.tombstones.get(manifestKey(repository, digest)),
      tag === undefined ? undefined : this.state.tombstones.get(tagKey(repository, tag)),
    ];
    return readings
      .filter((hlc) => hlc !== undefined)
      .sort()
      .at(-1);
  }

  async ensureRepository(repository: string): Promise<void> {
    this.state.repositories.add(repository);
  }

  async existingManifests(repository: string, digests: string[]): Promise<string[]> {
    return digests.filter((digest) => this.state.manifests.has(manifestKey(repository, digest)));
  }

  async manifestSizes(repository: string, digests: string[]): Promise<Map<string, number>> {
    const sizes = new Map<string, number>();
    for (const digest of digests) {
      const stored = this.state.manifests.get(manifestKey(repository, digest));
      if (stored) sizes.set(digest, stored.body.byteLength);
    }
    return sizes;
  }

  async insertManifest(manifest: NewManifest): Promise<void> {
    const key = manifestKey(manifest.repository, manifest.digest);
    const stored = this.state.manifests.get(key);
    if (!stored) this.state.manifests.set(key, manifest);
    else if (stored.hlc < manifest.hlc)
      this.state.manifests.set(key, { ...stored, hlc: manifest.hlc });
  }

  async setTag(
    repository: string,
    tag: string,
    digest: string,
    hlc: string,
  ): Promise<string | undefined> {
    const previous = this.state.tags.get(tagKey(repository, tag));
    this.state.tags.set(tagKey(repository, tag), { digest, hlc });
    return previous?.digest;
  }

  async deleteManifest(repository: string, digest: string): Promise<string[] | undefined> {
    if (!this.state.manifests.delete(manifestKey(repository, digest))) return undefined;
    const tags: string[] = [];
    const prefix = tagKey(repository, '');
    for (const [key, tag] of this.state.tags) {
      if (key.startsWith(prefix) && tag.digest === digest) {
        this.state.tags.delete(key);
        tags.push(key.slice(prefix.length));
      }
    }
    return tags.sort();
  }

  async deleteTag(repository: string, tag: string): Promise<string | undefined> {
    const found = this.state.tags.get(tagKey(repository, tag));
    this.state.tags.delete(tagKey(repository, tag));
    return found?.digest;
  }

  async quarantineAtPush(repository: string, digest: string, hlc: string): Promise<boolean> {
    const key = manifestKey(repository, digest);
    if (!this.state.quarantineEnabled || this.state.quarantine.has(key)) return false;
    this.state.quarantine.set(key, { state: 'quarantined', hlc });
    return true;
  }

  async quarantineReplicatedPush(repository: string, digest: string, hlc: string): Promise<void> {
    const key = manifestKey(repository, digest);
    const current = this.state.quarantine.get(key);
    if (current === undefined || current.hlc < hlc)
      this.state.quarantine.set(key, { state: 'quarantined', hlc });
  }

  async emit<S extends z.ZodType>(def: EventDefinition<S>, payload: z.infer<S>): Promise<void> {
    // validated and stored as JSON as the outbox does, so a rule that builds a bad event fails here too
    const event = JSON.parse(JSON.stringify(def.schema.parse(payload))) as Record<string, unknown>;
    this.state.events.push({ name: def.name, payload: event });
  }

  async keepRestorable(repository: string, digest: string | undefined, hlc: string) {
    this.state.keptRestorable.push({
      repository,
      ...(digest === undefined ? {} : { digest }),
      hlc,
    });
  }

  async newestTagWrites(repository: string, tags: string[]): Promise<Map<string, TagNow>> {
    const found = new Map<string, TagNow>();
    for (const tag of tags) {
      const key = tagKey(repository, tag);
      const stored = this.state.tags.get(key);
      const readings = [
        stored?.hlc,
        this.state.tombstones.get(key),
        ...(this.state.tagWrites.get(key) ?? []).map((write) => write.hlc),
      ].filter((hlc) => hlc !== undefined);
      if (readings.length === 0) continue;
      const hlc = readings.sort().at(-1)!;
      found.set(tag, { hlc, ...(stored === undefined ? {} : { digest: stored.digest }) });
    }
    return found;
  }

  async recordDelete(repository: string, deleted: Deleted, hlc: string): Promise<void> {
    const raise = (key: string) => {
      const current = this.state.tombstones.get(key);
      if (current === undefined || current < hlc) this.state.tombstones.set(key, hlc);
    };
    raise(tombstoneKey(repository, deleted));
    if (deleted.kind !== 'repository') return;
    // as in SQL: each tag and manifest a repository delete removes keeps a tombstone of its own
    for (const [key, tag] of this.state.tags) {
      if (this.inRepository(key, repository) && tag.hlc < hlc) raise(key);
    }
    for (const [key, manifest] of this.state.manifests) {
      if (manifest.repository === repository && manifest.hlc < hlc) raise(key);
    }
  }

  async newestDelete(
    repository: string,
    covering: { digest?: string; tag?: string },
  ): Promise<string | undefined> {
    const covers: Deleted[] = [{ kind: 'repository' }];
    if (covering.digest !== undefined) covers.push({ kind: 'digest', digest: covering.digest });
    if (covering.tag !== undefined) covers.push({ kind: 'tag', tag: covering.tag });
    return covers
      .map((deleted) => this.state.tombstones.get(tombstoneKey(repository, deleted)))
      .filter((hlc) => hlc !== undefined)
      .sort()
      .at(-1);
  }

  async setTagIfNewer(
    repository: string,
    tag: string,
    digest: string,
    hlc: string,
  ): Promise<boolean> {
    const key = tagKey(repository, tag);
    const current = this.state.tags.get(key);
    if (current?.hlc === hlc) return current.digest === digest;
    const deletedAt = this.state.tombstones.get(tombstoneKey(repository, { kind: 'tag', tag }));
    if ((current && current.hlc > hlc) || (deletedAt !== undefined && deletedAt >= hlc)) {
      return false;
    }
    this.state.tags.set(key, { digest, hlc });
    return true;
  }

  async deleteTagBefore(repository: string, tag: string, hlc: string): Promise<boolean> {
    const key = tagKey(repository, tag);
    const current = this.state.tags.get(key);
    if (current && current.hlc < hlc) this.state.tags.delete(key);
    return !(current && current.hlc > hlc);
  }

  async deleteManifestBefore(repository: string, digest: string, hlc: string): Promise<boolean> {
    for (const [key, tag] of this.tagsIn(repository)) {
      if (tag.digest === digest && tag.hlc < hlc) this.state.tags.delete(key);
    }
    const key = manifestKey(repository, digest);
    const manifest = this.state.manifests.get(key);
    if (manifest && manifest.hlc < hlc && !this.isTagged(repository, digest)) {
      this.removeManifest(repository, digest);
    }
    return !this.state.manifests.has(key);
  }

  async deleteRepositoryBefore(repository: string, hlc: string): Promise<boolean> {
    for (const [key, tag] of this.tagsIn(repository)) {
      if (tag.hlc < hlc) this.state.tags.delete(key);
    }
    for (const manifest of this.manifestsIn(repository)) {
      if (manifest.hlc < hlc && !this.isTagged(repository, manifest.digest)) {
        this.removeManifest(repository, manifest.digest);
      }
    }
    for (const [key, deletedAt] of this.state.tombstones) {
      const covered = key.startsWith(`${repository}@`) || key.startsWith(`${repository}:`);
      if (covered && deletedAt < hlc) this.state.tombstones.delete(key);
    }
    const kept = this.manifestsIn(repository).length > 0;
    if (!kept) this.state.repositories.delete(repository);
    return !kept;
  }

  async locks(
    repository: string,
    names: { tag?: string; digest?: string; tagsOfDigest?: boolean },
  ): Promise<Locks> {
    return this.locksAtReading(repository, names);
  }

  async locksAt(
    repository: string,
    names: { tag?: string; digest?: string },
    at: string,
  ): Promise<Locks> {
    return this.locksAtReading(repository, names, at);
  }

  async recordTagWrite(
    repository: string,
    tag: string,
    hlc: string,
    digest: string | null,
  ): Promise<void> {
    const key = tagKey(repository, tag);
    const writes = this.state.tagWrites.get(key) ?? [];
    if (writes.some((written) => written.hlc === hlc)) return;
    this.state.tagWrites.set(key, [...writes, { hlc, digest }]);
  }

  async forgetLocks(repository: string, deleted: Deleted, hlc: string): Promise<void> {
    for (const [key, changes] of this.state.lockChanges) {
      const removed =
        deleted.kind === 'repository'
          ? this.inRepository(key, repository)
          : key === tombstoneKey(repository, deleted);
      if (removed)
        this.state.lockChanges.set(
          key,
          changes.filter((change) => change.hlc >= hlc),
        );
    }
  }

  async recordLockChange(
    repository: string,
    target: LockTarget,
    attributes: ChangeableAttributes,
    hlc: string,
  ): Promise<boolean> {
    const key = lockKey(repository, target);
    const changes = this.state.lockChanges.get(key) ?? [];
    if (!changes.some((change) => change.hlc === hlc)) {
      this.state.lockChanges.set(key, [...changes, { hlc, attributes }]);
    }
    return !changes.some((change) => change.hlc > hlc);
  }

  async takeBackRefused(): Promise<TakenBack[]> {
    return [];
  }

  async settleTagsWaitingFor(): Promise<TakenBack[]> {
    return [];
  }

  async recordPush(): Promise<void> {
    // the push history serves only the take-back, which is SQL only (see the top)
  }

  async settleNewestPush(): Promise<void> {
    // as recordPush
  }

  private locksAtReading(
    repository: string,
    names: { tag?: string; digest?: string; tagsOfDigest?: boolean },
    at?: string,
  ): Locks {
    const item = (target: LockTarget): ItemAttributes => ({
      target,
      attributes: attributesAt(this.state.lockChanges.get(lockKey(repository, target)) ?? [], at),
    });
    const { tag, digest, tagsOfDigest } = names;
    return {
      repository: item({ kind: 'repository' }).attributes,
      ...(tag === undefined ? {} : { tag: item({ kind: 'tag', tag }) }),
      ...(digest === undefined ? {} : { manifest: item({ kind: 'manifest', digest }) }),
      ...(tagsOfDigest && digest !== undefined
        ? {
            tagsOfManifest: this.tagsIn(repository)
              .filter(([, stored]) => stored.digest === digest)
              .map(([key]) => item({ kind: 'tag', tag: key.slice(`${repository}:`.length) })),
          }
        : {}),
    };
  }

  /** Whether a lock key (lockKey) is the repository's or one of its items'. */
  private inRepository(key: string, repository: string): boolean {
    return (
      key === repository || key.startsWith(`${repository}:`) || key.startsWith(`${repository}@`)
    );
  }

  private tagsIn(repository: string): [string, StoredTag][] {
    const prefix = tagKey(repository, '');
    return [...this.state.tags].filter(([key]) => key.startsWith(prefix));
  }

  private isTagged(repository: string, digest: string): boolean {
    return this.tagsIn(repository).some(([, tag]) => tag.digest === digest);
  }

  private manifestsIn(repository: string): NewManifest[] {
    return [...this.state.manifests.values()].filter((m) => m.repository === repository);
  }

  /** The manifest and the tags pointing to it, as the foreign key cascades in Postgres. */
  private removeManifest(repository: string, digest: string): void {
    this.state.manifests.delete(manifestKey(repository, digest));
    for (const [key, tag] of this.tagsIn(repository)) {
      if (tag.digest === digest) this.state.tags.delete(key);
    }
  }
}
