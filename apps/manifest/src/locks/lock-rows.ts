/**
 * Locks in SQL (migration 0006): the history of lock changes per item, read as the attributes
 * an item has now or had in force at a clock reading, and the history of tag writes a lock
 * change takes refused writes back through. Each function runs in the caller's transaction,
 * under the repository's lock (manifests/lock-repository.ts), so a write reads the locks it
 * is judged by with no lock change in between. Reads that answer in one statement (a pull,
 * a listing) use the fragments at the end inside their own statement instead.
 */
import type { ChangeableAttributes, LockTarget } from '@meridian/contracts';
import type { Sql, TransactionSql } from '@meridian/database';
import type postgres from 'postgres';
import type { Deleted } from '../manifests/record-delete';
import {
  type AttributesChange,
  type ItemAttributes,
  type Locks,
  type TagWrite,
  unlocked,
} from './lock-rules';

type TargetKind = LockTarget['kind'];

interface LockRow {
  target: TargetKind;
  name: string;
  hlc: string;
  deleteEnabled: boolean;
  writeEnabled: boolean;
  readEnabled: boolean;
  listEnabled: boolean;
}

const attributeColumns = (tx: TransactionSql) => tx`
  delete_enabled as "deleteEnabled", write_enabled as "writeEnabled",
  read_enabled as "readEnabled", list_enabled as "listEnabled"`;

/** The target as stored: its kind, and its name ('' for the repository). */
export function targetKey(target: LockTarget): { kind: TargetKind; name: string } {
  switch (target.kind) {
    case 'repository':
      return { kind: 'repository', name: '' };
    case 'tag':
      return { kind: 'tag', name: target.tag };
    case 'manifest':
      return { kind: 'manifest', name: target.digest };
  }
}

function toTarget(kind: TargetKind, name: string): LockTarget {
  return kind === 'repository'
    ? { kind }
    : kind === 'tag'
      ? { kind, tag: name }
      : { kind, digest: name };
}

function attributesOf(row: LockRow): ChangeableAttributes {
  return {
    deleteEnabled: row.deleteEnabled,
    writeEnabled: row.writeEnabled,
    readEnabled: row.readEnabled,
    listEnabled: row.listEnabled,
  };
}

/**
 * Records a change of the target's attributes (once, however often it is applied); true when
 * it is the target's newest change, whose attributes are in force now.
 */
export async function recordLockChange(
  tx: TransactionSql,
  repository: string,
  target: LockTarget,
  attributes: ChangeableAttributes,
  hlc: string,
): Promise<boolean> {
  const { kind, name } = targetKey(target);
  await tx`
    insert into manifest.lock_changes (repository, target, name, delete_enabled, write_enabled,
      read_enabled, list_enabled, hlc)
    values (${repository}, ${kind}, ${name}, ${attributes.deleteEnabled},
      ${attributes.writeEnabled}, ${attributes.readEnabled}, ${attributes.listEnabled}, ${hlc})
    on conflict do nothing`;
  const newer = await tx`
    select 1 from manifest.lock_changes
    where repository = ${repository} and target = ${kind} and name = ${name} and hlc > ${hlc}
    limit 1`;
  return newer.length === 0;
}

/** Every change of the target's attributes, oldest first. */
export async function lockChangesOf(
  tx: TransactionSql,
  repository: string,
  target: LockTarget,
): Promise<AttributesChange[]> {
  const { kind, name } = targetKey(target);
  const rows = await tx<LockRow[]>`
    select hlc, ${attributeColumns(tx)} from manifest.lock_changes
    where repository = ${repository} and target = ${kind} and name = ${name}
    order by hlc`;
  return rows.map((row) => ({ hlc: row.hlc, attributes: attributesOf(row) }));
}

/**
 * The attributes of the repository, of the tag and the manifest a write names and, with
 * `tagsOfDigest`, of the tags pointing to the manifest: the newest change of each, or the
 * newest before `at` (the attributes in force at that reading). One statement.
 */
export async function locksOf(
  tx: TransactionSql,
  repository: string,
  names: { tag?: string; digest?: string; tagsOfDigest?: boolean },
  at?: string,
): Promise<Locks> {
  const { tag, digest, tagsOfDigest = false } = names;
  const tagsPointing =
    tagsOfDigest && digest !== undefined
      ? tx`or (target = 'tag' and name in (
          select name from manifest.tags where repository = ${repository} and digest = ${digest}))`
      : tx``;
  const rows = await tx<LockRow[]>`
    select distinct on (target, name) target, name, hlc, ${attributeColumns(tx)}
    from manifest.lock_changes
    where repository = ${repository}
      and ((target = 'repository' and name = '')
        or (target = 'tag' and name = ${tag ?? null})
        or (target = 'manifest' and name = ${digest ?? null})
        ${tagsPointing})
      ${at === undefined ? tx`` : tx`and hlc < ${at}`}
    order by target, name, hlc desc`;
  const item = (kind: TargetKind, name: string): ItemAttributes => {
    const row = rows.find((r) => r.target === kind && r.name === name);
    return { target: toTarget(kind, name), attributes: row ? attributesOf(row) : unlocked };
  };
  return {
    repository: item('repository', '').attributes,
    ...(tag === undefined ? {} : { tag: item('tag', tag) }),
    ...(digest === undefined ? {} : { manifest: item('manifest', digest) }),
    ...(tagsOfDigest
      ? {
          tagsOfManifest: rows
            .filter((row) => row.target === 'tag' && row.name !== tag)
            .map((row) => ({ target: toTarget('tag', row.name), attributes: attributesOf(row) })),
        }
      : {}),
  };
}

