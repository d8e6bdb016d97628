/**
 * Manifests and tags in SQL (schema `manifest`, see migrations/), as this region's clients
 * read and change them: pulls, and the pushes, tag moves and deletes made here. Reads answer
 * in one statement each; every change runs in a transaction that also writes its events to
 * the outbox, so an event exists if and only if its change committed.
 *
 * Every write to a repository first takes the repository's lock, so it reads and changes rows
 * and tombstones with no other write in between. A delete leaves a tombstone
 * (record-delete.ts) that keeps older writes from other regions out; applying those writes is
 * replication/replicated-writes.repository.ts's job.
 */
import { Injectable } from '@nestjs/common';
import type { EventDefinition, QuarantineState } from '@meridian/contracts';
import {
  InjectSql,
  Outbox,
  type Sql,
  type TransactionSql,
  holdBlobsShared,
} from '@meridian/database';
import type { z } from 'zod';
import type { Locks, ReadEnabled } from '../locks/lock-rules';
import { forgetLocks, locksOf, recordTagWrite } from '../locks/lock-rows';
import { type TakenBack, settleTagsWaitingFor } from '../locks/take-back';
import { lockRepository } from './lock-repository';
import {
  type NewManifest,
  type TagOrDigest,
  ensureRepository,
  insertManifest,
  manifestSizes,
} from './manifest-rows';
import { type WriteScope, newestWrite } from './newest-write';
import { type Deleted, recordDelete } from './record-delete';
import { keepRestorable } from '../soft-delete/keep-restorable';

export interface StoredManifest {
  digest: string;
  mediaType: string;
  size: number;
  /** present when asked for */
  body?: Uint8Array;
  /** absent when the manifest was never quarantined */
  quarantine?: QuarantineState;
  /** the read locks of the repository, the manifest and the tag it was named by */
  readEnabled: ReadEnabled;
}

/** A tag as a restore finds it: its newest write of any kind, and where it points, if anywhere. */
export interface TagNow {
  hlc: string;
  digest?: string;
}

export abstract class ManifestsRepository {
  /** The manifest a tag or digest names in the repository, if any. */
  abstract find(
    repository: string,
    reference: TagOrDigest,
    includeBody: boolean,
  ): Promise<StoredManifest | undefined>;

  abstract repositoryExists(repository: string): Promise<boolean>;

  /**
   * Whether this region deleted what `reference` names and nothing has brought it back: a
   * tombstone of the manifest (by digest) or of the tag, or of the repository while it does
   * not exist again.
   */
  abstract wasDeleted(repository: string, reference: TagOrDigest): Promise<boolean>;

  /** Runs `work` in one transaction: all of its changes and events commit, or none. */
  abstract transaction<T>(work: (tx: ManifestsTransaction) => Promise<T>): Promise<T>;
}

