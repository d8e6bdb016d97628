/**
 * Manifests and tags in SQL as replication changes them: the pushes, tag moves and deletes
 * other regions made, applied here (replicated-writes.service.ts). Applying writes no event:
 * the write's events went out from its own region.
 *
 * Every write is settled by its hybrid logical clock reading: the `…Before` and `…IfNewer`
 * methods change a row only when the write is newer than what the row holds, and deletes
 * leave tombstones (record-delete.ts, migrations/0002_replication.sql) that keep older writes
 * arriving later out. Like a local write (manifests.repository.ts), each first takes the
 * repository's lock, so it reads and changes rows and tombstones with no other write in
 * between.
 *
 * Writes are also judged by the locks in force at their reading (locks/), and every tag
 * write is added to the tag's history, applied or not, so a lock change that arrives later
 * can take back what it refuses.
 */
import { Injectable } from '@nestjs/common';
import type { ChangeableAttributes, LockTarget } from '@meridian/contracts';
import { InjectSql, type Sql, type TransactionSql, holdBlobsShared } from '@meridian/database';
import type { Locks } from '../locks/lock-rules';
import { forgetLocks, locksOf, recordLockChange, recordTagWrite } from '../locks/lock-rows';
import {
  type TakenBack,
  settleNewestPush,
  settleTagsWaitingFor,
  takeBackRefused,
} from '../locks/take-back';
import { lockRepository } from '../manifests/lock-repository';
import {
  type NewManifest,
  ensureRepository,
  existingManifests,
  insertManifest,
  manifestSizes,
  recordPush,
} from '../manifests/manifest-rows';
import { type Deleted, recordDelete } from '../manifests/record-delete';
import { keepRestorable } from '../soft-delete/keep-restorable';

export abstract class ReplicatedWritesRepository {
  /** Runs `work` in one transaction: all of its changes commit, or none. */
  abstract transaction<T>(work: (tx: ReplicatedWritesTransaction) => Promise<T>): Promise<T>;
}

export interface ReplicatedWritesTransaction {
  /** Waits until no other write to the repository is under way; held until commit. */
  lockRepository(repository: string): Promise<void>;
  /** Holds the blobs shared until commit (libs/database blob-holds.ts). */
  holdBlobs(digests: string[]): Promise<void>;
  /**
   * The newest delete covering the repository and, when given, the manifest and the tag: its
   * clock reading, or undefined when none was deleted.
   */
  newestDelete(
    repository: string,
    covering: { digest?: string; tag?: string },
  ): Promise<string | undefined>;
  /**
   * The attributes in force at clock reading `at` (the newest change before it) of the
   * repository and of the tag and the manifest a write names.
   */
  locksAt(repository: string, names: { tag?: string; digest?: string }, at: string): Promise<Locks>;
  /** Adds a write of the tag (a set, or a delete: null) to its history, whatever it decides. */
  recordTagWrite(
    repository: string,
    tag: string,
    hlc: string,
    digest: string | null,
  ): Promise<void>;
  /** Removes the lock changes of what a delete stamped `hlc` removed, older than it. */
  forgetLocks(repository: string, deleted: Deleted, hlc: string): Promise<void>;
  /** Records a lock change once; true when it is its target's newest. */
  recordLockChange(
    repository: string,
    target: LockTarget,
    attributes: ChangeableAttributes,
    hlc: string,
  ): Promise<boolean>;
  /** Adds a push a lock refused to the manifest's history (manifest-rows.ts). */
  recordPush(repository: string, digest: string, hlc: string): Promise<void>;
  /** Raises the stored manifest's reading to its newest permitted push (take-back.ts). */
  settleNewestPush(repository: string, digest: string): Promise<void>;
  /** Settles the tags whose history waits for the manifest just stored (take-back.ts). */
  settleTagsWaitingFor(repository: string, digest: string): Promise<TakenBack[]>;
  /** Takes back the writes newer than a lock change stamped `hlc` that it refuses (take-back.ts). */
  takeBackRefused(repository: string, target: LockTarget, hlc: string): Promise<TakenBack[]>;
  /** Creates the repository unless it exists. */
  ensureRepository(repository: string): Promise<void>;
  /** The digests among `digests` that are manifests of the repository. */
  existingManifests(repository: string, digests: string[]): Promise<string[]>;
  /** The sizes of the manifests among `digests` that the repository has, by digest. */
  manifestSizes(repository: string, digests: string[]): Promise<Map<string, number>>;
  /** Stores a manifest; a push of stored bytes raises the stored clock reading to its own. */
  insertManifest(manifest: NewManifest): Promise<void>;
  /**
   * Quarantines a manifest another region quarantined at its push, unless a newer change
   * (a decision) holds its state already.
   */
  quarantineReplicatedPush(repository: string, digest: string, hlc: string): Promise<void>;
  /**
   * Points the tag at `digest` if `hlc` is newer than the tag's current write and than its
   * tombstone. True when the tag then holds this write (set now, or by an earlier apply).
   */
  setTagIfNewer(repository: string, tag: string, digest: string, hlc: string): Promise<boolean>;
  /** Leaves (or raises) the tombstone of a delete stamped `hlc`. */
  recordDelete(repository: string, deleted: Deleted, hlc: string): Promise<void>;
  /**
   * Keeps what a delete stamped `hlc` is about to remove restorable, when soft delete is on
   * (soft-delete/keep-restorable.ts): the manifest, or with no digest the repository's.
   */
  keepRestorable(repository: string, digest: string | undefined, hlc: string): Promise<void>;
  /** Deletes the tag if it was written before `hlc`; false when a newer write keeps it. */
  deleteTagBefore(repository: string, tag: string, hlc: string): Promise<boolean>;
  /**
   * Deletes the tags pointing to the manifest that were written before `hlc`, and the manifest
   * if it was last pushed before `hlc` and no newer tag points to it; false when it stays.
   */
  deleteManifestBefore(repository: string, digest: string, hlc: string): Promise<boolean>;
  /**
   * Deletes the repository's tags, manifests and tombstones older than `hlc`, and the
   * repository itself when nothing newer is left; false when newer writes keep it.
   */
  deleteRepositoryBefore(repository: string, hlc: string): Promise<boolean>;
}

