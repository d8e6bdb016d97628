/**
 * The replicated state of repositories as anti-entropy reads it (libs/contracts
 * repository-state.ts): summaries computed in SQL, one page of repositories per statement, and
 * one repository's state in full. Two regions holding the same manifests, tags, tombstones and
 * lock changes compute the same summary: every part is listed in byte order (collate "C") with
 * the clock reading that settles it, and hashed. What a region keeps for itself (quarantine,
 * the write histories, restorable copies) is left out, so it never makes regions differ.
 */
import { Injectable } from '@nestjs/common';
import {
  type ChangeableAttributes,
  type ReplicatedSetting,
  type RepositoryState,
  type RepositorySummary,
  repositoryStateMaxItems,
} from '@meridian/contracts';
import { InjectSql, type Sql } from '@meridian/database';
import { quarantineSettingName } from '../quarantine/quarantine.repository';
import { retentionSettingName } from '../retention/retention.repository';
import { softDeleteSettingName } from '../soft-delete/keep-restorable';

export abstract class RepositoryStateRepository {
  /** Up to `limit` repositories after `after` in byte order, each with its summary. */
  abstract summaries(after: string | undefined, limit: number): Promise<RepositorySummary[]>;
  /** The replicated state of `repository`; empty when nothing of it is kept. */
  abstract state(repository: string): Promise<RepositoryState>;
  /** The registry's replicated settings that were ever set. */
  abstract settings(): Promise<ReplicatedSetting[]>;
}

type LockRow = {
  target: 'repository' | 'tag' | 'manifest';
  name: string;
  hlc: string;
} & ChangeableAttributes;

@Injectable()
export class SqlRepositoryStateRepository extends RepositoryStateRepository {
  constructor(@InjectSql() private readonly sql: Sql) {
    super();
  }

  async summaries(after: string | undefined, limit: number): Promise<RepositorySummary[]> {
    const from = after ?? '';
    // each branch reads its primary key's range, so a page costs `limit` names per table
    return this.sql<RepositorySummary[]>`
      with names as (
        (select name from manifest.repositories where name > ${from} order by name limit ${limit})
        union
        (select name from manifest.repository_tombstones where name > ${from}
          order by name limit ${limit})
        union
        (select distinct repository from manifest.manifest_tombstones where repository > ${from}
          order by repository limit ${limit})
        union
        (select distinct repository from manifest.tag_tombstones where repository > ${from}
          order by repository limit ${limit})
        union
        (select distinct repository from manifest.lock_changes where repository > ${from}
          order by repository limit ${limit})
      ), page as (
        select name from names order by name collate "C" limit ${limit}
      )
      select p.name as repository, md5(concat(
        'deleted:', (select hlc from manifest.repository_tombstones r where r.name = p.name),
        '|manifests:', (select string_agg(m.digest || '@' || m.hlc, ',' order by m.digest collate "C")
          from manifest.manifests m where m.repository = p.name),
        '|tags:', (select string_agg(t.name || '=' || t.digest || '@' || t.hlc, ',' order by t.name)
          from manifest.tags t where t.repository = p.name),
        '|deleted-manifests:', (select string_agg(d.digest || '@' || d.hlc, ','
            order by d.digest collate "C")
          from manifest.manifest_tombstones d where d.repository = p.name),
        '|deleted-tags:', (select string_agg(d.name || '@' || d.hlc, ',' order by d.name)
          from manifest.tag_tombstones d where d.repository = p.name),
        '|locks:', (select string_agg(
            concat_ws('/', l.target, l.name, l.delete_enabled, l.write_enabled, l.read_enabled,
              l.list_enabled, l.hlc),
            ',' order by l.target, l.name, l.hlc)
          from manifest.lock_changes l where l.repository = p.name)
      )) as summary
      from page p
      order by p.name collate "C"`;
  }

  async state(repository: string): Promise<RepositoryState> {
    const sql = this.sql;
    const cap = repositoryStateMaxItems + 1;
    const [deleted] = await sql<{ hlc: string }[]>`
      select hlc from manifest.repository_tombstones where name = ${repository}`;
    const manifests = await sql<RepositoryState['manifests']>`
      select digest, hlc, media_type as "mediaType", size, refs as "references"
      from manifest.manifests where repository = ${repository}
      order by digest collate "C" limit ${cap}`;
    const tags = await sql<RepositoryState['tags']>`
      select name, digest, hlc from manifest.tags where repository = ${repository}
      order by name limit ${cap}`;
    const deletedManifests = await sql<RepositoryState['deletedManifests']>`
      select digest, hlc from manifest.manifest_tombstones where repository = ${repository}
      order by digest collate "C" limit ${cap}`;
    // the digest a deleted tag pointed to: its newest set before the delete, from its history
    const deletedTags = await sql<{ name: string; hlc: string; digest: string | null }[]>`
      select d.name, d.hlc, (
        select w.digest from manifest.tag_writes w
        where w.repository = d.repository and w.tag = d.name and w.digest is not null
          and w.hlc < d.hlc
        order by w.hlc desc limit 1) as digest
      from manifest.tag_tombstones d where d.repository = ${repository}
      order by d.name limit ${cap}`;
    const locks = await sql<LockRow[]>`
      select target, name, hlc, delete_enabled as "deleteEnabled",
        write_enabled as "writeEnabled", read_enabled as "readEnabled",
        list_enabled as "listEnabled"
      from manifest.lock_changes where repository = ${repository}
      order by target, name, hlc limit ${cap}`;
    const kinds = [manifests, tags, deletedManifests, deletedTags, locks];
    const first = <T>(rows: readonly T[]): T[] => rows.slice(0, repositoryStateMaxItems);
    return {
      repository,
      ...(deleted ? { deleted: deleted.hlc } : {}),
      manifests: first(manifests).map(({ digest, hlc, mediaType, size, references }) => ({
        digest,
        hlc,
        mediaType,
        size,
        references,
      })),
      tags: first(tags).map(({ name, digest, hlc }) => ({ name, digest, hlc })),
      deletedManifests: first(deletedManifests).map(({ digest, hlc }) => ({ digest, hlc })),
      deletedTags: first(deletedTags).map(({ name, hlc, digest }) => ({
        name,
        hlc,
        ...(digest === null ? {} : { digest }),
      })),
      locks: first(locks).map(({ target, name, hlc, ...attributes }) => ({
        target,
        name,
        hlc,
        attributes: {
          deleteEnabled: attributes.deleteEnabled,
          writeEnabled: attributes.writeEnabled,
          readEnabled: attributes.readEnabled,
          listEnabled: attributes.listEnabled,
        },
      })),
      truncated: kinds.some((rows) => rows.length > repositoryStateMaxItems),
    };
  }

  async settings(): Promise<ReplicatedSetting[]> {
    const rows = await this.sql<{ name: string; value: unknown; hlc: string }[]>`
      select name, value, hlc from manifest.settings order by name`;
    return rows.flatMap(({ name, value, hlc }): ReplicatedSetting[] => {
      const policy = (value ?? {}) as Record<string, unknown>;
      switch (name) {
        case quarantineSettingName:
          return [{ name: 'quarantine', hlc, enabled: value === true }];
        case retentionSettingName:
          return [
            { name: 'retention', hlc, enabled: policy.enabled === true, days: Number(policy.days) },
          ];
        case softDeleteSettingName:
          return [
            {
              name: 'soft-delete',
              hlc,
              enabled: policy.enabled === true,
              retentionDays: Number(policy.retentionDays),
            },
          ];
        default:
          return [];
      }
    });
  }
}
