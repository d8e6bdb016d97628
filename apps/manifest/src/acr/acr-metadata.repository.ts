/**
 * ACR's metadata reads in SQL. Each listing is one keyset range of an index: by name the
 * primary keys, by time `tags_updated_idx` and `manifests_created_idx` (migration 0004), with
 * `last` (a name, as ACR pages) looked up for the position it stands at. A `last` that no
 * longer exists ends the listing, as a deleted tag has no place in time order.
 *
 * Each row carries the item's own changeable attributes (its newest lock change, as ACR
 * shows them; the repository's are on the repository). Listings leave out what the item's or
 * the repository's `listEnabled: false` hides, in the statement, before the page is cut.
 */
import { Injectable } from '@nestjs/common';
import type { AcrOrderBy, ChangeableAttributes } from '@meridian/contracts';
import { InjectSql, type Sql } from '@meridian/database';
import { imageManifestMediaTypes, indexMediaTypes } from '@meridian/oci';
import { enabled, newestChangeJoin, ownAttributes } from '../locks/lock-rows';

/** Artifact types of the signatures that make a tag `signed` (cosign, Notation). */
const signatureArtifactTypes = [
  'application/vnd.dev.cosign.artifact.sig.v1+json',
  'application/vnd.cncf.notary.signature',
];

export interface RepositoryRow {
  createdAt: Date;
  lastUpdateAt: Date;
  manifestCount: number;
  tagCount: number;
  changeableAttributes: ChangeableAttributes;
}

export interface TagRow {
  name: string;
  digest: string;
  createdAt: Date;
  updatedAt: Date;
  signed: boolean;
  changeableAttributes: ChangeableAttributes;
}

export interface ManifestRow {
  digest: string;
  mediaType: string;
  imageSize: number;
  createdAt: Date;
  lastUpdateAt: Date;
  tags: string[];
  quarantine: 'quarantined' | 'passed' | 'failed' | null;
  /** the body of an index, for its children's platforms; null for other manifests */
  indexBody: Buffer | null;
  /** an image manifest's config descriptor; null for other manifests */
  config: { digest: string; mediaType: string; size: number } | null;
  changeableAttributes: ChangeableAttributes;
}

export interface Listing {
  orderby: AcrOrderBy;
  last?: string;
  limit: number;
}

export abstract class AcrMetadataRepository {
  /** undefined when the repository does not exist */
  abstract repository(repository: string): Promise<RepositoryRow | undefined>;
  abstract tags(repository: string, listing: Listing & { digest?: string }): Promise<TagRow[]>;
  abstract tag(repository: string, tag: string): Promise<TagRow | undefined>;
  abstract manifests(repository: string, listing: Listing): Promise<ManifestRow[]>;
  abstract manifest(repository: string, digest: string): Promise<ManifestRow | undefined>;
}

@Injectable()
export class SqlAcrMetadataRepository implements AcrMetadataRepository {
  constructor(@InjectSql() private readonly sql: Sql) {}

  async repository(repository: string): Promise<RepositoryRow | undefined> {
    const [row] = await this.sql<RepositoryRow[]>`
      select r.created_at as "createdAt",
        greatest(r.created_at, m.newest, t.newest) as "lastUpdateAt",
        coalesce(m.count, 0)::int as "manifestCount",
        coalesce(t.count, 0)::int as "tagCount",
        ${ownAttributes(this.sql, 'a')}
      from manifest.repositories r
      ${newestChangeJoin(this.sql, 'a', 'repository', this.sql`r.name`, this.sql`''`)}
      left join lateral (
        select count(*) as count, max(created_at) as newest
        from manifest.manifests where repository = r.name
      ) m on true
      left join lateral (
        select count(*) as count, max(updated_at) as newest
        from manifest.tags where repository = r.name
      ) t on true
      where r.name = ${repository}`;
    return row;
  }

  async tags(repository: string, listing: Listing & { digest?: string }): Promise<TagRow[]> {
    const sql = this.sql;
    const { orderby, last, limit, digest } = listing;
    const onDigest = digest === undefined ? sql`` : sql`and t.digest = ${digest}`;
    const at = sql`(
      select updated_at, name from manifest.tags where repository = ${repository} and name = ${last ?? ''})`;
    const order =
      orderby === 'name'
        ? sql`${last === undefined ? sql`` : sql`and t.name > ${last}`} order by t.name`
        : orderby === 'timedesc'
          ? sql`${last === undefined ? sql`` : sql`and (t.updated_at, t.name) < ${at}`}
              order by t.updated_at desc, t.name desc`
          : sql`${last === undefined ? sql`` : sql`and (t.updated_at, t.name) > ${at}`}
              order by t.updated_at, t.name`;
    return sql<TagRow[]>`
      select ${tagColumns(sql)}
      from manifest.tags t ${tagAttributes(sql)}
      where t.repository = ${repository} ${onDigest}
        and coalesce(a.list_enabled, true) and ${listedRepository(sql, repository)}
      ${order}
      limit ${limit}`;
  }