/**
 * The repository's attributes now, and those of every tag and manifest in it that a lock
 * change touched (a lock on something not stored here, a peer's change that arrived first,
 * refuses nothing).
 */
export async function repositoryLocks(
  tx: TransactionSql,
  repository: string,
): Promise<{ repository: ChangeableAttributes; items: ItemAttributes[] }> {
  const rows = await tx<LockRow[]>`
    select distinct on (target, name) target, name, hlc, ${attributeColumns(tx)}
    from manifest.lock_changes l
    where l.repository = ${repository}
      and (l.target = 'repository'
        or (l.target = 'tag' and exists (
          select 1 from manifest.tags t where t.repository = l.repository and t.name = l.name))
        or (l.target = 'manifest' and exists (
          select 1 from manifest.manifests m
          where m.repository = l.repository and m.digest = l.name)))
    order by target, name, hlc desc`;
  const own = rows.find((row) => row.target === 'repository');
  return {
    repository: own ? attributesOf(own) : unlocked,
    items: rows
      .filter((row) => row.target !== 'repository')
      .map((row) => ({ target: toTarget(row.target, row.name), attributes: attributesOf(row) })),
  };
}

/** Adds a write to the tag's history; a write recorded already stays one row. */
export async function recordTagWrite(
  tx: TransactionSql,
  repository: string,
  tag: string,
  hlc: string,
  digest: string | null,
): Promise<void> {
  await tx`
    insert into manifest.tag_writes (repository, tag, hlc, digest)
    values (${repository}, ${tag}, ${hlc}, ${digest})
    on conflict do nothing`;
}

/** The tag's history, newest first. */
export async function tagWritesOf(
  tx: TransactionSql,
  repository: string,
  tag: string,
): Promise<TagWrite[]> {
  return tx<TagWrite[]>`
    select hlc, digest from manifest.tag_writes
    where repository = ${repository} and tag = ${tag}
    order by hlc desc`;
}

/**
 * After a delete: the lock changes of what it removed that are older than it, so a tag or a
 * manifest pushed again later starts unlocked; for a manifest or a repository, the histories
 * of the writes it removed too (its tombstone keeps every older write out from now on, and
 * such deletes are never taken back). A tag's history stays: a lock arriving later may refuse
 * the tag's delete.
 */
export async function forgetLocks(
  tx: TransactionSql,
  repository: string,
  deleted: Deleted,
  hlc: string,
): Promise<void> {
  switch (deleted.kind) {
    case 'repository':
      await tx`delete from manifest.lock_changes where repository = ${repository} and hlc < ${hlc}`;
      await tx`delete from manifest.tag_writes where repository = ${repository} and hlc < ${hlc}`;
      await tx`
        delete from manifest.manifest_pushes where repository = ${repository} and hlc < ${hlc}`;
      return;
    case 'tag':
      await tx`
        delete from manifest.lock_changes
        where repository = ${repository} and target = 'tag' and name = ${deleted.tag}
          and hlc < ${hlc}`;
      return;
    case 'digest':
      await tx`
        delete from manifest.lock_changes
        where repository = ${repository} and target = 'manifest' and name = ${deleted.digest}
          and hlc < ${hlc}`;
      await tx`
        delete from manifest.manifest_pushes
        where repository = ${repository} and digest = ${deleted.digest} and hlc < ${hlc}`;
      return;
  }
}

/**
 * An item's own attributes inside a larger statement, as ACR shows them: a lateral join
 * `alias` on its newest change (no row: all enabled, see `ownAttributes`).
 */
export function newestChangeJoin(
  sql: Sql,
  alias: string,
  kind: TargetKind,
  repository: postgres.Fragment,
  name: postgres.Fragment,
) {
  return sql`
    left join lateral (
      select delete_enabled, write_enabled, read_enabled, list_enabled
      from manifest.lock_changes l
      where l.repository = ${repository} and l.target = ${kind} and l.name = ${name}
      order by l.hlc desc limit 1
    ) ${sql(alias)} on true`;
}

/** The attributes of a `newestChangeJoin`, as one `changeableAttributes` column. */
export function ownAttributes(sql: Sql, alias: string) {
  const a = sql(alias);
  return sql`
    json_build_object(
      'deleteEnabled', coalesce(${a}.delete_enabled, true),
      'writeEnabled', coalesce(${a}.write_enabled, true),
      'readEnabled', coalesce(${a}.read_enabled, true),
      'listEnabled', coalesce(${a}.list_enabled, true)
    ) as "changeableAttributes"`;
}

/** Whether an item's newest change leaves `attribute` enabled (a boolean SQL expression). */
export function enabled(
  sql: Sql,
  column: 'read_enabled' | 'list_enabled',
  kind: TargetKind,
  repository: postgres.Fragment,
  name: postgres.Fragment,
) {
  return sql`coalesce((
    select l.${sql(column)} from manifest.lock_changes l
    where l.repository = ${repository} and l.target = ${kind} and l.name = ${name}
    order by l.hlc desc limit 1), true)`;
}