export interface ManifestsTransaction {
  /** Waits until no other write to the repository is under way; held until commit. */
  lockRepository(repository: string): Promise<void>;
  /**
   * Holds the blobs shared until commit (libs/database blob-holds.ts): checked after this,
   * they stay until the manifest referencing them is stored, whatever garbage collection does.
   */
  holdBlobs(digests: string[]): Promise<void>;
  /** The newest clock reading among the rows and tombstones a local write would change. */
  newestWrite(repository: string, scope: WriteScope): Promise<string | undefined>;
  /** Creates the repository unless it exists. */
  ensureRepository(repository: string): Promise<void>;
  /** The sizes of the manifests among `digests` that the repository has, by digest. */
  manifestSizes(repository: string, digests: string[]): Promise<Map<string, number>>;
  /** Stores a manifest; nothing happens when the digest is stored already (same bytes). */
  insertManifest(manifest: NewManifest): Promise<void>;
  /** Points the tag at `digest`, stamped with `hlc`; returns the digest it pointed to before. */
  setTag(repository: string, tag: string, digest: string, hlc: string): Promise<string | undefined>;
  /** Deletes a manifest and the tags pointing to it; their names, or undefined if no such manifest. */
  deleteManifest(repository: string, digest: string): Promise<string[] | undefined>;
  /** Deletes a tag; the digest it pointed to, or undefined if no such tag. */
  deleteTag(repository: string, tag: string): Promise<string | undefined>;
  /** Leaves (or raises) the tombstone of a delete stamped `hlc`. */
  recordDelete(repository: string, deleted: Deleted, hlc: string): Promise<void>;
  /**
   * Keeps the manifests a delete stamped `hlc` is about to remove restorable, when soft
   * delete is on (soft-delete/keep-restorable.ts): one, or with no digest all of the repository's.
   */
  keepRestorable(repository: string, digest: string | undefined, hlc: string): Promise<void>;
  /**
   * Of each tag among `tags` that was ever written: its newest write (set, delete or tag
   * row) and the digest it points to now, if any.
   */
  newestTagWrites(repository: string, tags: string[]): Promise<Map<string, TagNow>>;
  /**
   * Quarantines the manifest when the registry's quarantine setting is on and it has no
   * quarantine state yet (a push of a decided image keeps the decision); true when it did.
   */
  quarantineAtPush(repository: string, digest: string, hlc: string): Promise<boolean>;
  /**
   * The attributes of the repository and of the tag or manifest a write names (with
   * `tagsOfDigest`, of the tags pointing to the manifest too), now.
   */
  locks(
    repository: string,
    names: { tag?: string; digest?: string; tagsOfDigest?: boolean },
  ): Promise<Locks>;
  /** Adds a write of the tag (a set, or a delete: null) to its history. */
  recordTagWrite(
    repository: string,
    tag: string,
    hlc: string,
    digest: string | null,
  ): Promise<void>;
  /** Removes the lock changes of what a delete stamped `hlc` removed, older than it. */
  forgetLocks(repository: string, deleted: Deleted, hlc: string): Promise<void>;
  /** Settles the tags whose history waits for the manifest just stored (locks/take-back.ts). */
  settleTagsWaitingFor(repository: string, digest: string): Promise<TakenBack[]>;
  /** Records an event, published after commit. */
  emit<S extends z.ZodType>(def: EventDefinition<S>, payload: z.infer<S>): Promise<void>;
}

interface ManifestRow {
  digest: string;
  mediaType: string;
  size: number;
  body: Buffer | null;
  quarantine: QuarantineState | null;
  repositoryReadable: boolean;
  manifestReadable: boolean;
  tagReadable?: boolean;
}

@Injectable()
export class SqlManifestsRepository implements ManifestsRepository {
  constructor(
    @InjectSql() private readonly sql: Sql,
    private readonly outbox: Outbox,
  ) {}