  async tag(repository: string, tag: string): Promise<TagRow | undefined> {
    const [row] = await this.sql<TagRow[]>`
      select ${tagColumns(this.sql)}
      from manifest.tags t ${tagAttributes(this.sql)}
      where t.repository = ${repository} and t.name = ${tag}`;
    return row;
  }

  async manifests(repository: string, { orderby, last, limit }: Listing): Promise<ManifestRow[]> {
    const sql = this.sql;
    const at = sql`(
      select created_at, digest from manifest.manifests
      where repository = ${repository} and digest = ${last ?? ''})`;
    const order =
      orderby === 'name'
        ? sql`${last === undefined ? sql`` : sql`and m.digest > ${last}`} order by m.digest`
        : orderby === 'timedesc'
          ? sql`${last === undefined ? sql`` : sql`and (m.created_at, m.digest) < ${at}`}
              order by m.created_at desc, m.digest desc`
          : sql`${last === undefined ? sql`` : sql`and (m.created_at, m.digest) > ${at}`}
              order by m.created_at, m.digest`;
    return sql<ManifestRow[]>`
      select ${manifestColumns(sql)}
      from manifest.manifests m
      left join manifest.quarantine q on q.repository = m.repository and q.digest = m.digest
      ${manifestAttributes(sql)}
      where m.repository = ${repository}
        and coalesce(a.list_enabled, true) and ${listedRepository(sql, repository)}
      ${order}
      limit ${limit}`;
  }

  async manifest(repository: string, digest: string): Promise<ManifestRow | undefined> {
    const [row] = await this.sql<ManifestRow[]>`
      select ${manifestColumns(this.sql)}
      from manifest.manifests m
      left join manifest.quarantine q on q.repository = m.repository and q.digest = m.digest
      ${manifestAttributes(this.sql)}
      where m.repository = ${repository} and m.digest = ${digest}`;
    return row;
  }
}

function tagAttributes(sql: Sql) {
  return newestChangeJoin(sql, 'a', 'tag', sql`t.repository`, sql`t.name`);
}

function manifestAttributes(sql: Sql) {
  return newestChangeJoin(sql, 'a', 'manifest', sql`m.repository`, sql`m.digest`);
}

function listedRepository(sql: Sql, repository: string) {
  return enabled(sql, 'list_enabled', 'repository', sql`${repository}`, sql`''`);
}

/** Columns of a tag `t` joined with its attributes `a` (tagAttributes). */
function tagColumns(sql: Sql) {
  return sql`
    t.name, t.digest, t.created_at as "createdAt", t.updated_at as "updatedAt",
    ${ownAttributes(sql, 'a')},
    exists (
      select 1 from manifest.manifests s
      where s.repository = t.repository and s.subject = t.digest
        and s.artifact_type = any(${signatureArtifactTypes}::text[])
    ) as signed`;
}

/**
 * Columns of a manifest `m` joined with its quarantine `q` and attributes `a`
 * (manifestAttributes). An image's size is its manifest's and its blobs' (config and layers),
 * as ACR counts it.
 */
function manifestColumns(sql: Sql) {
  return sql`
    m.digest, m.media_type as "mediaType", m.created_at as "createdAt",
    ${ownAttributes(sql, 'a')},
    (m.size + coalesce((
      select sum((blob ->> 'size')::bigint) from jsonb_array_elements(m.refs -> 'blobs') blob
    ), 0))::bigint as "imageSize",
    greatest(m.created_at, (
      select max(updated_at) from manifest.tags
      where repository = m.repository and digest = m.digest
    )) as "lastUpdateAt",
    array(
      select name from manifest.tags
      where repository = m.repository and digest = m.digest order by name
    ) as tags,
    q.state as quarantine,
    case when m.media_type = any(${[...indexMediaTypes]}::text[]) then m.body end as "indexBody",
    case when m.media_type = any(${[...imageManifestMediaTypes]}::text[])
      then convert_from(m.body, 'UTF8')::jsonb -> 'config' end as config`;
}
