/**
 * Manifests and tags in SQL (schema `manifest`, see migrations/0001_init.sql). Reads answer
 * in one statement each; every change runs in a transaction that also writes its events to
 * the outbox, so an event exists if and only if its change committed.
 */
import { Injectable } from '@nestjs/common';
import type { EventDefinition, ManifestPushed } from '@meridian/contracts';
import { InjectSql, Outbox, type Sql, type TransactionSql } from '@meridian/database';
import type { z } from 'zod';

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
}

export interface NewManifest {
  repository: string;
  digest: string;
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

  /** Runs `work` in one transaction: all of its changes and events commit, or none. */
  abstract transaction<T>(work: (tx: ManifestsTransaction) => Promise<T>): Promise<T>;
}

export interface ManifestsTransaction {
  /** Creates the repository unless it exists. */
  ensureRepository(repository: string): Promise<void>;
  /** The digests among `digests` that are manifests of the repository. */
  existingManifests(repository: string, digests: string[]): Promise<string[]>;
  /** Stores a manifest; nothing happens when the digest is stored already (same bytes). */
  insertManifest(manifest: NewManifest): Promise<void>;
  /** Points the tag at `digest`, stamped with `hlc`; returns the digest it pointed to before. */
  setTag(repository: string, tag: string, digest: string, hlc: string): Promise<string | undefined>;
  /** Deletes a manifest and the tags pointing to it; their names, or undefined if no such manifest. */
  deleteManifest(repository: string, digest: string): Promise<string[] | undefined>;
  /** Deletes a tag; the digest it pointed to, or undefined if no such tag. */
  deleteTag(repository: string, tag: string): Promise<string | undefined>;
  /** Records an event, published after commit. */
  emit<S extends z.ZodType>(def: EventDefinition<S>, payload: z.infer<S>): Promise<void>;
}

interface ManifestRow {
  digest: string;
  mediaType: string;
  size: number;
  body?: Buffer;
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
    const [row] =
      reference.kind === 'digest'
        ? await sql<ManifestRow[]>`
            select m.digest, m.media_type as "mediaType", m.size ${body}
            from manifest.manifests m
            where m.repository = ${repository} and m.digest = ${reference.digest}`
        : await sql<ManifestRow[]>`
            select m.digest, m.media_type as "mediaType", m.size ${body}
            from manifest.tags t
            join manifest.manifests m on m.repository = t.repository and m.digest = t.digest
            where t.repository = ${repository} and t.name = ${reference.tag}`;
    return row;
  }

  async repositoryExists(repository: string): Promise<boolean> {
    const rows = await this.sql`select 1 from manifest.repositories where name = ${repository}`;
    return rows.length > 0;
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

  async insertManifest(manifest: NewManifest): Promise<void> {
    const tx = this.tx;
    // A manifest that exists already is held with a key-share lock until this push commits,
    // so a concurrent delete of it waits for the push (and then removes the new tag too)
    // instead of removing the row between this insert and the tag that points to it.
    for (let attempt = 0; attempt < 3; attempt++) {
      const inserted = await tx`
        insert into manifest.manifests
          (repository, digest, media_type, size, body, subject, artifact_type, annotations, refs)
        values (
          ${manifest.repository}, ${manifest.digest}, ${manifest.mediaType},
          ${manifest.body.byteLength}, ${Buffer.from(manifest.body)},
          ${manifest.subject ?? null}, ${manifest.artifactType ?? null},
          ${manifest.annotations ? tx.json(manifest.annotations) : null},
          ${tx.json(manifest.references as never)}
        )
        on conflict (repository, digest) do nothing
        returning 1`;
      if (inserted.length > 0) return;
      const held = await tx`
        select 1 from manifest.manifests
        where repository = ${manifest.repository} and digest = ${manifest.digest}
        for key share`;
      if (held.length > 0) return;
      // deleted between the two statements: insert it again
    }
    throw new Error('manifest kept disappearing under a concurrent delete');
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

  emit<S extends z.ZodType>(def: EventDefinition<S>, payload: z.infer<S>): Promise<void> {
    return this.outbox.write(this.tx, def, payload);
  }
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