  // The registry's hottest path (every pull starts here): one primary-key lookup, joined
  // through the tag in the same statement, which reads the read locks too (each the newest
  // row of one index range of lock_changes). The statements are written out whole, with
  // parameters only: postgres.js composes nested fragments anew on every call, which cost a
  // pull about 0.1 ms of the service's CPU (docs/benchmarks.md, "Locks on the pull path").
  async find(
    repository: string,
    reference: TagOrDigest,
    includeBody: boolean,
  ): Promise<StoredManifest | undefined> {
    const sql = this.sql;
    const [row] =
      reference.kind === 'digest'
        ? await sql<ManifestRow[]>`
            select m.digest, m.media_type as "mediaType", m.size, q.state as quarantine,
              case when ${includeBody}::boolean then m.body end as body,
              coalesce((
                select l.read_enabled from manifest.lock_changes l
                where l.repository = m.repository and l.target = 'repository' and l.name = ''
                order by l.hlc desc limit 1), true) as "repositoryReadable",
              coalesce((
                select l.read_enabled from manifest.lock_changes l
                where l.repository = m.repository and l.target = 'manifest' and l.name = m.digest
                order by l.hlc desc limit 1), true) as "manifestReadable"
            from manifest.manifests m
            left join manifest.quarantine q on q.repository = m.repository and q.digest = m.digest
            where m.repository = ${repository} and m.digest = ${reference.digest}`
        : await sql<ManifestRow[]>`
            select m.digest, m.media_type as "mediaType", m.size, q.state as quarantine,
              case when ${includeBody}::boolean then m.body end as body,
              coalesce((
                select l.read_enabled from manifest.lock_changes l
                where l.repository = m.repository and l.target = 'repository' and l.name = ''
                order by l.hlc desc limit 1), true) as "repositoryReadable",
              coalesce((
                select l.read_enabled from manifest.lock_changes l
                where l.repository = m.repository and l.target = 'manifest' and l.name = m.digest
                order by l.hlc desc limit 1), true) as "manifestReadable",
              coalesce((
                select l.read_enabled from manifest.lock_changes l
                where l.repository = t.repository and l.target = 'tag' and l.name = t.name
                order by l.hlc desc limit 1), true) as "tagReadable"
            from manifest.tags t
            join manifest.manifests m on m.repository = t.repository and m.digest = t.digest
            left join manifest.quarantine q on q.repository = m.repository and q.digest = m.digest
            where t.repository = ${repository} and t.name = ${reference.tag}`;
    if (!row) return undefined;
    const {
      quarantine: state,
      body,
      repositoryReadable,
      manifestReadable,
      tagReadable,
      ...found
    } = row;
    const readEnabled: ReadEnabled = {
      repository: repositoryReadable,
      manifest: manifestReadable,
      ...(tagReadable === undefined ? {} : { tag: tagReadable }),
    };
    return {
      ...found,
      ...(body === null ? {} : { body }),
      ...(state === null ? {} : { quarantine: state }),
      readEnabled,
    };
  }

  async repositoryExists(repository: string): Promise<boolean> {
    const rows = await this.sql`select 1 from manifest.repositories where name = ${repository}`;
    return rows.length > 0;
  }

  async wasDeleted(repository: string, reference: TagOrDigest): Promise<boolean> {
    const sql = this.sql;
    const own =
      reference.kind === 'digest'
        ? sql`select 1 from manifest.manifest_tombstones
              where repository = ${repository} and digest = ${reference.digest}`
        : sql`select 1 from manifest.tag_tombstones
              where repository = ${repository} and name = ${reference.tag}`;
    const [row] = await sql<{ deleted: boolean }[]>`
      select exists (${own})
        or (exists (select 1 from manifest.repository_tombstones where name = ${repository})
            and not exists (select 1 from manifest.repositories where name = ${repository}))
        as deleted`;
    return row!.deleted;
  }

  transaction<T>(work: (tx: ManifestsTransaction) => Promise<T>): Promise<T> {
    return this.sql.begin((tx) => work(new SqlManifestsTransaction(tx, this.outbox))) as Promise<T>;
  }
}

class SqlManifestsTransaction implements ManifestsTransaction {
  constructor(
    private readonly tx: TransactionSql,
    private readonly outbox: Outbox,
  ) {}

  lockRepository(repository: string): Promise<void> {
    return lockRepository(this.tx, repository);
  }

  holdBlobs(digests: string[]): Promise<void> {
    return holdBlobsShared(this.tx, digests);
  }

  newestWrite(repository: string, scope: WriteScope): Promise<string | undefined> {
    return newestWrite(this.tx, repository, scope);
  }

  ensureRepository(repository: string): Promise<void> {
    return ensureRepository(this.tx, repository);
  }

  manifestSizes(repository: string, digests: string[]): Promise<Map<string, number>> {
    return manifestSizes(this.tx, repository, digests);
  }

  insertManifest(manifest: NewManifest): Promise<void> {
    return insertManifest(this.tx, manifest);
  }

