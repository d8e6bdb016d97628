/**
 * Manifests and tags in SQL (schema `manifest`, see migrations/). Reads answer in one
 * statement each; every change runs in a transaction that also writes its events to the
 * outbox, so an event exists if and only if its change committed.
 *
 * Writes from other regions (replication) are settled by hybrid logical clock readings:
 * the `…Before` and `…IfNewer` methods change a row only when the write is newer than what
 * the row holds, and deletes leave tombstones (migrations/0002_replication.sql). Every write
 * to a repository first takes the repository's lock, so it reads and changes rows and
 * tombstones with no other write in between.
 */
import { Injectable } from '@nestjs/common';
import type { EventDefinition, ManifestPushed, QuarantineState } from '@meridian/contracts';
import { InjectSql, Outbox, type Sql, type TransactionSql } from '@meridian/database';
import type { z } from 'zod';
import { lockRepository } from './lock-repository';
import { type WriteScope, newestWrite } from './newest-write';
import { recordDelete } from './record-delete';

/** A manifest named by tag or by digest, as in `/v2/<name>/manifests/<reference>`. */
export type TagOrDigest = { kind: 'tag'; tag: string } | { kind: 'digest'; digest: string };

/** What must be present for a manifest to be pullable: its blobs and child manifests. */
export type ManifestReferences = ManifestPushed['references'];

export interface StoredManifest {
  digest: string;
  mediaType: string;
  size: number;
  /** present when asked for */
  body?: Uint8Array;
  /** absent when the manifest was never quarantined */
  quarantine?: QuarantineState;
}

export interface NewManifest {
  repository: string;
  digest: string;
  /** the push's clock reading; a push of stored bytes raises the stored one to it */
  hlc: string;
  mediaType: string;
  body: Uint8Array;
  subject?: string;
  artifactType?: string;
  annotations?: Record<string, string>;
  references: ManifestReferences;
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

/** What a delete removed, and what its tombstone covers: a repository, a manifest, a tag. */
export type Deleted = { kind: 'repository' } | TagOrDigest;

export interface ManifestsTransaction {
  /** Waits until no other write to the repository is under way; held until commit. */
  lockRepository(repository: string): Promise<void>;
  /** The newest clock reading among the rows and tombstones a local write would change. */
  newestWrite(repository: string, scope: WriteScope): Promise<string | undefined>;
  /** Creates the repository unless it exists. */
  ensureRepository(repository: string): Promise<void>;
  /** The digests among `digests` that are manifests of the repository. */
  existingManifests(repository: string, digests: string[]): Promise<string[]>;
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
  /**
   * Quarantines the manifest when the registry's quarantine setting is on and it has no
   * quarantine state yet (a push of a decided image keeps the decision); true when it did.
   */
  quarantineAtPush(repository: string, digest: string, hlc: string): Promise<boolean>;
  /**
   * Quarantines a manifest another region quarantined at its push, unless a newer change
   * (a decision) holds its state already.
   */
  quarantineReplicatedPush(repository: string, digest: string, hlc: string): Promise<void>;
  /** Records an event, published after commit. */
  emit<S extends z.ZodType>(def: EventDefinition<S>, payload: z.infer<S>): Promise<void>;

  /** Leaves (or raises) the tombstone of a delete stamped `hlc`. */
  recordDelete(repository: string, deleted: Deleted, hlc: string): Promise<void>;
  /**
   * The newest delete covering the manifest (its own or its repository's) and, when given,
   * the tag: its clock reading, or undefined when none was deleted.
   */
  newestDelete(
    repository: string,
    covering: { digest: string; tag?: string },
  ): Promise<string | undefined>;
  /**
   * Points the tag at `digest` if `hlc` is newer than the tag's current write and than its
   * tombstone. True when the tag then holds this write (set now, or by an earlier apply).
   */
  setTagIfNewer(repository: string, tag: string, digest: string, hlc: string): Promise<boolean>;
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

interface ManifestRow {
  digest: string;
  mediaType: string;
  size: number;
  body?: Buffer;
  quarantine: QuarantineState | null;
}

@Injectable()
export class SqlManifestsRepository implements ManifestsRepository {
  constructor(
    @InjectSql() private readonly sql: Sql,
    private readonly outbox: Outbox,
  ) {}