@Injectable()
export class SqlReplicatedWritesRepository implements ReplicatedWritesRepository {
  constructor(@InjectSql() private readonly sql: Sql) {}

  transaction<T>(work: (tx: ReplicatedWritesTransaction) => Promise<T>): Promise<T> {
    return this.sql.begin((tx) => work(new SqlReplicatedWritesTransaction(tx))) as Promise<T>;
  }
}

class SqlReplicatedWritesTransaction implements ReplicatedWritesTransaction {
  constructor(private readonly tx: TransactionSql) {}

  lockRepository(repository: string): Promise<void> {
    return lockRepository(this.tx, repository);
  }

  holdBlobs(digests: string[]): Promise<void> {
    return holdBlobsShared(this.tx, digests);
  }

  async newestDelete(
    repository: string,
    covering: { digest?: string; tag?: string },
  ): Promise<string | undefined> {
    const [row] = await this.tx<{ hlc: string | null }[]>`
      select max(hlc) as hlc from (
        select hlc from manifest.repository_tombstones where name = ${repository}
        union all
        select hlc from manifest.manifest_tombstones
        where repository = ${repository} and digest = ${covering.digest ?? null}
        union all
        select hlc from manifest.tag_tombstones
        where repository = ${repository} and name = ${covering.tag ?? null}
      ) covering`;
    return row?.hlc ?? undefined;
  }

  async setTagIfNewer(
    repository: string,
    tag: string,
    digest: string,
    hlc: string,
  ): Promise<boolean> {
    const set = await this.tx`
      insert into manifest.tags (repository, name, digest, hlc)
      select ${repository}, ${tag}, ${digest}, ${hlc}
      where not exists (
        select 1 from manifest.tag_tombstones
        where repository = ${repository} and name = ${tag} and hlc >= ${hlc})
      on conflict (repository, name) do update
        set digest = excluded.digest, hlc = excluded.hlc, updated_at = now()
        where tags.hlc < excluded.hlc
      returning 1`;
    if (set.length > 0) return true;
    const held = await this.tx`
      select 1 from manifest.tags
      where repository = ${repository} and name = ${tag} and hlc = ${hlc} and digest = ${digest}`;
    return held.length > 0;
  }

  async deleteTagBefore(repository: string, tag: string, hlc: string): Promise<boolean> {
    const [row] = await this.tx<{ kept: boolean }[]>`
      with gone as (
        delete from manifest.tags
        where repository = ${repository} and name = ${tag} and hlc < ${hlc}
        returning 1
      )
      select exists (
        select 1 from manifest.tags
        where repository = ${repository} and name = ${tag} and hlc > ${hlc}
      ) as kept`;
    return !row!.kept;
  }