  async setTag(
    repository: string,
    tag: string,
    digest: string,
    hlc: string,
  ): Promise<string | undefined> {
    // Lock the tag row to learn what it pointed to. When it does not exist, insert it; if a
    // concurrent push inserted it first, the insert waits for that commit, does nothing, and
    // the next round finds and locks the row.
    for (let attempt = 0; attempt < 3; attempt++) {
      const [current] = await this.tx<{ digest: string }[]>`
        select digest from manifest.tags
        where repository = ${repository} and name = ${tag}
        for update`;
      if (current) {
        await this.tx`
          update manifest.tags set digest = ${digest}, hlc = ${hlc}, updated_at = now()
          where repository = ${repository} and name = ${tag}`;
        return current.digest;
      }
      const inserted = await this.tx`
        insert into manifest.tags (repository, name, digest, hlc)
        values (${repository}, ${tag}, ${digest}, ${hlc})
        on conflict do nothing
        returning name`;
      if (inserted.length > 0) return undefined;
    }
    throw new Error('tag kept changing under a concurrent push');
  }

  async deleteManifest(repository: string, digest: string): Promise<string[] | undefined> {
    // The row lock keeps a concurrent push from tagging the manifest while it goes away.
    const found = await this.tx`
      select 1 from manifest.manifests
      where repository = ${repository} and digest = ${digest}
      for update`;
    if (found.length === 0) return undefined;
    const tags = await this.tx<{ name: string }[]>`
      delete from manifest.tags
      where repository = ${repository} and digest = ${digest}
      returning name`;
    await this
      .tx`delete from manifest.manifests where repository = ${repository} and digest = ${digest}`;
    return tags.map((row) => row.name).sort(byteOrder);
  }

  async deleteTag(repository: string, tag: string): Promise<string | undefined> {
    const [row] = await this.tx<{ digest: string }[]>`
      delete from manifest.tags
      where repository = ${repository} and name = ${tag}
      returning digest`;
    return row?.digest;
  }

  recordDelete(repository: string, deleted: Deleted, hlc: string): Promise<void> {
    return recordDelete(this.tx, repository, deleted, hlc);
  }

  keepRestorable(repository: string, digest: string | undefined, hlc: string): Promise<void> {
    return keepRestorable(this.tx, repository, digest, hlc);
  }

  async newestTagWrites(repository: string, tags: string[]): Promise<Map<string, TagNow>> {
    if (tags.length === 0) return new Map();
    const rows = await this.tx<{ name: string; hlc: string; digest: string | null }[]>`
      select w.name, max(w.hlc) as hlc,
        (select t.digest from manifest.tags t
         where t.repository = ${repository} and t.name = w.name) as digest
      from (
        select name, hlc from manifest.tags
          where repository = ${repository} and name = any(${tags}::text[])
        union all select name, hlc from manifest.tag_tombstones
          where repository = ${repository} and name = any(${tags}::text[])
        union all select tag, hlc from manifest.tag_writes
          where repository = ${repository} and tag = any(${tags}::text[])
      ) w
      group by w.name`;
    return new Map(
      rows.map((row) => [
        row.name,
        { hlc: row.hlc, ...(row.digest === null ? {} : { digest: row.digest }) },
      ]),
    );
  }

  async quarantineAtPush(repository: string, digest: string, hlc: string): Promise<boolean> {
    const quarantined = await this.tx`
      insert into manifest.quarantine (repository, digest, state, hlc)
      select ${repository}, ${digest}, 'quarantined', ${hlc}
      where exists (
        select 1 from manifest.settings where name = 'quarantine' and value = 'true'::jsonb)
      on conflict (repository, digest) do nothing
      returning 1`;
    return quarantined.length > 0;
  }

  locks(
    repository: string,
    names: { tag?: string; digest?: string; tagsOfDigest?: boolean },
  ): Promise<Locks> {
    return locksOf(this.tx, repository, names);
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

  settleTagsWaitingFor(repository: string, digest: string): Promise<TakenBack[]> {
    return settleTagsWaitingFor(this.tx, repository, digest);
  }

  emit<S extends z.ZodType>(def: EventDefinition<S>, payload: z.infer<S>): Promise<void> {
    return this.outbox.write(this.tx, def, payload);
  }
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