  // The registry's hottest path (every pull starts here): one primary-key lookup, joined
  // through the tag in the same statement.
  async find(
    repository: string,
    reference: TagOrDigest,
    includeBody: boolean,
  ): Promise<StoredManifest | undefined> {
    const sql = this.sql;
    const body = includeBody ? sql`, m.body` : sql``;
    const quarantine = sql`
      left join manifest.quarantine q on q.repository = m.repository and q.digest = m.digest`;
    const [row] =
      reference.kind === 'digest'
        ? await sql<ManifestRow[]>`
            select m.digest, m.media_type as "mediaType", m.size, q.state as quarantine ${body}
            from manifest.manifests m ${quarantine}
            where m.repository = ${repository} and m.digest = ${reference.digest}`
        : await sql<ManifestRow[]>`
            select m.digest, m.media_type as "mediaType", m.size, q.state as quarantine ${body}
            from manifest.tags t
            join manifest.manifests m on m.repository = t.repository and m.digest = t.digest
            ${quarantine}
            where t.repository = ${repository} and t.name = ${reference.tag}`;
    if (!row) return undefined;
    const { quarantine: state, ...found } = row;
    return state === null ? found : { ...found, quarantine: state };
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

  newestWrite(repository: string, scope: WriteScope): Promise<string | undefined> {
    return newestWrite(this.tx, repository, scope);
  }

  async ensureRepository(repository: string): Promise<void> {
    await this
      .tx`insert into manifest.repositories (name) values (${repository}) on conflict do nothing`;
  }

  async existingManifests(repository: string, digests: string[]): Promise<string[]> {
    if (digests.length === 0) return [];
    const rows = await this.tx<{ digest: string }[]>`
      select digest from manifest.manifests
      where repository = ${repository} and digest = any(${digests}::text[])`;
    return rows.map((row) => row.digest);
  }

  async manifestSizes(repository: string, digests: string[]): Promise<Map<string, number>> {
    if (digests.length === 0) return new Map();
    const rows = await this.tx<{ digest: string; size: number }[]>`
      select digest, size from manifest.manifests
      where repository = ${repository} and digest = any(${digests}::text[])`;
    return new Map(rows.map((row) => [row.digest, row.size]));
  }

  async insertManifest(manifest: NewManifest): Promise<void> {
    const tx = this.tx;
    // A manifest that exists already is updated (its newest push), which locks its row until
    // this push commits: a concurrent delete of it waits for the push (and then removes the
    // new tag too) instead of removing the row between this insert and the tag that points
    // to it.
    await tx`
      insert into manifest.manifests
        (repository, digest, media_type, size, body, subject, artifact_type, annotations, refs, hlc)
      values (
        ${manifest.repository}, ${manifest.digest}, ${manifest.mediaType},
        ${manifest.body.byteLength}, ${Buffer.from(manifest.body)},
        ${manifest.subject ?? null}, ${manifest.artifactType ?? null},
        ${manifest.annotations ? tx.json(manifest.annotations) : null},
        ${tx.json(manifest.references as never)}, ${manifest.hlc}
      )
      on conflict (repository, digest) do update
        set hlc = greatest(manifests.hlc, excluded.hlc)`;
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

  async quarantineReplicatedPush(repository: string, digest: string, hlc: string): Promise<void> {
    await this.tx`
      insert into manifest.quarantine (repository, digest, state, hlc)
      values (${repository}, ${digest}, 'quarantined', ${hlc})
      on conflict (repository, digest) do update
        set state = excluded.state, details = null, hlc = excluded.hlc, updated_at = now()
        where quarantine.hlc < excluded.hlc`;
  }

  emit<S extends z.ZodType>(def: EventDefinition<S>, payload: z.infer<S>): Promise<void> {
    return this.outbox.write(this.tx, def, payload);
  }

  recordDelete(repository: string, deleted: Deleted, hlc: string): Promise<void> {
    return recordDelete(this.tx, repository, deleted, hlc);
  }

  async newestDelete(
    repository: string,
    covering: { digest: string; tag?: string },
  ): Promise<string | undefined> {
    const [row] = await this.tx<{ hlc: string | null }[]>`
      select max(hlc) as hlc from (
        select hlc from manifest.repository_tombstones where name = ${repository}
        union all
        select hlc from manifest.manifest_tombstones
        where repository = ${repository} and digest = ${covering.digest}
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
    // the repository's tombstone covers these now
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
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