  async deleteManifestBefore(repository: string, digest: string, hlc: string): Promise<boolean> {
    await this.tx`
      delete from manifest.tags
      where repository = ${repository} and digest = ${digest} and hlc < ${hlc}`;
    // a tag written after the delete came with a push of the manifest after it: it stays
    await this.tx`
      delete from manifest.manifests m
      where m.repository = ${repository} and m.digest = ${digest} and m.hlc < ${hlc}
        and not exists (
          select 1 from manifest.tags t where t.repository = m.repository and t.digest = m.digest)`;
    const kept = await this.tx`
      select 1 from manifest.manifests where repository = ${repository} and digest = ${digest}`;
    return kept.length === 0;
  }

  async deleteRepositoryBefore(repository: string, hlc: string): Promise<boolean> {
    const tx = this.tx;
    await tx`delete from manifest.tags where repository = ${repository} and hlc < ${hlc}`;
    await tx`
      delete from manifest.manifests m
      where m.repository = ${repository} and m.hlc < ${hlc}
        and not exists (
          select 1 from manifest.tags t where t.repository = m.repository and t.digest = m.digest)`;
    // the repository's tombstone and those recordDelete left at its reading cover these now
    await tx`
      delete from manifest.tag_tombstones where repository = ${repository} and hlc < ${hlc}`;
    await tx`
      delete from manifest.manifest_tombstones where repository = ${repository} and hlc < ${hlc}`;
    const [row] = await tx<{ kept: boolean }[]>`
      with gone as (
        delete from manifest.repositories r
        where r.name = ${repository}
          and not exists (select 1 from manifest.manifests m where m.repository = r.name)
        returning 1
      )
      select exists (
        select 1 from manifest.manifests where repository = ${repository}
      ) as kept`;
    return !row!.kept;
  }

  ensureRepository(repository: string): Promise<void> {
    return ensureRepository(this.tx, repository);
  }

  existingManifests(repository: string, digests: string[]): Promise<string[]> {
    return existingManifests(this.tx, repository, digests);
  }

  manifestSizes(repository: string, digests: string[]): Promise<Map<string, number>> {
    return manifestSizes(this.tx, repository, digests);
  }

  insertManifest(manifest: NewManifest): Promise<void> {
    return insertManifest(this.tx, manifest);
  }

  async quarantineReplicatedPush(repository: string, digest: string, hlc: string): Promise<void> {
    await this.tx`
      insert into manifest.quarantine (repository, digest, state, hlc)
      values (${repository}, ${digest}, 'quarantined', ${hlc})
      on conflict (repository, digest) do update
        set state = excluded.state, details = null, hlc = excluded.hlc, updated_at = now()
        where quarantine.hlc < excluded.hlc`;
  }

  recordDelete(repository: string, deleted: Deleted, hlc: string): Promise<void> {
    return recordDelete(this.tx, repository, deleted, hlc);
  }

  keepRestorable(repository: string, digest: string | undefined, hlc: string): Promise<void> {
    return keepRestorable(this.tx, repository, digest, hlc);
  }

  locksAt(
    repository: string,
    names: { tag?: string; digest?: string },
    at: string,
  ): Promise<Locks> {
    return locksOf(this.tx, repository, names, at);
  }

  recordTagWrite(
    repository: string,
    tag: string,
    hlc: string,
    digest: string | null,
  ): Promise<void> {
    return recordTagWrite(this.tx, repository, tag, hlc, digest);
  }

  forgetLocks(repository: string, deleted: Deleted, hlc: string): Promise<void> {
    return forgetLocks(this.tx, repository, deleted, hlc);
  }

  recordLockChange(
    repository: string,
    target: LockTarget,
    attributes: ChangeableAttributes,
    hlc: string,
  ): Promise<boolean> {
    return recordLockChange(this.tx, repository, target, attributes, hlc);
  }

  takeBackRefused(repository: string, target: LockTarget, hlc: string): Promise<TakenBack[]> {
    return takeBackRefused(this.tx, repository, target, hlc);
  }

  settleTagsWaitingFor(repository: string, digest: string): Promise<TakenBack[]> {
    return settleTagsWaitingFor(this.tx, repository, digest);
  }

  recordPush(repository: string, digest: string, hlc: string): Promise<void> {
    return recordPush(this.tx, repository, digest, hlc);
  }

  settleNewestPush(repository: string, digest: string): Promise<void> {
    return settleNewestPush(this.tx, repository, digest);
  }
}
